package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The same parties on Alipay: each shop's smid and settlement account, the platform's Alipay account, the two
// distributors' and the supplier's Alipay user ids.
const (
	aliShop1, aliShop2   = "2088000000001091", "2088000000001101"
	aliSettle1           = "2088000000002091"
	aliSettle2           = "2088000000002101"
	aliPlatform          = stack.SimAlipayPlatform
	aliD1, aliD2, aliSup = "2088000000000201", "2088000000000202", "2088000000000999"
)

var aliAccounts = map[string]string{"platform": aliPlatform, "d1": aliD1, "d2": aliD2, "s1": aliSup}

// onAlipay registers m1, m2 and the four receivers on Alipay too, under the same ids.
func (h *harness) onAlipay() {
	h.t.Helper()
	h.post("/v1/merchants", registry.MerchantRequest{ID: "m1", Channel: channels.Alipay, SubMchID: aliShop1,
		SettleAccount: aliSettle1, DisplayName: "Tea House"}, nil)
	h.post("/v1/merchants", registry.MerchantRequest{ID: "m2", Channel: channels.Alipay, SubMchID: aliShop2,
		SettleAccount: aliSettle2, DisplayName: "Cup Works"}, nil)
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Name: "SplitPay Platform Ltd", Relation: "PLATFORM"},
		{ID: "d1", Type: channels.ReceiverPersonal, Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "d2", Type: channels.ReceiverPersonal, Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "s1", Type: channels.ReceiverMerchant, Name: "Leaf Supply Co", Relation: "SUPPLIER"},
	} {
		r.Channel, r.Account = channels.Alipay, aliAccounts[r.ID]
		h.post("/v1/receivers", r, nil)
	}
}

// aliCart is the standard two-shop order on Alipay, paid on a desktop page: no platform subsidy (Alipay
// orders take none), the same four receivers on shop 1 and two on shop 2.
func (h *harness) aliCart(no string) starter.CreateOrderRequest {
	req := h.cart(no)
	req.Channel, req.Scene = channels.Alipay, channels.SceneAlipayPage
	req.SubOrders[0].Subsidy = 0
	return req
}

// aliPaid creates the Alipay order and pays it at the simulator: one notification per trade.
func (h *harness) aliPaid(req starter.CreateOrderRequest) starter.Order {
	h.t.Helper()
	o := h.create(req)
	if p := o.Payment; p.PayURL == "" {
		h.t.Fatalf("a page payment needs a pay URL: %+v", p)
	}
	if err := h.s.AliSim.Pay(req.OrderNo); err != nil {
		h.t.Fatal(err)
	}
	return o
}

// The lifecycle on Alipay through the API: merged payment, receipt, settle confirm with freeze, royalty to the
// platform, the L1/L2 distributors and the supplier, finish; then a refund after finish reverses the merchant
// receivers' royalties within the refund and books the distributors' parts as debts. Ledger = simulator for
// every party, per channel, and each sub-order conserves money.
func TestAlipayLifecycleAndRefundAfterFinish(t *testing.T) {
	settings := fastSettings
	settings.RefundWindow = 2 * time.Minute
	h := start(t, settings)
	h.onAlipay()
	no := h.orderNo(1)
	h.aliPaid(h.aliCart(no))
	v := h.waitFor(no, 60*time.Second, "completed", completed)
	if v.Channel != channels.Alipay {
		t.Errorf("channel %q", v.Channel)
	}
	h.searchable(workflows.OrderWorkflowID(no), "SplitPayChannel = 'alipay'")
	// Shop 1: 190 shared 23 % = 43.70 (platform 9.50, L1 19, L2 9.50, supplier 5.70); 146.30 settles.
	if s := v.SubOrders[0]; s.Shared != 4370 || s.Settled != 14630 {
		t.Errorf("sub-order 1 %+v", s)
	}
	h.aliLedgerMatches(no)
	path := "/v1/orders/" + no + "/sub-orders/1/refunds"
	var r api.RefundView
	h.post(path, starter.RefundRequest{RefundNo: "LATE1", Reason: "damaged tin", Amount: 9500}, &r)
	h.waitRefund(path+"/LATE1", 30*time.Second, refundIs(workflows.RefundSucceeded))
	// The base halves: the platform gives back 4.75 and the supplier 2.85 within the refund; L1 and L2 owe.
	if got := h.s.AliSim.ReceiverBalance(aliPlatform); got != 950+440-475 {
		t.Errorf("platform's Alipay royalty %s, want 9.15", got)
	}
	if d1, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d1")); d1 != -950 {
		t.Errorf("L1 debt %s, want -9.50", d1)
	}
	h.aliLedgerMatches(no)
	// WeChat's books for the same merchants are untouched.
	if b, _ := h.s.Ledger.MerchantBalances(t.Context(), channels.WeChatPay, "m1"); b[ledger.BucketAvailable] != 0 {
		t.Errorf("m1 on WeChat Pay: %v", b)
	}
	h.saveHistories("alipay-lifecycle", workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 1))
}

