package e2e

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The whole lifecycle through the HTTP API: create (repeat and conflict), pay in the simulator, confirm one
// sub-order, let the other auto-confirm, share, finish. The ledger then equals the channel to the fen.
func TestOrderLifecycleThroughTheAPI(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = 5 * time.Second
	h := start(t, settings)
	ctx := t.Context()
	no := h.orderNo(1)
	o := h.create(h.cart(no))
	if o.Status != workflows.StatusAwaitingPayment || o.Payment.CodeURL == "" {
		t.Fatalf("created %+v", o)
	}
	createIsIdempotentAndGuarded(t, h, no, o)

	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 20*time.Second, "awaiting receipt", awaitingReceipt)
	var sub api.SubOrderView
	h.post(
		"/v1/orders/"+no+"/sub-orders/1/receipt",
		starter.ConfirmReceiptRequest{ConfirmedBy: "shop-backend", Note: "delivered"},
		&sub,
	)
	if sub.ConfirmedBy != workflows.ConfirmedByShop {
		t.Errorf("receipt answered %+v", sub)
	}
	v := h.waitFor(no, 30*time.Second, "completed", completed)
	if v.PaidBy != "notification" || len(v.SubOrders) != 2 {
		t.Errorf("order %+v", v)
	}
	// Shop 1: base 190 + 10 subsidy = 200 → platform 10, d1 20, d2 10, supplier 6 = 46 shared, 154 settled.
	if s := v.SubOrders[0]; s.Shared != 4600 || s.Settled != 15400 || s.Status != workflows.StatusCompleted {
		t.Errorf("sub-order 1: %+v", s)
	}
	// Shop 2: 88 → platform 4.40, d1 8.80 = 13.20 shared, 74.80 settled; confirmed automatically.
	if s := v.SubOrders[1]; s.Shared != 1320 || s.Settled != 7480 || s.ConfirmedBy != workflows.ConfirmedByAutoConfirm {
		t.Errorf("sub-order 2: %+v", s)
	}
	h.ledgerMatchesChannel(no)
	// The shop's backend repeats its confirmation after the sub-order ended: the answer is its final state.
	h.post("/v1/orders/"+no+"/sub-orders/1/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "shop-backend"}, &sub)
	if sub.Status != workflows.StatusCompleted || sub.ConfirmedBy != workflows.ConfirmedByShop {
		t.Errorf("a repeated receipt after the end answered %+v", sub)
	}
	h.saveHistories(
		"lifecycle",
		workflows.OrderWorkflowID(no),
		workflows.SubOrderWorkflowID(no, 1),
		workflows.SubOrderWorkflowID(no, 2),
	)

	var list struct{ Orders []api.OrderRow }
	if err := h.api.Do(ctx, http.MethodGet, "/v1/orders?status=COMPLETED", "", nil, &list); err != nil ||
		len(list.Orders) != 1 ||
		list.Orders[0].OrderNo != no {
		t.Errorf("list: %+v %v", list, err)
	}
}

// createIsIdempotentAndGuarded: the same request again is the same order; another cart under the number is
// refused; a receipt before payment is a conflict, not a lost signal.
func createIsIdempotentAndGuarded(t *testing.T, h *harness, no string, o starter.Order) {
	ctx := t.Context()
	if again := h.create(h.cart(no)); again.Payment != o.Payment {
		t.Errorf("repeat gave %+v, first %+v", again, o)
	}
	other := h.cart(no)
	other.SubOrders[1].Amount = 1
	var apiErr *api.Error
	if err := h.api.Do(ctx, http.MethodPost, "/v1/orders", "", other, nil); !errors.As(err, &apiErr) ||
		apiErr.Status != http.StatusConflict {
		t.Errorf("another cart under %s: %v", no, err)
	}
	receipt := starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}
	err := h.api.Do(ctx, http.MethodPost, "/v1/orders/"+no+"/sub-orders/1/receipt", "", receipt, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("receipt before payment: %v", err)
	}
}

