// Package api is SplitPay's HTTP server: the JSON API for non-Go backends, the channels' notification
// endpoints, health checks and the OpenAPI document. It authenticates callers, verifies notifications, and
// limits request sizes and times; handlers call the starter.
package api

import (
	"context"
	_ "embed"
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
	"github.com/splitpay/splitpay/webhooks"
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
	// APIKeys are the bootstrap keys (SPLITPAY_API_KEYS): bearer tokens with every scope, at BootstrapRate.
	// Least-privilege keys are made through /v1/keys (auth.go). None of either: every /v1 call is refused.
	APIKeys       []string
	BootstrapRate RateLimit // zero: 200 a second, bursts of 400
	// Codec serves Temporal's codec-server protocol (POST /codec/encode, /codec/decode) to holders of an API
	// key, so the Temporal UI and CLI can show sealed payloads. Nil: not served.
	Codec http.Handler
	// CodecOrigins are the browser origins (the Temporal UI's) allowed to call /codec, preflight included.
	CodecOrigins []string
	// Metrics counts notifications; nil counts nothing.
	Metrics *metrics.Metrics
	// Events publishes what the API itself sees (forged notifications above a rate) and replays deliveries; nil
	// publishes nothing.
	Events *webhooks.Publisher
	// ForgedAlert is the rate of forged notifications that raises an alert; zero: 20 a minute.
	ForgedAlert ForgedAlert

	keys   *keyring // made by Handler
	forged forgedWindow
}

// Body limits: JSON requests are small; notifications smaller still.
const (
	maxRequestBytes      = 1 << 20
	maxNotificationBytes = 64 << 10
)

//go:embed openapi.json
var openAPI []byte

// route is one endpoint and the scope (auth.go) a key needs for it; public ones need no key (a channel
// authenticates by signature).
type route struct {
	pattern string
	scope   string
	handle  func(*Server, http.ResponseWriter, *http.Request)
	// documented lists the paths openapi.json describes for a pattern that serves several (default: the pattern's).
	documented []string
}

// public is the scope of the routes that need no key.
const public = ""

// routes is every endpoint; the OpenAPI document must describe each (a test checks).
var routes = []route{
	{"GET /healthz", public, (*Server).healthz, nil},
	{"GET /openapi.json", public, (*Server).serveOpenAPI, nil},
	{"POST /notify/{channel}/{kind}", public, (*Server).notify, nil},
	{"POST /notify/{channel}", public, (*Server).notify, nil},
	{"POST /v1/orders", ScopeOrders, (*Server).createOrder, nil},
	{"GET /v1/orders", ScopeOrders, (*Server).listOrders, nil},
	{"GET /v1/orders/{order_no}", ScopeOrders, (*Server).getOrder, nil},
	{"POST /v1/orders/{order_no}/sub-orders/{n}/receipt", ScopeOrders, (*Server).confirmReceipt, nil},
	{"POST /v1/orders/{order_no}/sub-orders/{n}/refunds", ScopeRefunds, (*Server).refund, nil},
	{"GET /v1/orders/{order_no}/sub-orders/{n}/refunds/{refund_no}", ScopeRefunds, (*Server).getRefund, nil},
	{"POST /v1/orders/{order_no}/sub-orders/{n}/topped-up", ScopeOps, (*Server).toppedUp, nil},
	{"POST /v1/orders/{order_no}/resume", ScopeOps, (*Server).resume, nil},
	{"POST /v1/merchants", ScopeMerchants, (*Server).registerMerchant, nil},
	{"GET /v1/merchants/{id}", ScopeMerchants, (*Server).getMerchant, nil},
	{"POST /v1/receivers", ScopeMerchants, (*Server).registerReceiver, nil},
	{"GET /v1/receivers/{id}", ScopeMerchants, (*Server).getReceiver, nil},
	{"DELETE /v1/receivers/{id}", ScopeMerchants, (*Server).removeReceiver, nil},
	{"POST /v1/onboardings", ScopeMerchants, (*Server).onboard, nil},
	{"POST /v1/onboardings/{id}/corrections", ScopeMerchants, (*Server).correctOnboarding, nil},
	{"GET /v1/onboardings/{id}", ScopeMerchants, (*Server).getOnboarding, nil},
	{"GET /v1/merchants/{id}/balance", ScopeFinance, (*Server).merchantBalance, nil},
	{"POST /codec/{op}", ScopeCodec, (*Server).codec, []string{"/codec/encode", "/codec/decode"}},
	{"POST /v1/merchants/{id}/withdrawals", ScopeFinance, (*Server).withdraw, nil},
	{"GET /v1/merchants/{id}/withdrawals/{no}", ScopeFinance, (*Server).getWithdrawal, nil},
	{"POST /v1/reconciliations", ScopeFinance, (*Server).reconcile, nil},
	{"GET /v1/reconciliations", ScopeFinance, (*Server).getReconciliation, nil},
	{"POST /v1/reconciliations/discrepancies/{id}/resolve", ScopeOps, (*Server).resolveDiscrepancy, nil},
	{"POST /v1/orders/{order_no}/review", ScopeOps, (*Server).review, nil},
	{"PUT /v1/risk/rules", ScopeOps, (*Server).putRiskRules, nil},
	{"GET /v1/risk/rules", ScopeOps, (*Server).getRiskRules, nil},
	{"POST /v1/webhooks", ScopeEvents, (*Server).subscribe, nil},
	{"GET /v1/webhooks", ScopeEvents, (*Server).listSubscriptions, nil},
	{"DELETE /v1/webhooks/{id}", ScopeEvents, (*Server).unsubscribe, nil},
	{"GET /v1/webhooks/deliveries", ScopeOps, (*Server).listDeliveries, nil},
	{"POST /v1/webhooks/deliveries/replay", ScopeOps, (*Server).replay, nil},
	{"POST /v1/keys", ScopeAdmin, (*Server).createKey, nil},
	{"GET /v1/keys", ScopeAdmin, (*Server).listKeys, nil},
	{"DELETE /v1/keys/{id}", ScopeAdmin, (*Server).revokeKey, nil},
	{"GET /v1/audit", ScopeOps, (*Server).auditTrail, nil},
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	s.keys = newKeyring(s.DB, s.APIKeys, s.BootstrapRate)
	mux := http.NewServeMux()
	for _, r := range routes {
		handle := func(w http.ResponseWriter, req *http.Request) { r.handle(s, w, req) }
		if r.scope == public {
			mux.HandleFunc(r.pattern, handle)
			continue
		}
		mux.Handle(r.pattern, s.admit(r, s.idempotent(handle)))
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

func (*Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
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