// A refund before sharing comes out of the trade's unsettled money; the settle confirm then confirms what is
// left, and sharing runs on the smaller base.
func TestAlipayRefundBeforeSharing(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour // the shop confirms after the refund
	h := start(t, settings)
	h.onAlipay()
	no := h.orderNo(1)
	h.aliPaid(h.aliCart(no))
	h.waitFor(no, 30*time.Second, "awaiting receipt", awaitingReceipt)
	path := "/v1/orders/" + no + "/sub-orders/2/refunds"
	h.post(path, starter.RefundRequest{RefundNo: "RF1", Reason: "one cup fewer", Amount: 4400}, nil)
	h.waitRefund(path+"/RF1", 30*time.Second, refundIs(workflows.RefundSucceeded))
	if b := h.s.AliSim.MerchantBalance(aliShop2); b.Unsettled != 4400 || b.Frozen != 0 {
		t.Errorf("shop 2 at Alipay: %+v, want 44.00 unsettled", b)
	}
	for n := 1; n <= 2; n++ {
		h.post(fmt.Sprintf("/v1/orders/%s/sub-orders/%d/receipt", no, n),
			starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}, nil)
	}
	v := h.waitFor(no, 60*time.Second, "completed", completed)
	// Shop 2 shares 15 % of the kept 44: platform 2.20, L1 4.40; 37.40 settles.
	if s := v.SubOrders[1]; s.Shared != 660 || s.Settled != 3740 || s.Refunded != 4400 {
		t.Errorf("sub-order 2 %+v", s)
	}
	h.aliLedgerMatches(no)
}

// Refused on Alipay at create, naming the field, with nothing started: a subsidy, a WeChat scene, a shop not on
// Alipay, a receiver removed there. Registered again, the receiver is bound again and paid.
func TestAlipayRefusalsAndAReceiverRegisteredAgain(t *testing.T) {
	h := start(t, fastSettings)
	h.onAlipay()
	req := h.aliCart(h.orderNo(1))
	req.SubOrders[0].Subsidy = 1000
	h.expectRefusal(req, "sub_orders[0].subsidy")
	req = h.aliCart(h.orderNo(2))
	req.Scene = channels.SceneNative
	h.expectRefusal(req, "scene")
	req = h.aliCart(h.orderNo(3))
	req.SubOrders[1].MerchantID = "m3" // registered on neither channel
	h.expectRefusal(req, "sub_orders[1].merchant_id")
	if err := h.api.Do(t.Context(), http.MethodDelete, "/v1/receivers/d2?channel=alipay", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	h.expectRefusal(h.aliCart(h.orderNo(4)), "sub_orders[0].commissions[2].receiver_id")
	h.post("/v1/receivers", registry.ReceiverRequest{ID: "d2", Channel: channels.Alipay, Type: channels.ReceiverPersonal,
		Account: aliD2, Name: "李四", Relation: "DISTRIBUTOR"}, nil)
	no := h.orderNo(5)
	h.aliPaid(h.aliCart(no))
	h.waitFor(no, 60*time.Second, "completed", completed)
	if got := h.s.AliSim.ReceiverBalance(aliD2); got != 950 { // 5 % of 190
		t.Errorf("L2 registered again holds %s at Alipay, want 9.50", got)
	}
	h.aliLedgerMatches(no)
}

// expectRefusal: the order is refused with 400 naming field, and no order exists afterwards.
func (h *harness) expectRefusal(req starter.CreateOrderRequest, field string) {
	h.t.Helper()
	var apiErr *api.Error
	err := h.api.Do(h.t.Context(), http.MethodPost, "/v1/orders", "", req, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Field != field {
		h.t.Errorf("%s: %v", field, err)
	}
	err = h.api.Do(h.t.Context(), http.MethodGet, "/v1/orders/"+req.OrderNo, "", nil, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		h.t.Errorf("%s: the refused order exists: %v", field, err)
	}
}

// aliLedgerMatches checks every party's Alipay books against the simulator's, the trial balance, and each
// sub-order's conservation.
func (h *harness) aliLedgerMatches(orderNos ...string) {
	h.t.Helper()
	ctx := context.Background()
	l := h.s.Ledger
	for id, smid := range map[string]string{"m1": aliShop1, "m2": aliShop2} {
		bals, err := l.MerchantBalances(ctx, channels.Alipay, id)
		if err != nil {
			h.t.Fatal(err)
		}
		sim := h.s.AliSim.MerchantBalance(smid)
		if bals[ledger.BucketFrozen] != sim.Unsettled+sim.Frozen || bals[ledger.BucketAvailable] != sim.Available {
			h.t.Errorf("merchant %s on Alipay: ledger %v, channel %+v", id, bals, sim)
		}
	}
	for id, acct := range aliAccounts {
		a := ledger.ReceiverCommission(channels.Alipay, id)
		if id == "platform" {
			a = ledger.PlatformCommission(channels.Alipay)
		}
		if b, _ := l.Balance(ctx, a); b != h.s.AliSim.ReceiverBalance(acct) {
			h.t.Errorf("%s on Alipay: ledger %s, channel %s", id, b, h.s.AliSim.ReceiverBalance(acct))
		}
	}
	h.booksBalance(orderNos...)
}

// searchable waits until ops' list view finds the workflow with the query (visibility lags a little).
func (h *harness) searchable(workflowID, query string) {
	h.t.Helper()
	q := fmt.Sprintf("WorkflowId = '%s' AND %s", workflowID, query)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := h.s.Starter.Temporal.ListWorkflow(h.t.Context(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: q})
		if err == nil && len(resp.Executions) == 1 {
			return
		}
	}
	h.t.Errorf("no workflow found by %s", q)
}
