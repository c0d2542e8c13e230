package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
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

// demoSettings shrink days to seconds so the whole lifecycle fits in a demo.
var demoSettings = workflows.OrderSettings{PaymentWindow: 10 * time.Minute, QueryAfter: 5 * time.Second,
	AutoConfirmAfter: 6 * time.Second, AfterSaleWindow: 2 * time.Second, SharePollFirst: 300 * time.Millisecond,
	SharePollMax: 2 * time.Second, RefundWindow: 20 * time.Second}

// demoCommissions: the platform 5 %, the two distributor levels 10 % and 5 %, the supplier 3 %.
var demoCommissions = []cart.CommissionRequest{
	{ReceiverID: "platform", Rate: "0.05"},
	{ReceiverID: "demo-l1", Rate: "0.10"},
	{ReceiverID: "demo-l2", Rate: "0.05"},
	{ReceiverID: "demo-supplier", Rate: "0.03"},
}

// runDemo walks one real scenario through the HTTP API on the dev stack, with the WeChat Pay and Alipay
// simulators in this process: two shops onboarded on WeChat Pay (account verification and signing played on the
// simulator) and registered on Alipay, four receivers on each channel, a two-shop order with a platform coupon
// paid with WeChat Pay (one delivery confirmed by the shop, the other automatically; shared, finished, a
// withdrawal paid out, a refund with clawback), and the same shops' order paid with Alipay (shared, finished, a
// refund with clawback). It prints the timelines, every party's balance per channel in the ledger beside the
// simulator's, and Temporal UI links.
func runDemo(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	run := time.Now().Unix()
	db, drop, err := demoDatabase(ctx, cfg, run, log)
	if err != nil {
		return err
	}
	defer drop()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Its own task queue: a `splitpay dev` running beside it has another simulator.
	taskQueue := fmt.Sprintf("%s-demo-%d", cfg.TaskQueue, time.Now().Unix())
	st, err := stack.Start(
		ctx,
		stack.Options{DB: db, Temporal: d.temporal, TaskQueue: taskQueue, Logger: quiet, Settings: demoSettings,
			Onboarding: workflows.OnboardingSettings{PollFirst: 200 * time.Millisecond, PollMax: time.Second},
			Withdrawal: workflows.WithdrawalSettings{
				PollFirst:   200 * time.Millisecond,
				PollMax:     time.Second,
				BounceWatch: 2 * time.Second,
			}},
	)
	if err != nil {
		return err
	}
	defer st.Close()
	demo := &demoRun{ctx: ctx, out: out, st: st, c: st.Client(), started: time.Now(), taskQueue: taskQueue, runID: run,
		teaID: fmt.Sprintf("demo-tea-%d", run), cupsID: fmt.Sprintf("demo-cups-%d", run)}
	// The run has a database of its own; compare what it moved all the same.
	if demo.before, err = demo.ledgerBalances(); err != nil {
		return err
	}
	return demo.run(cfg)
}

type demoRun struct {
	ctx       context.Context
	out       io.Writer
	st        *stack.Stack
	c         *api.Client
	started   time.Time
	taskQueue string
	before    map[string]money.Amount
	// This run's shops: onboarded through the API, so new ids (and new sub_mchids from the simulator) each run.
	runID             int64
	teaID, cupsID     string
	teaSub, cupsSub   string   // WeChat Pay sub_mchids
	teaSmid, cupsSmid string   // Alipay smids
	applications      []string // the shops' out request numbers
}

func (d *demoRun) say(format string, args ...any) {
	fmt.Fprintf(d.out, "%6.1fs  "+format+"\n", append([]any{time.Since(d.started).Seconds()}, args...)...)
}

func (d *demoRun) post(path string, in, out any) error {
	if err := d.c.Do(d.ctx, http.MethodPost, path, "", in, out); err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	return nil
}

// Demo receivers' accounts at the simulator.
const (
	demoSupplier   = "1900000299"
	demoL1, demoL2 = "o-demo-level1-openid", "o-demo-level2-openid"
)

