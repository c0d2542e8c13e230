package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// demoSettings shrink days to seconds so the whole lifecycle fits in a demo.
var demoSettings = workflows.OrderSettings{PaymentWindow: 10 * time.Minute, QueryAfter: 5 * time.Second,
	AutoConfirmAfter: 6 * time.Second, AfterSaleWindow: 2 * time.Second, SharePollFirst: 300 * time.Millisecond, SharePollMax: 2 * time.Second}

// runDemo walks one real scenario through the HTTP API on the dev stack, with the WeChat Pay simulator in
// this process: two shops and four receivers registered, a two-shop order with a platform coupon created and
// paid, one delivery confirmed by the shop and the other confirmed automatically, profit shared and finished.
// It prints the timeline, every party's balance in the ledger beside the simulator's, and Temporal UI links.
func runDemo(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	if err := migrate(ctx, d.db, log); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Its own task queue: a `splitpay dev` running beside it has another simulator.
	taskQueue := fmt.Sprintf("%s-demo-%d", cfg.TaskQueue, time.Now().Unix())
	st, err := stack.Start(ctx, stack.Options{DB: d.db, Temporal: d.temporal, TaskQueue: taskQueue, Logger: quiet, Settings: demoSettings})
	if err != nil {
		return err
	}
	defer st.Close()
	demo := &demoRun{ctx: ctx, out: out, st: st, c: st.Client(), started: time.Now(), taskQueue: taskQueue}
	// The simulator starts empty each run; the ledger may hold earlier demos. Compare what this run moved.
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

// Demo parties: sub-merchant ids and accounts at the simulator.
const (
	demoTeaShop, demoCupShop, demoSupplier = "1900000201", "1900000202", "1900000299"
	demoL1, demoL2                         = "o-demo-level1-openid", "o-demo-level2-openid"
)

func (d *demoRun) run(cfg *config) error {
	fmt.Fprintf(d.out, "SplitPay demo: API %s, WeChat Pay simulator %s, task queue %q\n\n", d.st.APIURL, d.st.SimURL, d.taskQueue)
	// The shops were onboarded at the channel (issue 7 automates that); SplitPay learns their sub-merchant ids.
	for _, m := range []starter.MerchantRequest{{ID: "demo-tea", SubMchID: demoTeaShop, DisplayName: "West Lake Tea House"},
		{ID: "demo-cups", SubMchID: demoCupShop, DisplayName: "Longquan Celadon Cups"}} {
		d.st.Sim.AddSubMerchant(m.SubMchID)
		if err := d.post("/v1/merchants", m, nil); err != nil {
			return err
		}
		d.say("merchant %s registered (sub_mchid %s)", m.ID, m.SubMchID)
	}
	for _, r := range []starter.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: stack.SimSpMchID, Name: "SplitPay Platform Ltd", Relation: "PLATFORM"},
		{ID: "demo-l1", Type: channels.ReceiverPersonal, Account: demoL1, Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "demo-l2", Type: channels.ReceiverPersonal, Account: demoL2, Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "demo-supplier", Type: channels.ReceiverMerchant, Account: demoSupplier, Name: "Anji Leaf Supply Co", Relation: "SUPPLIER"},
	} {
		var got api.ReceiverView
		if err := d.post("/v1/receivers", r, &got); err != nil {
			return err
		}
		d.say("receiver %s added at the channel and stored (%s, name kept as %q)", got.ID, strings.ToLower(got.Relation), got.NameMasked)
	}

	orderNo := fmt.Sprintf("DEMO%d", time.Now().Unix())
	commissions := []starter.CommissionRequest{{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "demo-l1", Rate: "0.10"},
		{ReceiverID: "demo-l2", Rate: "0.05"}, {ReceiverID: "demo-supplier", Rate: "0.03"}}
	req := starter.CreateOrderRequest{OrderNo: orderNo, SubOrders: []starter.SubOrderRequest{
		// 满200减20 on the tea: the buyer pays 180, the platform's coupon adds 20 as a subsidy.
		{MerchantID: "demo-tea", Description: "Longjing tea 2 × 100 yuan", Amount: 18000, Subsidy: 2000, Commissions: commissions},
		{MerchantID: "demo-cups", Description: "Celadon cup set", Amount: 8800, Commissions: commissions[:2]},
	}}
	var order starter.Order
	if err := d.post("/v1/orders", req, &order); err != nil {
		return err
	}
	d.say("order %s created in one round trip (Update-With-Start): pay with %s", orderNo, order.Payment.CodeURL)
	if err := d.st.Sim.Pay(orderNo); err != nil {
		return err
	}
	d.say("the buyer paid %s yuan in WeChat (simulator); the signed notification goes to the API", money.Amount(18000+8800))
	if _, err := d.waitFor(orderNo, "sub-orders awaiting receipt", func(v api.OrderView) bool {
		return len(v.SubOrders) == 2 && v.SubOrders[0].WaitingFor == "shop:receipt" && v.SubOrders[1].WaitingFor == "shop:receipt"
	}); err != nil {
		return err
	}
	if err := d.post("/v1/orders/"+orderNo+"/sub-orders/1/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "tea-house-backend", Note: "parcel signed for"}, nil); err != nil {
		return err
	}
	d.say("the tea house confirmed delivery of sub-order 1; sub-order 2 will auto-confirm after %s", demoSettings.AutoConfirmAfter)
	v, err := d.waitFor(orderNo, "completed", func(v api.OrderView) bool { return v.Status == workflows.StatusCompleted })
	if err != nil {
		return err
	}
	d.say("order %s COMPLETED", orderNo)
	d.printTimeline(v)
	agree, err := d.printBalances(v)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nTemporal UI:\n  order      %s\n", cfg.workflowURL(workflows.OrderWorkflowID(orderNo)))
	for n := 1; n <= 2; n++ {
		fmt.Fprintf(d.out, "  sub-order %d %s\n", n, cfg.workflowURL(workflows.SubOrderWorkflowID(orderNo, n)))
	}
	fmt.Fprintf(d.out, "  every order %s/namespaces/%s/workflows?query=%s\n", strings.TrimRight(cfg.TemporalUI, "/"), cfg.TemporalNamespace,
		"WorkflowType%3D%22Checkout%22")
	if !agree {
		return errors.New("the ledger and the simulator disagree")
	}
	return nil
}

