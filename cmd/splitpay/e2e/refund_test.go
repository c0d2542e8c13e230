package e2e

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The channel's coupon example through the API, refunded before sharing: 满200减20 by the platform on two items
// of 100; the buyer pays 180; returning one item refunds 80 and voids the 20 subsidy. Then sharing runs on the
// kept 100, and the ledger equals the simulator.
func TestCouponExampleRefundBeforeSharingThroughTheAPI(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour // the shop confirms after the refund
	h := start(t, settings)
	ctx := t.Context()
	no := h.orderNo(1)
	h.create(
		starter.CreateOrderRequest{
			OrderNo: no,
			SubOrders: []cart.SubOrderRequest{{MerchantID: "m1", Description: "Longjing tea",
				Items:  []cart.ItemRequest{{SKU: "tea-100g", UnitPrice: 10000, Quantity: 2}},
				Coupon: &cart.CouponRequest{Threshold: 20000, Discount: 2000, FundedBy: "platform"},
				Commissions: []cart.CommissionRequest{
					{ReceiverID: "platform", Rate: "0.05"},
					{ReceiverID: "d1", Rate: "0.10"},
				}}},
		},
	)
	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 20*time.Second, "awaiting receipt", awaitingReceipt)
	if got := h.s.Sim.Balance(shop1).Frozen; got != 18000 {
		t.Fatalf("the buyer paid %d fen, want 18000", got)
	}
	path := "/v1/orders/" + no + "/sub-orders/1/refunds"
	req := starter.RefundRequest{
		RefundNo: "RF1",
		Reason:   "one box is enough",
		Items:    []starter.RefundItemRequest{{SKU: "tea-100g", Quantity: 1}},
	}
	var r api.RefundView
	h.post(path, req, &r)
	if r.BuyerRefund != 8000 || r.SubsidyReturn != 2000 {
		t.Fatalf("refund %+v", r)
	}
	refundRequestsAreIdempotent(t, h, path, req, r)
	r = h.settleRefund(path+"/RF1", shop1)
	// The channel's REFUND.SUCCESS notification came through the notify endpoint into the inbox.
	var notices int
	if err := h.s.API.DB.QueryRow(ctx, `SELECT count(*) FROM inbox WHERE event_type = 'REFUND.SUCCESS'`).Scan(&notices); err != nil ||
		notices != 1 {
		t.Errorf("refund notifications in the inbox: %d %v", notices, err)
	}
	h.post("/v1/orders/"+no+"/sub-orders/1/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}, nil)
	v := h.waitFor(no, 30*time.Second, "completed", completed)
	// Sharing on the kept 100: platform 5, L1 10; the merchant settles 85 and never got the voided subsidy.
	if s := v.SubOrders[0]; s.Shared != 1500 || s.Settled != 8500 || s.Refunded != 8000 {
		t.Errorf("sub-order %+v", s)
	}
	h.ledgerMatchesChannel(no)
	h.saveHistories("coupon-refund", workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 1))
}

// earnAvailable has shop 1 earn amount fen of available money: an order with no commissions, finished whole.
func (h *harness) earnAvailable(no string, amount money.Amount) {
	h.t.Helper()
	h.create(starter.CreateOrderRequest{
		OrderNo:   no,
		SubOrders: []cart.SubOrderRequest{{MerchantID: "m1", Description: "tea", Amount: amount}},
	})
	if err := h.s.Sim.Pay(no); err != nil {
		h.t.Fatal(err)
	}
	h.waitFor(no, 30*time.Second, "completed", completed)
	if got := h.s.Sim.Balance(shop1); got.Available != amount.Fen() || got.Frozen != 0 {
		h.t.Fatalf("shop 1 after the first order: %+v", got)
	}
}

// refundIs is the condition that a refund has a status.
func refundIs(status string) func(api.RefundView) bool {
	return func(r api.RefundView) bool { return r.Status == status }
}