func (d *demoRun) run(cfg *config) error {
	fmt.Fprintf(d.out, "SplitPay demo: API %s, WeChat Pay simulator %s, Alipay simulator %s, task queue %q\n\n",
		d.st.APIURL, d.st.SimURL, d.st.AliSimURL, d.taskQueue)
	if err := d.setUpParties(); err != nil {
		return err
	}
	orderNo, aliNo := fmt.Sprintf("DEMO%d", d.runID), fmt.Sprintf("DEMO%dALI", d.runID)
	v, err := d.sell(orderNo)
	if err != nil {
		return err
	}
	if err := d.withdraw(); err != nil {
		return err
	}
	settle := func(out string) error { return d.st.Sim.SettleRefund(d.cupsSub, out, false) }
	if err := d.refund(orderNo, 2, 4400, settle); err != nil {
		return err
	}
	if err := d.setUpAlipay(); err != nil {
		return err
	}
	av, err := d.sellOnAlipay(aliNo)
	if err != nil {
		return err
	}
	if err := d.refund(aliNo, 1, 10000, nil); err != nil {
		return err
	}
	d.say("waiting for the refund windows (%s) to pass, so every demo process ends", demoSettings.RefundWindow)
	if err := d.awaitClosed(orderNo, aliNo); err != nil {
		return err
	}
	done := func(v api.OrderView) bool { return v.Status == workflows.StatusCompleted }
	if v, err = d.waitFor(orderNo, "completed", done); err != nil { // read again: the refunds are in now
		return err
	}
	if av, err = d.waitFor(aliNo, "completed", done); err != nil {
		return err
	}
	d.printTimeline(v)
	d.printTimeline(av)
	agree, err := d.printBalances(v, av)
	if err != nil {
		return err
	}
	balanced, err := d.reconcileDay(cfg)
	if err != nil {
		return err
	}
	d.printLinks(cfg, orderNo, aliNo)
	switch {
	case !agree:
		return errors.New("the ledger and the simulator disagree")
	case !balanced:
		return errors.New("the day's reconciliation found discrepancies")
	}
	return nil
}

// setUpParties onboards the two shops on both channels through the API (an Onboarding workflow per channel
// submits, tracks and activates each) and registers the receivers.
func (d *demoRun) setUpParties() error {
	tea, err := d.onboard(fmt.Sprintf("DEMO%dTEA", d.runID), d.teaID, "West Lake Tea House", "westlake-tea")
	if err != nil {
		return err
	}
	cups, err := d.onboard(fmt.Sprintf("DEMO%dCUPS", d.runID), d.cupsID, "Longquan Celadon Cups", "celadon-cups")
	if err != nil {
		return err
	}
	d.teaSub, d.cupsSub = tea[channels.WeChatPay], cups[channels.WeChatPay]
	d.teaSmid, d.cupsSmid = tea[channels.Alipay], cups[channels.Alipay]
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: stack.SimSpMchID, Name: "SplitPay Platform Ltd",
			Relation: "PLATFORM"},
		{ID: "demo-l1", Type: channels.ReceiverPersonal, Account: demoL1, Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "demo-l2", Type: channels.ReceiverPersonal, Account: demoL2, Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "demo-supplier", Type: channels.ReceiverMerchant, Account: demoSupplier, Name: "Anji Leaf Supply Co",
			Relation: "SUPPLIER"},
	} {
		var got api.ReceiverView
		if err := d.post("/v1/receivers", r, &got); err != nil {
			return err
		}
		d.say("receiver %s added at the channel and stored (%s, name kept as %q)",
			got.ID, strings.ToLower(got.Relation), got.NameMasked)
	}
	return nil
}

