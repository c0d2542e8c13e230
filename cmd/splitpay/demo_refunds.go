package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The demo receivers' Alipay user ids (the platform's own account is stack.SimAlipayPlatform, a default
// receiver).
const aliL1, aliL2, aliSupplier = "2088000000030001", "2088000000030002", "2088000000030003"

// aliID is this run's k-th Alipay id for a shop (its smid, or the account it settles to): each run's shops are
// new, like their WeChat sub_mchids.
func (d *demoRun) aliID(k int) string { return fmt.Sprintf("2088%010d%02d", d.runID%10_000_000_000, k) }

// refund refunds amount of sub-order n after its finish, in the refund window: the buyer's money comes from the
// shop's available funds and the receivers give back what they no longer earn. settle plays the channel's bank
// where the refund waits in PROCESSING (WeChat Pay); nil where the channel answers at once (Alipay).
func (d *demoRun) refund(orderNo string, n int, amount money.Amount, settle func(outRefundNo string) error) error {
	path := fmt.Sprintf("/v1/orders/%s/sub-orders/%d/refunds", orderNo, n)
	no := fmt.Sprintf("RF%d", n)
	var r api.RefundView
	if err := d.post(path, starter.RefundRequest{RefundNo: no, Reason: "one item came broken", Amount: amount},
		&r); err != nil {
		return err
	}
	deadline, settled := time.Now().Add(time.Minute), false
	for time.Now().Before(deadline) && d.ctx.Err() == nil {
		if err := d.c.Do(d.ctx, http.MethodGet, path+"/"+no, "", nil, &r); err != nil {
			return err
		}
		switch {
		case r.Status == workflows.RefundSucceeded:
			d.say("refund %s of %s sub-order %d: %s back to the buyer from the shop's available funds; "+
				"merchant receivers gave back what they no longer earn, distributors owe theirs", no, orderNo, n,
				r.BuyerRefund)
			return nil
		case r.Status == workflows.RefundProcessing && settle != nil && !settled:
			settled = true
			if err := settle(r.OutRefundNo); err != nil {
				return err
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("refund %s not done in time (status %s)", no, r.Status)
}

// setUpAlipay registers the two shops on Alipay under the same ids (their smid and settlement account) and the
// receivers' Alipay accounts.
func (d *demoRun) setUpAlipay() error {
	for _, m := range []registry.MerchantRequest{
		{ID: d.teaID, SubMchID: d.aliID(1), SettleAccount: d.aliID(11), DisplayName: "West Lake Tea House"},
		{ID: d.cupsID, SubMchID: d.aliID(2), SettleAccount: d.aliID(12), DisplayName: "Longquan Celadon Cups"},
	} {
		m.Channel = channels.Alipay
		if err := d.post("/v1/merchants", m, nil); err != nil {
			return err
		}
		d.say("%s registered on Alipay too: smid %s, settling to %s", m.DisplayName, m.SubMchID, m.SettleAccount)
	}
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: stack.SimAlipayPlatform,
			Name: "SplitPay Platform Ltd", Relation: "PLATFORM"},
		{ID: "demo-l1", Type: channels.ReceiverPersonal, Account: aliL1, Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "demo-l2", Type: channels.ReceiverPersonal, Account: aliL2, Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "demo-supplier", Type: channels.ReceiverMerchant, Account: aliSupplier, Name: "Anji Leaf Supply Co",
			Relation: "SUPPLIER"},
	} {
		r.Channel = channels.Alipay
		if err := d.post("/v1/receivers", r, nil); err != nil {
			return err
		}
	}
	d.say("the four receivers bound on Alipay (royalty relation; the platform's own account needs none)")
	return nil
}

// sellOnAlipay walks the same two shops' order on Alipay: a merged payment on a desktop page, both receipts
// confirmed automatically, settlement confirmed with freeze, royalty shared, finished.
func (d *demoRun) sellOnAlipay(orderNo string) (api.OrderView, error) {
	req := starter.CreateOrderRequest{OrderNo: orderNo, Channel: channels.Alipay, Scene: channels.SceneAlipayPage,
		SubOrders: []cart.SubOrderRequest{
			{MerchantID: d.teaID, Description: "Longjing tea 2 × 100 yuan", Amount: 20000, Commissions: demoCommissions},
			{MerchantID: d.cupsID, Description: "Celadon cup set", Amount: 8800, Commissions: demoCommissions[:2]},
		}}
	var order starter.Order
	if err := d.post("/v1/orders", req, &order); err != nil {
		return api.OrderView{}, err
	}
	d.say("order %s created on Alipay: the buyer opens the merged pay page %.60s…", orderNo, order.Payment.PayURL)
	if err := d.st.AliSim.Pay(orderNo); err != nil {
		return api.OrderView{}, err
	}
	d.say("the buyer paid 288.00 yuan in Alipay (simulator); each trade's signed notification goes to /notify/alipay")
	v, err := d.waitFor(orderNo, "completed", func(v api.OrderView) bool { return v.Status == workflows.StatusCompleted })
	if err == nil {
		d.say("order %s COMPLETED: settlement confirmed with freeze, royalty shared, the rest released", orderNo)
	}
	return v, err
}

// awaitClosed waits until the sub-orders' refund windows pass and their workflows end, so no demo process is
// left running in Temporal.
func (d *demoRun) awaitClosed(orderNos ...string) error {
	for _, no := range orderNos {
		for n := 1; n <= 2; n++ {
			if err := d.st.Starter.Temporal.GetWorkflow(d.ctx, workflows.SubOrderWorkflowID(no, n), "").
				Get(d.ctx, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