// refundRequestsAreIdempotent: the same request again is the same refund; other content under the number, or
// more than is left, is 400 naming the field.
func refundRequestsAreIdempotent(t *testing.T, h *harness, path string, req starter.RefundRequest, first api.RefundView) {
	ctx, r := t.Context(), first
	var again api.RefundView
	h.post(path, req, &again)
	if again.RefundNo != "RF1" || again.RequestedAt != r.RequestedAt {
		t.Errorf("repeat: %+v", again)
	}
	var apiErr *api.Error
	other := req
	other.Reason = "something else"
	if err := h.api.Do(ctx, http.MethodPost, path, "", other, nil); !errors.As(err, &apiErr) || apiErr.Status != 400 ||
		apiErr.Field != "refund_no" {
		t.Errorf("other content under RF1: %v", err)
	}
	tooMany := starter.RefundRequest{
		RefundNo: "RF2",
		Items:    []starter.RefundItemRequest{{SKU: "tea-100g", Quantity: 2}},
	}
	if err := h.api.Do(ctx, http.MethodPost, path, "", tooMany, nil); !errors.As(err, &apiErr) ||
		apiErr.Status != 400 ||
		apiErr.Field != "items[0].quantity" {
		t.Errorf("two more when one is left: %v", err)
	}

}

// settleRefund waits for the refund to be PROCESSING at the channel, has the simulator's bank pay it, and waits
// for the sub-order to record it SUCCESS.
func (h *harness) settleRefund(path, subMchID string) api.RefundView {
	h.t.Helper()
	r := h.waitRefund(path, 30*time.Second, refundIs(workflows.RefundProcessing))
	if err := h.s.Sim.SettleRefund(subMchID, r.OutRefundNo, false); err != nil {
		h.t.Fatal(err)
	}
	return h.waitRefund(path, 40*time.Second, refundIs(workflows.RefundSucceeded))
}

// waitRefund polls a refund until cond holds.
func (h *harness) waitRefund(path string, within time.Duration, cond func(api.RefundView) bool) api.RefundView {
	h.t.Helper()
	var r api.RefundView
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if err := h.api.Do(h.t.Context(), http.MethodGet, path, "", nil, &r); err == nil && cond(r) {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Fatalf("refund %s: last state %+v", path, r)
	return r
}

// A refund asked while the sharing request is PROCESSING waits for it to settle, refunds, then claws back — the
// platform and the supplier by return orders, the two distributors as debt — and finishes. A supplier that
// spent its commission fails its return, waits, and returns under a new number once topped up.
func TestRefundDuringProcessingSharingClawsBack(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Second
	h := start(t, settings)
	h.s.Sim.SetFaults(wxsim.Faults{StuckSharing: true})
	no := h.orderNo(1)
	req := h.cart(no)
	req.SubOrders = req.SubOrders[:1] // one shop: 190 paid + 10 subsidy, platform 5%, L1 10%, L2 5%, supplier 3%
	h.create(req)
	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 30*time.Second, "sharing", func(v api.OrderView) bool {
		return len(v.SubOrders[0].Batches) > 0 && v.SubOrders[0].Batches[0].Status == "PROCESSING"
	})
	path := "/v1/orders/" + no + "/sub-orders/1/refunds"
	var r api.RefundView
	h.post(path, starter.RefundRequest{RefundNo: "HALF", Reason: "half the tea was damp", Amount: 9500}, &r)
	// The supplier spent its 6 yuan: the first return fails for lack of balance.
	h.s.Sim.SpendReceiverBalance(channels.ReceiverMerchant, supplierMch, 600)
	h.s.Sim.SetFaults(wxsim.Faults{})
	// The refund comes first (nothing is clawed back for a refund that has not happened), then the returns.
	r = h.waitRefund(path+"/HALF", 30*time.Second, refundIs(workflows.RefundProcessing))
	if err := h.s.Sim.SettleRefund(shop1, r.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 30*time.Second, "waiting for the supplier", func(v api.OrderView) bool {
		return v.SubOrders[0].WaitingFor == "receiver:s1:balance"
	})
	h.s.Sim.TopUpReceiver(channels.ReceiverMerchant, supplierMch, 600)
	h.post("/v1/orders/"+no+"/sub-orders/1/topped-up", map[string]string{"receiver_id": "s1"}, nil)
	v := h.waitFor(no, 30*time.Second, "completed", completed)
	// Shared on 200: platform 10, L1 20, L2 10, supplier 6. The base becomes 105: 5.25, 10.50, 5.25, 3.15.
	d1, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d1"))
	d2, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d2"))
	recv, _ := h.s.Ledger.Balance(t.Context(), ledger.MerchantReceivable("m1"))
	if d1 != -950 || d2 != -475 || recv != 1425 {
		t.Errorf("debts d1 %s d2 %s, merchant receivable %s", d1, d2, recv)
	}
	if got := h.s.Sim.ReceiverBalance(channels.ReceiverMerchant, supplierMch); got != 315 {
		t.Errorf("supplier holds %d fen at the channel, want 315", got)
	}
	if s := v.SubOrders[0]; s.Refunded != 9500 || s.Status != workflows.StatusCompleted {
		t.Errorf("sub-order %+v", s)
	}
	h.ledgerMatchesChannel(no)
	h.saveHistories("clawback", workflows.SubOrderWorkflowID(no, 1))

	nextOrderNetsTheDebts(t, h, req, no)
}

