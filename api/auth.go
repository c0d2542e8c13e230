package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/time/rate"
)

// Scopes are what a key may do; every /v1 and /codec route needs one (routes in api.go).
const (
	ScopeOrders    = "orders"    // create, read and confirm orders
	ScopeRefunds   = "refunds"   // refund, and read refunds
	ScopeMerchants = "merchants" // merchants, receivers and onboarding (whose bodies hold personal data)
	ScopeFinance   = "finance"   // balances, withdrawals, reconciliation
	ScopeOps       = "ops"       // resume, topped-up, resolve, review; read the audit trail
	ScopeCodec     = "codec"     // open and seal Temporal payloads (the UI's codec: every payload, PII included)
	ScopeEvents    = "events"    // subscribe to signed events (webhooks)
	ScopeAdmin     = "admin"     // make, list and revoke keys
)

// Scopes lists every scope.
var Scopes = []string{ScopeOrders, ScopeRefunds, ScopeMerchants, ScopeFinance, ScopeOps, ScopeCodec, ScopeEvents,
	ScopeAdmin}

// RateLimit is a key's allowance: PerSecond on average, Burst at once.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// defaultRate is the bootstrap keys' allowance when Server.BootstrapRate is zero.
var defaultRate = RateLimit{PerSecond: 200, Burst: 400}

// caller is an authenticated key: its id (the audit trail's actor, the idempotency store's principal), its
// scopes and its allowance.
type caller struct {
	ID     string
	Scopes []string
	Rate   RateLimit
}

func (c caller) may(scope string) bool { return slices.Contains(c.Scopes, scope) }

// keyring finds the caller of a bearer secret: the bootstrap keys (SPLITPAY_API_KEYS, every scope) in memory,
// the keys made through /v1/keys in PostgreSQL, read on every request so that a revoked key is refused at once.
// It holds each key's rate limiter (per API process).
type keyring struct {
	db        *pgxpool.Pool
	bootstrap map[[32]byte]caller
	mu        sync.Mutex
	limiters  map[string]*rate.Limiter
}

func newKeyring(db *pgxpool.Pool, secrets []string, limit RateLimit) *keyring {
	if limit.PerSecond <= 0 || limit.Burst <= 0 {
		limit = defaultRate
	}
	k := &keyring{db: db, bootstrap: map[[32]byte]caller{}, limiters: map[string]*rate.Limiter{}}
	for _, s := range secrets {
		d := sha256.Sum256([]byte(s))
		k.bootstrap[d] = caller{ID: bootstrapKeyID(d), Scopes: Scopes, Rate: limit}
	}
	return k
}

// bootstrapKeyID names a SPLITPAY_API_KEYS key by its digest's first bytes, never by the key.
func bootstrapKeyID(digest [32]byte) string { return "env-" + hex.EncodeToString(digest[:6]) }

// find answers the caller of secret; found is false for an unknown or revoked key.
func (k *keyring) find(ctx context.Context, secret string) (c caller, found bool, err error) {
	d := sha256.Sum256([]byte(secret))
	for digest, c := range k.bootstrap {
		if subtle.ConstantTimeCompare(d[:], digest[:]) == 1 {
			return c, true, nil
		}
	}
	if k.db == nil {
		return c, false, nil
	}
	err = k.db.QueryRow(ctx, `SELECT id, scopes, rate_per_second::float8, burst FROM api_keys
		WHERE digest = $1 AND revoked_at IS NULL`, d[:]).Scan(&c.ID, &c.Scopes, &c.Rate.PerSecond, &c.Rate.Burst)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// wait answers how long c must wait before its next request: zero when it may go now (and the request is
// counted).
func (k *keyring) wait(c caller) float64 {
	k.mu.Lock()
	l, ok := k.limiters[c.ID]
	if !ok {
		l = rate.NewLimiter(rate.Limit(c.Rate.PerSecond), c.Rate.Burst)
		k.limiters[c.ID] = l
	}
	k.mu.Unlock()
	r := l.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d.Seconds()
	}
	return 0
}

type principalKey struct{}

// callerOf is the key a request was admitted with.
func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(principalKey{}).(caller)
	return c
}

// admit lets a request through to next when it bears a known key (401) that holds the route's scope (403) and
// is within its rate (429 with Retry-After). Commands (/v1 requests other than GET) are written to the audit
// trail before they run, and their answers after.
func (s *Server) admit(rt route, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		c, found, err := s.keys.find(r.Context(), token)
		switch {
		case err != nil:
			s.fail(w, r, err)
			return
		case !ok || token == "" || !found:
			w.Header().Set("WWW-Authenticate", `Bearer realm="splitpay"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED",
				"a valid API key is required: Authorization: Bearer <key>", "")
			return
		case !c.may(rt.scope):
			writeError(w, http.StatusForbidden, "FORBIDDEN",
				fmt.Sprintf("key %s lacks the scope %q this route needs", c.ID, rt.scope), "Authorization")
			return
		}
		if wait := s.keys.wait(c); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
			writeError(w, http.StatusTooManyRequests, "RATE_LIMITED",
				fmt.Sprintf("key %s is over its rate of %g requests a second", c.ID, c.Rate.PerSecond), "")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, c))
		if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/") {
			s.audited(rt, next)(w, r)
			return
		}
		next(w, r)
	})
}