// sell walks one order through its life: created, paid, one receipt confirmed by the shop and one
// automatically, shared, finished.
func (d *demoRun) sell(orderNo string) (api.OrderView, error) {
	commissions := demoCommissions
	req := starter.CreateOrderRequest{OrderNo: orderNo, SubOrders: []cart.SubOrderRequest{
		// 满200减20 on the tea: the buyer pays 180, the platform's coupon adds 20 as a subsidy.
		{MerchantID: d.teaID, Description: "Longjing tea 2 × 100 yuan", Amount: 18000, Subsidy: 2000, Commissions: commissions},
		{MerchantID: d.cupsID, Description: "Celadon cup set", Amount: 8800, Commissions: commissions[:2]},
	}}
	var order starter.Order
	if err := d.post("/v1/orders", req, &order); err != nil {
		return api.OrderView{}, err
	}
	d.say("order %s created in one round trip (Update-With-Start): pay with %s", orderNo, order.Payment.CodeURL)
	if err := d.st.Sim.Pay(orderNo); err != nil {
		return api.OrderView{}, err
	}
	d.say("the buyer paid %s yuan in WeChat (simulator); the signed notification goes to the API", money.Amount(18000+8800))
	if _, err := d.waitFor(orderNo, "sub-orders awaiting receipt", func(v api.OrderView) bool {
		return len(v.SubOrders) == 2 && v.SubOrders[0].WaitingFor == "shop:receipt" && v.SubOrders[1].WaitingFor == "shop:receipt"
	}); err != nil {
		return api.OrderView{}, err
	}
	receipt := starter.ConfirmReceiptRequest{ConfirmedBy: "tea-house-backend", Note: "parcel signed for"}
	if err := d.post("/v1/orders/"+orderNo+"/sub-orders/1/receipt", receipt, nil); err != nil {
		return api.OrderView{}, err
	}
	d.say("the tea house confirmed delivery of sub-order 1; sub-order 2 will auto-confirm after %s",
		demoSettings.AutoConfirmAfter)
	v, err := d.waitFor(orderNo, "completed", func(v api.OrderView) bool { return v.Status == workflows.StatusCompleted })
	if err == nil {
		d.say("order %s COMPLETED", orderNo)
	}
	return v, err
}

// withdraw has the tea house withdraw 100 yuan of what it settled, the bank paying it (simulated).
func (d *demoRun) withdraw() error {
	no := fmt.Sprintf("WD%d", d.runID)
	var w api.WithdrawalView
	if err := d.post("/v1/merchants/"+d.teaID+"/withdrawals", starter.WithdrawalRequest{
		OutRequestNo: no, Amount: 10000, Remark: "weekly payout",
	}, &w); err != nil {
		return err
	}
	d.say(
		"the tea house asked to withdraw 100.00 yuan (out_request_no %s): reserved in the ledger, requested at the channel",
		no,
	)
	deadline := time.Now().Add(time.Minute)
	settled := false
	for time.Now().Before(deadline) && d.ctx.Err() == nil {
		w = api.WithdrawalView{} // absent (omitempty) fields must read as empty, not as the last answer's
		if err := d.c.Do(d.ctx, http.MethodGet, "/v1/merchants/"+d.teaID+"/withdrawals/"+no, "", nil, &w); err != nil {
			return err
		}
		switch {
		case w.ChannelState == channels.WithdrawCreated && !settled:
			settled = true
			if err := d.st.Sim.SettleWithdrawal(d.teaSub, no, channels.WithdrawSuccess); err != nil {
				return err
			}
		case w.Status == workflows.WithdrawalSucceeded && w.WaitingFor == "":
			d.say("withdrawal %s SUCCESS: the bank paid it; no bounce within the watch", no)
			return nil
		case w.Status != workflows.WithdrawalRequested && w.Status != workflows.WithdrawalSucceeded:
			return fmt.Errorf("withdrawal %s ended %s: %s", no, w.Status, w.Reason)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("withdrawal %s not done in time (status %s)", no, w.Status)
}

func (d *demoRun) waitFor(orderNo, what string, cond func(api.OrderView) bool) (api.OrderView, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var v api.OrderView
		err := d.c.Do(d.ctx, http.MethodGet, "/v1/orders/"+orderNo, "", nil, &v)
		if err == nil && !v.Stale && cond(v) { // a stale view lacks the detail the demo prints
			return v, nil
		}
		if time.Now().After(deadline) || d.ctx.Err() != nil {
			return v, fmt.Errorf(
				"order %s not %s in time (status %s, waiting for %s): %v",
				orderNo,
				what,
				v.Status,
				v.WaitingFor,
				err,
			)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

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