// Twenty orders at once, with every notification delivered twice and preceded by a signature probe: all
// complete, each payment is posted once, and the ledger equals the channel.
func TestTwentyOrdersAtOnceWithDuplicateNotifications(t *testing.T) {
	h := start(t, fastSettings)
	h.s.Sim.SetFaults(wxsim.Faults{DuplicateNotify: true, ProbeSignatures: true})
	const n = 20
	h.atOnce(n, func(i int) error {
		no := h.orderNo(i)
		if err := h.api.Do(context.Background(), http.MethodPost, "/v1/orders", "", h.cart(no), nil); err != nil {
			return err
		}
		return h.s.Sim.Pay(no)
	})
	var nos []string
	for i := range n {
		nos = append(nos, h.orderNo(i))
		v := h.waitFor(h.orderNo(i), 90*time.Second, "completed", completed)
		if v.PaidBy != "notification" {
			t.Errorf("%s paid by %q", v.OrderNo, v.PaidBy)
		}
	}
	h.s.Sim.Wait() // every duplicate delivered
	var payments int
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT count(*) FROM postings WHERE kind = 'payment'`).Scan(&payments); err != nil ||
		payments != 2*n {
		t.Errorf("payment postings = %d (want %d) %v", payments, 2*n, err)
	}
	h.ledgerMatchesChannel(nos...)
}

// A lost notification is found by the workflow's own query.
func TestLostNotificationIsFoundByQuery(t *testing.T) {
	h := start(t, fastSettings)
	h.s.Sim.SetFaults(wxsim.Faults{DropNotifications: true})
	no := h.orderNo(1)
	h.paidCart(no)
	v := h.waitFor(no, 60*time.Second, "completed", completed)
	if v.PaidBy != "query" {
		t.Errorf("paid by %q", v.PaidBy)
	}
	h.ledgerMatchesChannel(no)
	h.saveHistories("lost-notification", workflows.OrderWorkflowID(no))
}

// A notification the API acknowledged but could not signal (Temporal out of reach, or the process dying between
// the two) stays in the inbox with its signal, and the relay's sweep delivers it: the order is paid by the
// notification, well before it would have asked the channel.
func TestAcknowledgedNotificationIsDeliveredBySweep(t *testing.T) {
	settings := fastSettings
	settings.QueryAfter = 10 * time.Minute
	h := start(t, settings)
	h.s.Sim.SetFaults(wxsim.Faults{DropNotifications: true})
	no := h.orderNo(1)
	h.paidCart(no)
	url, body, header, err := h.s.Sim.PaymentNotification(no)
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.s.WeChat.ParseNotification(t.Context(), channels.Inbound{Header: header, Body: body})
	if err != nil {
		t.Fatal(err, url)
	}
	unreachable, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer unreachable.Close()
	cut := &starter.Client{Temporal: unreachable, Records: h.s.Registry} // signals synchronously, and fails
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := cut.Notified(ctx, "wechatpay", n); err == nil {
		t.Fatal("the signal went through an unreachable Temporal")
	}
	v := h.waitFor(no, 60*time.Second, "paid", func(v api.OrderView) bool { return v.PaidAt != nil })
	if v.PaidBy != "notification" {
		t.Errorf("paid by %q, not by the swept notification", v.PaidBy)
	}
	var delivered bool
	if err := h.s.DB().QueryRow(t.Context(), `SELECT delivered_at IS NOT NULL FROM inbox WHERE event_id = $1`,
		n.ID).Scan(&delivered); err != nil || !delivered {
		t.Errorf("inbox: delivered %v, %v", delivered, err)
	}
}

// An order nobody pays is closed at the channel when the payment window passes; paying it later fails there.
func TestUnpaidOrderIsClosed(t *testing.T) {
	settings := fastSettings
	settings.PaymentWindow = 2 * time.Second
	h := start(t, settings)
	no := h.orderNo(1)
	h.create(h.cart(no))
	v := h.waitFor(
		no,
		30*time.Second,
		"closed",
		func(v api.OrderView) bool { return v.Status == workflows.StatusClosed },
	)
	if v.PaidBy != "" {
		t.Errorf("closed order %+v", v)
	}
	if err := h.s.Sim.Pay(no); err == nil {
		t.Error("the channel let a buyer pay a closed order")
	}
	var rows []api.OrderRow
	var list struct{ Orders []api.OrderRow }
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/orders?status=CLOSED", "", nil, &list); err == nil {
		rows = list.Orders
	}
	if len(rows) != 1 || rows[0].OrderNo != no || rows[0].Paid != 0 {
		t.Errorf("read model: %+v", rows)
	}
	h.saveHistories("closed", workflows.OrderWorkflowID(no))
}

// Forged notifications get 4xx and change nothing: the order stays unpaid.
func TestForgedNotificationsChangeNothing(t *testing.T) {
	h := start(t, fastSettings)
	no := h.orderNo(1)
	h.create(h.cart(no))
	url := h.s.APIURL + "/notify/wechatpay/transaction"
	paid := []byte(`{"combine_out_trade_no":"` + no + `","sub_orders":[]}`)
	wrongKey, _ := h.s.Sim.Envelope(
		&wxsim.Platform{APIv3Key: "00000000000000000000000000000000"},
		"TRANSACTION.SUCCESS",
		"transaction",
		paid,
	)
	probe, _ := h.s.Sim.SignedRequest(url, wrongKey, true)
	bad, _ := h.s.Sim.SignedRequest(url, wrongKey, false)
	unsigned, _ := http.NewRequest(http.MethodPost, url, nil)
	h.allRefused(map[string]*http.Request{"probe signature": probe, "wrong APIv3 key": bad, "unsigned": unsigned})
	if v := h.order(no); v.Status != workflows.StatusAwaitingPayment || v.PaidBy != "" {
		t.Errorf("after forgeries: %+v", v)
	}
	var inbox int
	_ = h.s.API.DB.QueryRow(t.Context(), `SELECT count(*) FROM inbox`).Scan(&inbox)
	if inbox != 0 {
		t.Errorf("%d forged notifications reached the inbox", inbox)
	}
}

// The worker is stopped mid-order and a new one started: the order completes and nothing is posted twice.
func TestWorkerRestartedMidOrder(t *testing.T) {
	h, no := startAwaitingReceipt(t)
	h.s.StopWorker()
	// With no worker, a shop that gives up after 2 s (before the API falls back to a signal) repeats later.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	err := h.api.Do(
		ctx,
		http.MethodPost,
		"/v1/orders/"+no+"/sub-orders/1/receipt",
		"",
		starter.ConfirmReceiptRequest{ConfirmedBy: "shop"},
		nil,
	)
	cancel()
	if err == nil {
		t.Log("receipt confirmed although the worker was stopped (a poller was still draining)")
	}
	if err := h.s.StartWorker(); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		h.post(
			"/v1/orders/"+no+"/sub-orders/"+string(rune('0'+n))+"/receipt",
			starter.ConfirmReceiptRequest{ConfirmedBy: "shop"},
			nil,
		)
	}
	h.waitFor(no, 30*time.Second, "completed", completed)
	h.saveHistories("worker-restart", workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 1))
	// Exactly one posting per money event: 2 payments, 1 subsidy, 1 sharing request per sub-order, 2 finishes.
	var kinds string
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind) FROM
		(SELECT kind, count(*) n FROM postings WHERE order_no = $1 GROUP BY kind) k`, no).Scan(&kinds); err != nil ||
		kinds != "finish=2 payment=2 sharing=2 subsidy=1" {
		t.Errorf("postings by kind: %q %v", kinds, err)
	}
	h.ledgerMatchesChannel(no)
}

