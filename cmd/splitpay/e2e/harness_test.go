// Package e2e runs SplitPay end to end on the dev stack: the real Temporal dev server, a fresh PostgreSQL
// database per test, the WeChat Pay simulator speaking the wire protocol, and the HTTP API in front — the
// same assembly `splitpay dev` runs (internal/stack).
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/worker"
	"github.com/splitpay/splitpay/workflows"
)

// fastSettings shrink the lifecycle's days to seconds; the time-skipping unit tests cover the real ones.
var fastSettings = workflows.OrderSettings{PaymentWindow: 2 * time.Minute, QueryAfter: 3 * time.Second,
	AutoConfirmAfter: 2 * time.Second, SharePollFirst: 200 * time.Millisecond, SharePollMax: time.Second}

var (
	fastOnboarding = workflows.OnboardingSettings{
		PollFirst:   100 * time.Millisecond,
		PollMax:     500 * time.Millisecond,
		GiveUpAfter: 10 * time.Minute,
	}
	fastReconcile = workflows.ReconcileSettings{PollFirst: 200 * time.Millisecond, PollMax: time.Second,
		BillDeadline: 5 * time.Minute, WaitForOps: 5 * time.Minute}
	// fastWebhooks retry a delivery for 10 seconds before its dead letter.
	fastWebhooks = workflows.WebhookSettings{FirstRetry: 100 * time.Millisecond, MaxRetry: time.Second,
		Window: 10 * time.Second, KeepDead: 10 * time.Minute}
	fastWithdrawal = workflows.WithdrawalSettings{
		PollFirst:   100 * time.Millisecond,
		PollMax:     500 * time.Millisecond,
		BounceWatch: 6 * time.Second, // room for a test to bounce one under load
	}
)

type harness struct {
	t      *testing.T
	s      *stack.Stack
	api    *api.Client
	prefix string      // order numbers start with it: the Temporal namespace is shared between runs
	logs   *syncBuffer // every log line of the stack, at debug level
}

// syncBuffer is a bytes.Buffer safe for the stack's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fanout sends each record to every handler that wants its level.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			_ = h.Handle(ctx, r.Clone())
		}
	}
	return nil
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// Shops and receivers every test registers: two merchants, the platform, two distributors and a supplier.
const (
	shop1, shop2 = "1900000109", "1900000110"
	supplierMch  = "1900000999"
)

func start(t *testing.T, settings workflows.OrderSettings) *harness {
	t.Helper()
	return startWith(t, settings, nil, worker.Deployment{})
}

// startMetered is start with metrics: the SDK's through the Temporal client, SplitPay's through the stack.
func startMetered(t *testing.T, settings workflows.OrderSettings) (*harness, *metrics.Metrics) {
	t.Helper()
	m := metrics.New()
	t.Cleanup(m.Close)
	return startWith(t, settings, m, worker.Deployment{}), m
}

func startWith(t *testing.T, settings workflows.OrderSettings, m *metrics.Metrics, d worker.Deployment) *harness {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(fanout{slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}),
		slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	var sdkMetrics []client.MetricsHandler
	if m != nil {
		sdkMetrics = append(sdkMetrics, m.SDK())
	}
	tc := testenv.TemporalClient(t, sdkMetrics...)
	s, err := stack.Start(t.Context(), stack.Options{DB: testenv.MigratedPool(t), Temporal: tc,
		TaskQueue: "e2e-" + testenv.RandomID(), Settings: settings, Onboarding: fastOnboarding,
		Withdrawal: fastWithdrawal, Reconcile: fastReconcile, Webhooks: fastWebhooks, Logger: logger,
		ForgedAlert: api.ForgedAlert{Count: 2, Window: time.Minute},
		Codec:       testenv.Keyring(t).HTTPHandler(), Metrics: m, Deployment: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	t.Cleanup(func() { keepLogsIfFailed(t, logs) })
	h := &harness{t: t, s: s, api: s.Client(), prefix: "E" + strings.ToUpper(testenv.RandomID()[:8]), logs: logs}
	s.Sim.AddSubMerchant(shop1)
	s.Sim.AddSubMerchant(shop2)
	h.post("/v1/merchants", registry.MerchantRequest{ID: "m1", SubMchID: shop1, DisplayName: "Tea House"}, nil)
	h.post("/v1/merchants", registry.MerchantRequest{ID: "m2", SubMchID: shop2, DisplayName: "Cup Works"}, nil)
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: stack.SimSpMchID, Name: "SplitPay Platform Ltd", Relation: "PLATFORM"},
		{ID: "d1", Type: channels.ReceiverPersonal, Account: "o-l1-openid", Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "d2", Type: channels.ReceiverPersonal, Account: "o-l2-openid", Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "s1", Type: channels.ReceiverMerchant, Account: supplierMch, Name: "Leaf Supply Co", Relation: "SUPPLIER"},
	} {
		h.post("/v1/receivers", r, nil)
	}
	return h
}