func (d *demoRun) waitFor(orderNo, what string, cond func(api.OrderView) bool) (api.OrderView, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var v api.OrderView
		err := d.c.Do(d.ctx, http.MethodGet, "/v1/orders/"+orderNo, "", nil, &v)
		if err == nil && cond(v) {
			return v, nil
		}
		if time.Now().After(deadline) || d.ctx.Err() != nil {
			return v, fmt.Errorf("order %s not %s in time (status %s, waiting for %s): %v", orderNo, what, v.Status, v.WaitingFor, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (d *demoRun) printTimeline(v api.OrderView) {
	type line struct {
		at        time.Time
		who, what string
	}
	var lines []line
	for _, e := range v.Timeline {
		lines = append(lines, line{e.At, "order", e.What})
	}
	for _, s := range v.SubOrders {
		for _, e := range s.Timeline {
			lines = append(lines, line{e.At, fmt.Sprintf("sub-order %d", s.N), e.What})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	fmt.Fprintf(d.out, "\nTimeline (workflow time):\n")
	for _, l := range lines {
		fmt.Fprintf(d.out, "  %s  %-11s %s\n", l.at.Local().Format("15:04:05.000"), l.who, l.what)
	}
	fmt.Fprintf(d.out, "\nSharing:\n")
	for _, s := range v.SubOrders {
		for _, b := range s.Batches {
			var parts []string
			for _, sh := range b.Shares {
				parts = append(parts, fmt.Sprintf("%s %s", sh.ReceiverID, sh.Amount))
			}
			fmt.Fprintf(d.out, "  %-28s %-8s %s\n", b.OutOrderNo, b.Status, strings.Join(parts, ", "))
		}
		fmt.Fprintf(d.out, "  sub-order %d: paid %s + subsidy %s → shared %s, settled %s to %s (confirmed by %s)\n",
			s.N, s.Amount, s.Subsidy, s.Shared, s.Settled, s.MerchantID, s.ConfirmedBy)
	}
}

// demoParty is one row of the balance table: a ledger account and the simulator's figure for it.
type demoParty struct {
	name, bucket string
	account      ledger.Account
	channel      func(s *stack.Stack) int64
}

var demoParties = []demoParty{
	{"demo-tea", "frozen", ledger.MerchantFrozen("demo-tea"), func(s *stack.Stack) int64 { return s.Sim.Balance(demoTeaShop).Frozen }},
	{"demo-tea", "available", ledger.MerchantAvailable("demo-tea"), func(s *stack.Stack) int64 { return s.Sim.Balance(demoTeaShop).Available }},
	{"demo-cups", "frozen", ledger.MerchantFrozen("demo-cups"), func(s *stack.Stack) int64 { return s.Sim.Balance(demoCupShop).Frozen }},
	{"demo-cups", "available", ledger.MerchantAvailable("demo-cups"), func(s *stack.Stack) int64 { return s.Sim.Balance(demoCupShop).Available }},
	{"demo-l1", "commission", ledger.ReceiverCommission("demo-l1"), func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL1) }},
	{"demo-l2", "commission", ledger.ReceiverCommission("demo-l2"), func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL2) }},
	{"demo-supplier", "commission", ledger.ReceiverCommission("demo-supplier"), func(s *stack.Stack) int64 {
		return s.Sim.ReceiverBalance(channels.ReceiverMerchant, demoSupplier)
	}},
	{"platform", "commission", ledger.PlatformCommission(), func(s *stack.Stack) int64 {
		return s.Sim.ReceiverBalance(channels.ReceiverMerchant, stack.SimSpMchID)
	}},
	{"platform", "subsidy", ledger.PlatformSubsidyBudget(), nil},
}

func (d *demoRun) ledgerBalances() (map[string]money.Amount, error) {
	out := map[string]money.Amount{}
	for _, p := range demoParties {
		b, err := d.st.Ledger.Balance(d.ctx, p.account)
		if err != nil {
			return nil, err
		}
		out[p.account.Key()] = b
	}
	return out, nil
}

// printBalances prints what this run moved for every party in the ledger beside the simulator's balances, and
// says whether they agree; then the ledger's own checks.
func (d *demoRun) printBalances(v api.OrderView) (bool, error) {
	after, err := d.ledgerBalances()
	if err != nil {
		return false, err
	}
	agree := true
	fmt.Fprintf(d.out, "\nBalances moved by this run (yuan)     ledger   simulator\n")
	for _, p := range demoParties {
		moved := after[p.account.Key()] - d.before[p.account.Key()]
		if p.channel == nil {
			fmt.Fprintf(d.out, "  %-14s %-10s %12s   (the platform's coupon money, paid out as subsidies)\n", p.name, p.bucket, moved)
			continue
		}
		channelFen := p.channel(d.st)
		mark := "="
		if moved.Fen() != channelFen {
			mark, agree = "≠", false
		}
		fmt.Fprintf(d.out, "  %-14s %-10s %12s %s %10s\n", p.name, p.bucket, moved, mark, money.Amount(channelFen))
	}
	l := d.st.Ledger
	diffs, trial, err := l.Check(d.ctx)
	if err != nil {
		return false, err
	}
	for _, s := range v.SubOrders {
		t, err := l.SubOrderTotals(d.ctx, v.OrderNo, s.SubOrderNo)
		if err != nil {
			return false, err
		}
		if err := t.Conserved(); err != nil {
			fmt.Fprintf(d.out, "  sub-order %d does not conserve money: %v\n", s.N, err)
			agree = false
		}
	}
	if len(diffs) > 0 || trial != 0 {
		agree = false
	}
	fmt.Fprintf(d.out, "\nLedger check: %d discrepancies, trial balance %s; each sub-order conserves money (paid + subsidy = shared + settled).\n", len(diffs), trial)
	if agree {
		fmt.Fprintln(d.out, "The ledger and the simulator agree to the fen.")
	}
	return agree, nil
}
