package main

import (
	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The demo receivers' Alipay user ids (the platform's own account is stack.SimAlipayPlatform, a default
// receiver).
const aliL1, aliL2, aliSupplier = "2088000000030001", "2088000000030002", "2088000000030003"

// setUpAlipay binds the receivers' Alipay accounts (the shops were onboarded on Alipay with their application).
func (d *demoRun) setUpAlipay() error {
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