// Shop events and reads survive a worker outage (a deploy): with every worker stopped, the shop's receipt
// confirmation is accepted (202) and kept by the server as a signal, and a read answers the read model's view
// marked stale instead of a 503. Once a worker runs again, the confirmations apply and the order completes.
func TestReceiptAndReadsDuringAWorkerOutage(t *testing.T) {
	h, no := startAwaitingReceipt(t)
	h.s.StopWorker()
	for n := 1; n <= 2; n++ {
		resp, body := rawPost(
			t,
			h.s.APIURL+"/v1/orders/"+no+"/sub-orders/"+strconv.Itoa(n)+"/receipt",
			h.s.APIKey,
			"",
			`{"confirmed_by":"shop"}`,
		)
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			t.Fatalf("receipt %d with no worker: %d %s", n, resp.StatusCode, body)
		}
		if resp.StatusCode == http.StatusOK {
			t.Logf("receipt %d applied by a worker still draining", n)
		}
	}
	var v api.OrderView
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/orders/"+no, "", nil, &v); err != nil {
		t.Fatalf("read with no worker: %v", err)
	}
	if !v.Stale || v.OrderNo != no || v.Status != workflows.StatusPaid {
		t.Errorf("read with no worker: stale %v, %s %s", v.Stale, v.OrderNo, v.Status)
	}
	if err := h.s.StartWorker(); err != nil {
		t.Fatal(err)
	}
	v = h.waitFor(no, 60*time.Second, "completed", completed)
	for _, s := range v.SubOrders {
		if s.ConfirmedBy != workflows.ConfirmedByShop {
			t.Errorf("sub-order %d confirmed by %q, want the shop", s.N, s.ConfirmedBy)
		}
	}
	h.ledgerMatchesChannel(no)
	h.saveHistories("receipt-signal", workflows.SubOrderWorkflowID(no, 1))
}

// startAwaitingReceipt starts a stack whose shops confirm receipt themselves (auto-confirm is an hour away) and
// an order paid and awaiting receipt on it.
func startAwaitingReceipt(t *testing.T) (*harness, string) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour
	h := start(t, settings)
	no := h.orderNo(1)
	h.paidCart(no)
	h.waitFor(no, 20*time.Second, "awaiting receipt", awaitingReceipt)
	return h, no
}