// keepLogsIfFailed writes a failed test's stack logs (debug level) to SPLITPAY_ARTIFACTS, where CI keeps them.
func keepLogsIfFailed(t *testing.T, logs *syncBuffer) {
	dir := os.Getenv("SPLITPAY_ARTIFACTS")
	if !t.Failed() || dir == "" {
		return
	}
	path := filepath.Join(dir, "logs", strings.ReplaceAll(t.Name(), "/", "_")+".log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Log(err)
		return
	}
	if err := os.WriteFile(path, []byte(logs.String()), 0o644); err != nil {
		t.Log(err)
		return
	}
	t.Logf("the stack's logs: %s", path)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (h *harness) post(path string, in, out any) {
	h.t.Helper()
	if err := h.api.Do(h.t.Context(), http.MethodPost, path, "", in, out); err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
}

// allRefused sends each (forged) request and expects a 4xx for it.
func (h *harness) allRefused(reqs map[string]*http.Request) {
	h.t.Helper()
	for name, req := range reqs {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			h.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 4 {
			h.t.Errorf("%s: answered %d", name, resp.StatusCode)
		}
	}
}

// atOnce runs do(0..n-1) concurrently, as n buyers would, and fails the test on any error.
func (h *harness) atOnce(n int, do func(i int) error) {
	h.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() { errs <- do(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) orderNo(i int) string { return fmt.Sprintf("%s%04d", h.prefix, i) }

// cart is the standard two-shop order: shop 1 with a 10-yuan platform coupon and four receivers, shop 2 with two.
func (h *harness) cart(orderNo string) starter.CreateOrderRequest {
	all := []cart.CommissionRequest{{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "d1", Rate: "0.10"},
		{ReceiverID: "d2", Rate: "0.05"}, {ReceiverID: "s1", Rate: "0.03"}}
	return starter.CreateOrderRequest{OrderNo: orderNo, SubOrders: []cart.SubOrderRequest{
		{MerchantID: "m1", Description: "Longjing tea 250g", Amount: 19000, Subsidy: 1000, Commissions: all},
		{MerchantID: "m2", Description: "Celadon cups", Amount: 8800, Commissions: all[:2]},
	}}
}

// paidCart creates the standard two-shop order under no and pays it in the simulator.
func (h *harness) paidCart(no string) {
	h.t.Helper()
	h.create(h.cart(no))
	if err := h.s.Sim.Pay(no); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) create(req starter.CreateOrderRequest) starter.Order {
	h.t.Helper()
	var o starter.Order
	h.post("/v1/orders", req, &o)
	return o
}

func (h *harness) order(orderNo string) api.OrderView {
	h.t.Helper()
	var v api.OrderView
	if err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/orders/"+orderNo, "", nil, &v); err != nil {
		h.t.Fatalf("GET order %s: %v", orderNo, err)
	}
	return v
}

// waitFor polls the order until cond holds, failing after the deadline with the last state. A 503 (the live
// query timed out on a busy worker) is what a client retries, so the poll does too.
func (h *harness) waitFor(
	orderNo string,
	within time.Duration,
	what string,
	cond func(api.OrderView) bool,
) api.OrderView {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var v api.OrderView
		err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/orders/"+orderNo, "", nil, &v)
		var apiErr *api.Error
		switch {
		case err == nil && !v.Stale && cond(v): // a stale view (no worker answered in time) lacks the detail tests read
			return v
		case err != nil && !(errors.As(err, &apiErr) && apiErr.Status == http.StatusServiceUnavailable):
			h.t.Fatalf("GET order %s: %v", orderNo, err)
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("order %s: not %s within %s; last state %+v (%v)", orderNo, what, within, v, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func completed(v api.OrderView) bool { return v.Status == workflows.StatusCompleted }

// awaitingReceipt: every sub-order's workflow runs and waits for the shop.
func awaitingReceipt(v api.OrderView) bool {
	for _, s := range v.SubOrders {
		if s.WaitingFor != "shop:receipt" {
			return false
		}
	}
	return true
}

// ledgerMatchesChannel checks every party's balance in the ledger against the simulator's, the trial
// balance, and each sub-order's conservation.
func (h *harness) ledgerMatchesChannel(orderNos ...string) {
	h.t.Helper()
	ctx := context.Background()
	l := h.s.Ledger
	for id, sub := range map[string]string{"m1": shop1, "m2": shop2} {
		bals, err := l.MerchantBalances(ctx, channels.WeChatPay, id)
		if err != nil {
			h.t.Fatal(err)
		}
		sim := h.s.Sim.Balance(sub)
		if bals[ledger.BucketFrozen].Fen() != sim.Frozen || bals[ledger.BucketAvailable].Fen() != sim.Available {
			h.t.Errorf("merchant %s: ledger %v, channel %+v", id, bals, sim)
		}
	}
	for id, acct := range map[string][2]string{"d1": {channels.ReceiverPersonal, "o-l1-openid"}, "d2": {channels.ReceiverPersonal, "o-l2-openid"},
		"s1": {channels.ReceiverMerchant, supplierMch}} {
		b, _ := l.Balance(ctx, ledger.ReceiverCommission(channels.WeChatPay, id))
		if want := h.s.Sim.ReceiverBalance(acct[0], acct[1]); b.Fen() != want {
			h.t.Errorf("receiver %s: ledger %s, channel %d", id, b, want)
		}
	}
	pc, _ := l.Balance(ctx, ledger.PlatformCommission(channels.WeChatPay))
	if want := h.s.Sim.ReceiverBalance(channels.ReceiverMerchant, stack.SimSpMchID); pc.Fen() != want {
		h.t.Errorf("platform commission: ledger %s, channel %d", pc, want)
	}
	h.booksBalance(orderNos...)
}

// booksBalance checks the ledger's trial balance and that each order's two sub-orders conserve money.
func (h *harness) booksBalance(orderNos ...string) {
	h.t.Helper()
	ctx, l := h.t.Context(), h.s.Ledger
	diffs, trial, err := l.Check(ctx)
	if err != nil || len(diffs) > 0 || trial != 0 {
		h.t.Errorf("ledger check: %v, trial %s, %v", diffs, trial, err)
	}
	for _, no := range orderNos {
		for n := 1; n <= 2; n++ {
			t, err := l.SubOrderTotals(ctx, no, workflows.SubOrderNo(no, n))
			if err != nil || t.Conserved() != nil {
				h.t.Errorf("%s sub-order %d: %+v %v %v", no, n, t, err, t.Conserved())
			}
		}
	}
}