// nextOrderNetsTheDebts: the distributors' next order from the same shop nets their debts: of L1's 20 yuan, 9.50
// is withheld and 10.50 paid; of L2's 10 yuan, 4.75 withheld and 5.25 paid. The withheld money is unfrozen to the
// shop. first is the order whose clawback left the debts.
func nextOrderNetsTheDebts(t *testing.T, h *harness, req starter.CreateOrderRequest, first string) {
	before1 := h.s.Sim.ReceiverBalance(channels.ReceiverPersonal, "o-l1-openid")
	before2 := h.s.Sim.ReceiverBalance(channels.ReceiverPersonal, "o-l2-openid")
	next := h.orderNo(2)
	req.OrderNo = next
	h.create(req)
	if err := h.s.Sim.Pay(next); err != nil {
		t.Fatal(err)
	}
	v := h.waitFor(next, 30*time.Second, "completed", completed)
	got1 := h.s.Sim.ReceiverBalance(channels.ReceiverPersonal, "o-l1-openid") - before1
	got2 := h.s.Sim.ReceiverBalance(channels.ReceiverPersonal, "o-l2-openid") - before2
	if got1 != 1050 || got2 != 525 {
		t.Errorf("the channel paid L1 %d and L2 %d fen, want 1050 and 525", got1, got2)
	}
	if n := v.SubOrders[0].DebtNetted; len(n) != 2 || n[0].Amount != 950 || n[1].Amount != 475 ||
		n[0].NettingID != workflows.NettingID(workflows.SubOrderNo(next, 1), "d1") {
		t.Errorf("netted %+v", n)
	}
	d1, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d1"))
	d2, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d2"))
	recv, _ := h.s.Ledger.Balance(t.Context(), ledger.MerchantReceivable("m1"))
	if d1 != 0 || d2 != 0 || recv != 0 {
		t.Errorf("after netting: debts d1 %s d2 %s, merchant receivable %s", d1, d2, recv)
	}
	h.ledgerMatchesChannel(first, next)
	h.saveHistories("netting", workflows.SubOrderWorkflowID(next, 1))
}

