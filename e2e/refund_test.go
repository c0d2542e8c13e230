package e2e

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api"
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
	h.create(starter.CreateOrderRequest{OrderNo: no, SubOrders: []starter.SubOrderRequest{{MerchantID: "m1", Description: "Longjing tea",
		Items:       []starter.ItemRequest{{SKU: "tea-100g", UnitPrice: 10000, Quantity: 2}},
		Coupon:      &starter.CouponRequest{Threshold: 20000, Discount: 2000, FundedBy: "platform"},
		Commissions: []starter.CommissionRequest{{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "d1", Rate: "0.10"}}}}})
	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	h.waitFor(no, 20*time.Second, "awaiting receipt", awaitingReceipt)
	if got := h.s.Sim.Balance(shop1).Frozen; got != 18000 {
		t.Fatalf("the buyer paid %d fen, want 18000", got)
	}
	path := "/v1/orders/" + no + "/sub-orders/1/refunds"
	req := starter.RefundRequest{RefundNo: "RF1", Reason: "one box is enough", Items: []starter.RefundItemRequest{{SKU: "tea-100g", Quantity: 1}}}
	var r api.RefundView
	h.post(path, req, &r)
	if r.BuyerRefund != 8000 || r.SubsidyReturn != 2000 {
		t.Fatalf("refund %+v", r)
	}
	// The same request again is the same refund; other content under the number, or more than is left, is 400.
	var again api.RefundView
	h.post(path, req, &again)
	if again.RefundNo != "RF1" || again.RequestedAt != r.RequestedAt {
		t.Errorf("repeat: %+v", again)
	}
	var apiErr *api.Error
	other := req
	other.Reason = "something else"
	if err := h.api.Do(ctx, http.MethodPost, path, "", other, nil); !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Field != "refund_no" {
		t.Errorf("other content under RF1: %v", err)
	}
	tooMany := starter.RefundRequest{RefundNo: "RF2", Items: []starter.RefundItemRequest{{SKU: "tea-100g", Quantity: 2}}}
	if err := h.api.Do(ctx, http.MethodPost, path, "", tooMany, nil); !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Field != "items[0].quantity" {
		t.Errorf("two more when one is left: %v", err)
	}

	// The channel answers PROCESSING until the bank pays; the simulator settles it.
	deadline := time.Now().Add(20 * time.Second)
	for r.Status != workflows.RefundProcessing && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		_ = h.api.Do(ctx, http.MethodGet, path+"/RF1", "", nil, &r)
	}
	if err := h.s.Sim.SettleRefund(shop1, r.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	for r.Status != workflows.RefundSucceeded && time.Now().Before(deadline.Add(20*time.Second)) {
		time.Sleep(200 * time.Millisecond)
		_ = h.api.Do(ctx, http.MethodGet, path+"/RF1", "", nil, &r)
	}
	if r.Status != workflows.RefundSucceeded {
		t.Fatalf("refund %+v", r)
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
