// Package api is SplitPay's HTTP server: the JSON API for non-Go backends, the channels' notification
// endpoints, health checks and the OpenAPI document. It authenticates callers, verifies notifications, and
// limits request sizes and times; handlers call the starter.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/codec"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
)

// Server holds the API's dependencies.
type Server struct {
	DB       *pgxpool.Pool
	Temporal client.Client
	Starter  *starter.Client
	Registry *registry.Registry
	Logger   *slog.Logger
	// Notifications verifies each channel's notifications, by channel name.
	Notifications map[string]channels.Notifications
	// APIKeys are the bearer tokens callers of /v1 present. Empty: every /v1 call is refused.
	APIKeys []string
	// Codec serves Temporal's codec-server protocol (POST /codec/encode, /codec/decode) to holders of an API
	// key, so the Temporal UI and CLI can show sealed payloads. Nil: not served.
	Codec http.Handler
	// CodecOrigins are the browser origins (the Temporal UI's) allowed to call /codec, preflight included.
	CodecOrigins []string
	// Metrics counts notifications; nil counts nothing.
	Metrics *metrics.Metrics
}

// Body limits: JSON requests are small; notifications smaller still.
const (
	maxRequestBytes      = 1 << 20
	maxNotificationBytes = 64 << 10
)

//go:embed openapi.json
var openAPI []byte

// route is one endpoint; public ones skip the API key (the channel authenticates by signature).
type route struct {
	pattern string
	public  bool
	handle  func(s *Server) http.HandlerFunc
	// documented lists the paths openapi.json describes for a pattern that serves several (default: the pattern's).
	documented []string
}

// routes is every endpoint; the OpenAPI document must describe each (a test checks).
var routes = []route{
	{"GET /healthz", true, func(s *Server) http.HandlerFunc { return s.healthz }, nil},
	{"GET /openapi.json", true, func(*Server) http.HandlerFunc { return serveOpenAPI }, nil},
	{"POST /notify/{channel}/{kind}", true, func(s *Server) http.HandlerFunc { return s.notify }, nil},
	{"POST /notify/{channel}", true, func(s *Server) http.HandlerFunc { return s.notify }, nil},
	{"POST /v1/orders", false, func(s *Server) http.HandlerFunc { return s.createOrder }, nil},
	{"GET /v1/orders", false, func(s *Server) http.HandlerFunc { return s.listOrders }, nil},
	{"GET /v1/orders/{order_no}", false, func(s *Server) http.HandlerFunc { return s.getOrder }, nil},
	{
		"POST /v1/orders/{order_no}/sub-orders/{n}/receipt",
		false,
		func(s *Server) http.HandlerFunc { return s.confirmReceipt },
		nil,
	},
	{
		"POST /v1/orders/{order_no}/sub-orders/{n}/refunds",
		false,
		func(s *Server) http.HandlerFunc { return s.refund },
		nil,
	},
	{
		"GET /v1/orders/{order_no}/sub-orders/{n}/refunds/{refund_no}",
		false,
		func(s *Server) http.HandlerFunc { return s.getRefund },
		nil,
	},
	{
		"POST /v1/orders/{order_no}/sub-orders/{n}/topped-up",
		false,
		func(s *Server) http.HandlerFunc { return s.toppedUp },
		nil,
	},
	{"POST /v1/orders/{order_no}/resume", false, func(s *Server) http.HandlerFunc { return s.resume }, nil},
	{"POST /v1/merchants", false, func(s *Server) http.HandlerFunc { return s.registerMerchant }, nil},
	{"GET /v1/merchants/{id}", false, func(s *Server) http.HandlerFunc { return s.getMerchant }, nil},
	{"POST /v1/receivers", false, func(s *Server) http.HandlerFunc { return s.registerReceiver }, nil},
	{"GET /v1/receivers/{id}", false, func(s *Server) http.HandlerFunc { return s.getReceiver }, nil},
	{"DELETE /v1/receivers/{id}", false, func(s *Server) http.HandlerFunc { return s.removeReceiver }, nil},
	{"POST /v1/onboardings", false, func(s *Server) http.HandlerFunc { return s.onboard }, nil},
	{
		"POST /v1/onboardings/{id}/corrections",
		false,
		func(s *Server) http.HandlerFunc { return s.correctOnboarding },
		nil,
	},
	{"GET /v1/onboardings/{id}", false, func(s *Server) http.HandlerFunc { return s.getOnboarding }, nil},
	{"GET /v1/merchants/{id}/balance", false, func(s *Server) http.HandlerFunc { return s.merchantBalance }, nil},
	{
		"POST /codec/{op}",
		false,
		func(s *Server) http.HandlerFunc { return s.codec },
		[]string{"/codec/encode", "/codec/decode"},
	},
	{"POST /v1/merchants/{id}/withdrawals", false, func(s *Server) http.HandlerFunc { return s.withdraw }, nil},
	{
		"GET /v1/merchants/{id}/withdrawals/{no}",
		false,
		func(s *Server) http.HandlerFunc { return s.getWithdrawal },
		nil,
	},
	{"POST /v1/reconciliations", false, func(s *Server) http.HandlerFunc { return s.reconcile }, nil},
	{"GET /v1/reconciliations", false, func(s *Server) http.HandlerFunc { return s.getReconciliation }, nil},
	{
		"POST /v1/reconciliations/discrepancies/{id}/resolve",
		false,
		func(s *Server) http.HandlerFunc { return s.resolveDiscrepancy },
		nil,
	},
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range routes {
		if r.public {
			mux.HandleFunc(r.pattern, r.handle(s))
			continue
		}
		mux.Handle(r.pattern, s.authenticated(s.idempotent(r.handle(s))))
	}
	cors := codec.CORS(s.CodecOrigins, mux) // the UI's preflight is answered before authentication
	return wellFormed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/codec/") {
			cors.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}

// HTTPServer wraps Handler with the timeouts a public endpoint needs (slow clients cannot hold connections).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second, // an order's create waits on the channel through Temporal
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

type principalKey struct{}

// authenticated admits requests bearing one of the API keys; the key's digest names the caller for the
// idempotency store (the key itself is never stored or logged).
func (s *Server) authenticated(next http.Handler) http.Handler {
	digests := make([][32]byte, len(s.APIKeys))
	for i, k := range s.APIKeys {
		digests[i] = sha256.Sum256([]byte(k))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token))
		match := -1
		for i, d := range digests {
			if subtle.ConstantTimeCompare(got[:], d[:]) == 1 {
				match = i
			}
		}
		if !ok || token == "" || match < 0 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="splitpay"`)
			writeError(
				w,
				http.StatusUnauthorized,
				"UNAUTHENTICATED",
				"a valid API key is required: Authorization: Bearer <key>",
				"",
			)
			return
		}
		principal := hex.EncodeToString(got[:8])
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, principal)))
	})
}

// healthStatus is the body of /healthz: one field per dependency, "ok" or the error.
type healthStatus struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Temporal string `json:"temporal"`
}

// healthz reports whether PostgreSQL and Temporal answer; 503 when either does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	st := healthStatus{Status: "ok", Database: "ok", Temporal: "ok"}
	if err := s.DB.Ping(ctx); err != nil {
		st.Status, st.Database = "unavailable", err.Error()
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		st.Status, st.Temporal = "unavailable", err.Error()
	}
	code := http.StatusOK
	if st.Status != "ok" {
		code = http.StatusServiceUnavailable
		s.Logger.Warn("health check failed", "database", st.Database, "temporal", st.Temporal)
	}
	writeJSON(w, code, st)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