// After the order completed, a refund during the refund window claws back from the receivers and refunds from
// the merchant's available funds; the ledger still equals the channel and the sub-order conserves money.
func TestRefundAfterCompletionInTheRefundWindow(t *testing.T) {
	settings := fastSettings
	settings.RefundWindow = 2 * time.Minute
	h := start(t, settings)
	no := h.orderNo(1)
	h.paidCart(no)
	h.waitFor(no, 30*time.Second, "completed", completed)
	if h.s.Sim.Balance(shop2).Available != 7480 {
		t.Fatalf("shop 2 settled %d", h.s.Sim.Balance(shop2).Available)
	}
	path := "/v1/orders/" + no + "/sub-orders/2/refunds"
	var r api.RefundView
	h.post(path, starter.RefundRequest{RefundNo: "LATE1", Reason: "cracked cup", Amount: 4400}, &r)
	r = h.waitRefund(path+"/LATE1", 30*time.Second, refundIs(workflows.RefundProcessing))
	if err := h.s.Sim.SettleRefund(shop2, r.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	h.waitRefund(path+"/LATE1", 30*time.Second, refundIs(workflows.RefundSucceeded))
	// Shop 2: 88 shared 4.40 (platform) + 8.80 (L1); the base halves to 44: the platform returns 2.20, L1 owes 4.40.
	// Available: 74.80 + 2.20 − 44 = 33.00.
	if got := h.s.Sim.Balance(shop2).Available; got != 3300 {
		t.Errorf("shop 2 available %d, want 3300", got)
	}
	d1, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d1"))
	if d1 != -440 {
		t.Errorf("L1 debt %s", d1)
	}
	h.ledgerMatchesChannel(no)
}

// The outside tester's repro (issue 12): a shop with 200 yuan available; a full refund of a 100-yuan sub-order
// made during sharing, when only 85 yuan of it is still unsplit. The channel refuses that refund from the
// order's frozen money, so the sub-order asks for the shop's available funds, books it from there, and then
// claws back. Ledger = channel for every bucket, and the sub-order conserves money.
func TestFullRefundLargerThanUnsplitComesFromAvailableFunds(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Second
	h := start(t, settings)
	earn := h.orderNo(1)
	h.earnAvailable(earn, 20000)

	h.s.Sim.SetFaults(wxsim.Faults{StuckSharing: true})
	no := h.orderNo(2)
	h.create(
		starter.CreateOrderRequest{
			OrderNo: no,
			SubOrders: []cart.SubOrderRequest{{MerchantID: "m1", Description: "tea", Amount: 10000,
				Commissions: []cart.CommissionRequest{
					{ReceiverID: "platform", Rate: "0.05"},
					{ReceiverID: "d1", Rate: "0.10"},
				}}},
		},
	)
	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 30*time.Second, "sharing", func(v api.OrderView) bool {
		return len(v.SubOrders[0].Batches) > 0 && v.SubOrders[0].Batches[0].Status == "PROCESSING"
	})
	path := "/v1/orders/" + no + "/sub-orders/1/refunds"
	h.post(path, starter.RefundRequest{RefundNo: "FULL", Reason: "never arrived", Amount: 10000}, nil)
	h.s.Sim.SetFaults(wxsim.Faults{})
	r := h.waitRefund(path+"/FULL", 30*time.Second, refundIs(workflows.RefundProcessing))
	if r.FundsSource != channels.FundsAvailable {
		t.Errorf("a refund of 100 with 85 unsplit must ask for available funds: %+v", r)
	}
	if got := h.s.Sim.Balance(shop1); got.Available != 10000 || got.Frozen != 8500 {
		t.Errorf("the channel paid the refund from available money: %+v, want available 10000, frozen 8500", got)
	}
	if err := h.s.Sim.SettleRefund(shop1, r.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	v := h.waitFor(no, 30*time.Second, "completed", completed)
	// The platform returns its 5 yuan into the frozen money, L1's 10 becomes its debt; finish unfreezes 90.
	if got := h.s.Sim.Balance(shop1); got.Available != 19000 || got.Frozen != 0 {
		t.Errorf("shop 1 at the channel: %+v, want available 19000", got)
	}
	if s := v.SubOrders[0]; s.Refunded != 10000 || s.Status != workflows.StatusCompleted {
		t.Errorf("sub-order %+v", s)
	}
	d1, _ := h.s.Ledger.Balance(t.Context(), ledger.ReceiverDebt("d1"))
	recv, _ := h.s.Ledger.Balance(t.Context(), ledger.MerchantReceivable("m1"))
	if d1 != -1000 || recv != 1000 {
		t.Errorf("L1 debt %s, merchant receivable %s", d1, recv)
	}
	h.ledgerMatchesChannel(earn, no)
	h.saveHistories("refund-from-available", workflows.SubOrderWorkflowID(no, 1))
}
