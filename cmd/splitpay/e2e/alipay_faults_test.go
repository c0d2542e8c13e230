package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// Twenty Alipay orders at once, every notification delivered twice and out of order: each order completes,
// paid by notification, with one payment posting per trade.
func TestAlipayTwentyOrdersAtOnceWithDuplicateNotifications(t *testing.T) {
	h := start(t, fastSettings)
	h.onAlipay()
	h.s.AliSim.SetFaults(alisim.Faults{Common: alisim.Common{DuplicateNotify: true,
		ReorderNotify: 300 * time.Millisecond}})
	const n = 20
	h.atOnce(n, func(i int) error {
		req := h.aliCart(h.orderNo(i))
		if err := h.api.Do(context.Background(), http.MethodPost, "/v1/orders", "", req, nil); err != nil {
			return err
		}
		return h.s.AliSim.Pay(req.OrderNo)
	})
	var nos []string
	for i := range n {
		nos = append(nos, h.orderNo(i))
		if v := h.waitFor(h.orderNo(i), 120*time.Second, "completed", completed); v.PaidBy != "notification" {
			t.Errorf("%s paid by %q", v.OrderNo, v.PaidBy)
		}
	}
	h.s.AliSim.Wait() // every duplicate delivered
	var payments int
	if err := h.s.API.DB.QueryRow(t.Context(),
		`SELECT count(*) FROM postings WHERE kind = 'payment' AND idempotency_key LIKE 'alipay:%'`).
		Scan(&payments); err != nil || payments != 2*n {
		t.Errorf("Alipay payment postings = %d (want %d) %v", payments, 2*n, err)
	}
	h.aliLedgerMatches(nos...)
}

// Lost notifications: the order asks Alipay about each trade itself.
func TestAlipayLostNotificationIsFoundByQuery(t *testing.T) {
	h := start(t, fastSettings)
	h.onAlipay()
	h.s.AliSim.SetFaults(alisim.Faults{Common: alisim.Common{DropNotifications: true}})
	no := h.orderNo(1)
	h.aliPaid(h.aliCart(no))
	if v := h.waitFor(no, 60*time.Second, "completed", completed); v.PaidBy != "query" {
		t.Errorf("paid by %q", v.PaidBy)
	}
	h.aliLedgerMatches(no)
}

// Forged Alipay notifications — a signed form with its status changed, a form without a signature, one signed
// with a stranger's key, garbage — get 4xx and change nothing; a genuine one delivered twice pays the order
// once and is kept once per trade in the inbox.
func TestAlipayForgedAndDuplicatedNotifications(t *testing.T) {
	settings := fastSettings
	settings.QueryAfter = time.Hour // only a notification can pay the order
	h := start(t, settings)
	h.onAlipay()
	no := h.orderNo(1)
	h.create(h.aliCart(no))
	genuine, ok := h.s.AliSim.Notification(wire.OutNo(workflows.SubOrderNo(no, 1), wire.MaxOutTradeNo))
	if !ok {
		t.Fatal("no trade at alisim")
	}
	tampered := cloneForm(genuine)
	tampered.Set("trade_status", wire.TradeSuccess)
	unsigned := cloneForm(tampered)
	unsigned.Del("sign")
	stranger := cloneForm(tampered)
	stranger.Set("sign", strings.Repeat("A", 344))
	forms := map[string]*http.Request{}
	for name, body := range map[string]string{"status changed": tampered.Encode(), "unsigned": unsigned.Encode(),
		"a stranger's signature": stranger.Encode(), "garbage": "%%%"} {
		forms[name], _ = http.NewRequest(http.MethodPost, h.s.APIURL+"/notify/alipay", strings.NewReader(body))
		forms[name].Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	h.allRefused(forms)
	if v := h.order(no); v.Status != workflows.StatusAwaitingPayment || v.PaidBy != "" {
		t.Errorf("after forgeries: %+v", v)
	}
	h.s.AliSim.SetFaults(alisim.Faults{Common: alisim.Common{DuplicateNotify: true}})
	if err := h.s.AliSim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 60*time.Second, "completed", completed)
	h.s.AliSim.Wait()
	var inbox int
	_ = h.s.API.DB.QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE channel = 'alipay'`).Scan(&inbox)
	if inbox != 2 {
		t.Errorf("inbox holds %d Alipay notifications, want one per trade", inbox)
	}
	h.aliLedgerMatches(no)
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// The worker is stopped while an Alipay order waits for receipt and another is started: the order completes,
// and every money event is posted once.
func TestAlipayWorkerRestartedMidOrder(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour
	h := start(t, settings)
	h.onAlipay()
	no := h.orderNo(1)
	h.aliPaid(h.aliCart(no))
	h.waitFor(no, 30*time.Second, "awaiting receipt", awaitingReceipt)
	h.s.StopWorker()
	time.Sleep(time.Second)
	if err := h.s.StartWorker(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1", "2"} {
		h.post("/v1/orders/"+no+"/sub-orders/"+n+"/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}, nil)
	}
	h.waitFor(no, 60*time.Second, "completed", completed)
	var kinds string
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind) FROM
		(SELECT kind, count(*) n FROM postings WHERE order_no = $1 GROUP BY kind) k`, no).Scan(&kinds); err != nil ||
		kinds != "finish=2 payment=2 sharing=2" {
		t.Errorf("postings by kind: %q %v", kinds, err)
	}
	h.aliLedgerMatches(no)
	h.saveHistories("alipay-worker-restart", workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 2))
}
