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
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// demoSettings shrink days to seconds so the whole lifecycle fits in a demo.
var demoSettings = workflows.OrderSettings{PaymentWindow: 10 * time.Minute, QueryAfter: 5 * time.Second,
	AutoConfirmAfter: 6 * time.Second, AfterSaleWindow: 2 * time.Second, SharePollFirst: 300 * time.Millisecond, SharePollMax: 2 * time.Second}

// runDemo walks one real scenario through the HTTP API on the dev stack, with the WeChat Pay simulator in
// this process: two shops onboarded (account verification and signing played on the simulator), four
// receivers registered, a two-shop order with a platform coupon created and paid, one delivery confirmed by
// the shop and the other confirmed automatically, profit shared and finished, and a withdrawal paid out.
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
	st, err := stack.Start(
		ctx,
		stack.Options{DB: d.db, Temporal: d.temporal, TaskQueue: taskQueue, Logger: quiet, Settings: demoSettings,
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
	run := time.Now().Unix()
	demo := &demoRun{ctx: ctx, out: out, st: st, c: st.Client(), started: time.Now(), taskQueue: taskQueue, runID: run,
		teaID: fmt.Sprintf("demo-tea-%d", run), cupsID: fmt.Sprintf("demo-cups-%d", run)}
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
	// This run's shops: onboarded through the API, so new ids (and new sub_mchids from the simulator) each run.
	runID           int64
	teaID, cupsID   string
	teaSub, cupsSub string
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

// demoApplication is a shop's application with made-up personal data (valid check characters).
func demoApplication(no, merchantID, name string) workflows.Application {
	return workflows.Application{
		OutRequestNo:     no,
		MerchantID:       merchantID,
		DisplayName:      name,
		OrganizationType: workflows.OrgIndividual,
		LegalPerson: workflows.IDCard{
			CopyMediaID:     "demo-media-front",
			NationalMediaID: "demo-media-back",
			Name:            "陈静",
			Number:          "11010519491231002X",
			ValidFrom:       "2021-03-01",
			ValidUntil:      "2041-03-01",
		},
		BankAccount: workflows.BankAccount{
			Type:        workflows.AccountPerson,
			Bank:        "招商银行",
			Name:        "陈静",
			Number:      "6214830112345678",
			AddressCode: "330100",
		},
		Contact: workflows.Contact{
			Type:   workflows.ContactLegal,
			Name:   "陈静",
			Mobile: "13700001111",
			Email:  "shop@example.com",
		},
		Store:     workflows.Store{Name: name},
		ShortName: name,
	}
}

// onboard takes a shop through onboarding on the API, playing the shop's and the channel's parts on the
// simulator (review time passing, the account-verification remittance, the signature); it answers the sub_mchid.
func (d *demoRun) onboard(no, merchantID, name string) (string, error) {
	var v api.OnboardingView
	if err := d.post("/v1/onboardings", demoApplication(no, merchantID, name), &v); err != nil {
		return "", err
	}
	d.say(
		"%s applied to onboard (out_request_no %s; ID number shown as %s)",
		name,
		no,
		v.Application.LegalPerson.Number,
	)
	acted := map[string]bool{}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && d.ctx.Err() == nil {
		v = api.OnboardingView{}
		if err := d.c.Do(d.ctx, http.MethodGet, "/v1/onboardings/"+no, "", nil, &v); err != nil {
			return "", err
		}
		switch {
		case v.Status == workflows.OnboardingActive:
			d.say("%s is ACTIVE: sub_mchid %s, ledger accounts opened", name, v.SubMchID)
			return v.SubMchID, nil
		case v.Status == workflows.OnboardingReviewing:
			d.st.Sim.Advance(2 * time.Minute) // the channel's review takes minutes on its clock
		case v.Status == workflows.OnboardingAccountVerify && !acted[v.Status] && v.AccountValidation != nil:
			acted[v.Status] = true
			d.say(
				"  the channel asks %s to remit %s yuan to %s (%s) by %s — done (simulated)",
				name,
				v.AccountValidation.PayAmount,
				v.AccountValidation.DestinationAccountName,
				v.AccountValidation.DestinationAccountBank,
				v.AccountValidation.Deadline,
			)
			if err := d.st.Sim.VerifyApplymentAccount(no); err != nil {
				return "", err
			}
		case v.Status == workflows.OnboardingNeedSign && !acted[v.Status]:
			acted[v.Status] = true
			d.say("  the shop's admin signs the agreement at %s (simulated)", v.SignURL)
			if err := d.st.Sim.SignApplyment(no); err != nil {
				return "", err
			}
		case v.Status == workflows.OnboardingRejected || v.Status == workflows.OnboardingGaveUp:
			return "", fmt.Errorf("onboarding %s: %s %+v", no, v.Status, v.Rejections)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("onboarding %s not active in time (status %s)", no, v.Status)
}

func (d *demoRun) run(cfg *config) error {
	fmt.Fprintf(
		d.out,
		"SplitPay demo: API %s, WeChat Pay simulator %s, task queue %q\n\n",
		d.st.APIURL,
		d.st.SimURL,
		d.taskQueue,
	)
	// The shops onboard through the API: the Onboarding workflow submits, polls and activates them.
	var err error
	if d.teaSub, err = d.onboard(fmt.Sprintf("DEMO%dTEA", d.runID), d.teaID, "West Lake Tea House"); err != nil {
		return err
	}
	if d.cupsSub, err = d.onboard(fmt.Sprintf("DEMO%dCUPS", d.runID), d.cupsID, "Longquan Celadon Cups"); err != nil {
		return err
	}
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: stack.SimSpMchID, Name: "SplitPay Platform Ltd", Relation: "PLATFORM"},
		{ID: "demo-l1", Type: channels.ReceiverPersonal, Account: demoL1, Name: "王小明", Relation: "DISTRIBUTOR"},
		{ID: "demo-l2", Type: channels.ReceiverPersonal, Account: demoL2, Name: "李四", Relation: "DISTRIBUTOR"},
		{ID: "demo-supplier", Type: channels.ReceiverMerchant, Account: demoSupplier, Name: "Anji Leaf Supply Co", Relation: "SUPPLIER"},
	} {
		var got api.ReceiverView
		if err := d.post("/v1/receivers", r, &got); err != nil {
			return err
		}
		d.say(
			"receiver %s added at the channel and stored (%s, name kept as %q)",
			got.ID,
			strings.ToLower(got.Relation),
			got.NameMasked,
		)
	}

	orderNo := fmt.Sprintf("DEMO%d", time.Now().Unix())
	commissions := []cart.CommissionRequest{
		{ReceiverID: "platform", Rate: "0.05"},
		{ReceiverID: "demo-l1", Rate: "0.10"},
		{ReceiverID: "demo-l2", Rate: "0.05"},
		{ReceiverID: "demo-supplier", Rate: "0.03"},
	}
	req := starter.CreateOrderRequest{OrderNo: orderNo, SubOrders: []cart.SubOrderRequest{
		// 满200减20 on the tea: the buyer pays 180, the platform's coupon adds 20 as a subsidy.
		{
			MerchantID:  d.teaID,
			Description: "Longjing tea 2 × 100 yuan",
			Amount:      18000,
			Subsidy:     2000,
			Commissions: commissions,
		},
		{MerchantID: d.cupsID, Description: "Celadon cup set", Amount: 8800, Commissions: commissions[:2]},
	}}
	var order starter.Order
	if err := d.post("/v1/orders", req, &order); err != nil {
		return err
	}
	d.say("order %s created in one round trip (Update-With-Start): pay with %s", orderNo, order.Payment.CodeURL)
	if err := d.st.Sim.Pay(orderNo); err != nil {
		return err
	}
	d.say(
		"the buyer paid %s yuan in WeChat (simulator); the signed notification goes to the API",
		money.Amount(18000+8800),
	)
	if _, err := d.waitFor(orderNo, "sub-orders awaiting receipt", func(v api.OrderView) bool {
		return len(v.SubOrders) == 2 && v.SubOrders[0].WaitingFor == "shop:receipt" && v.SubOrders[1].WaitingFor == "shop:receipt"
	}); err != nil {
		return err
	}
	if err := d.post("/v1/orders/"+orderNo+"/sub-orders/1/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "tea-house-backend", Note: "parcel signed for"}, nil); err != nil {
		return err
	}
	d.say(
		"the tea house confirmed delivery of sub-order 1; sub-order 2 will auto-confirm after %s",
		demoSettings.AutoConfirmAfter,
	)
	v, err := d.waitFor(
		orderNo,
		"completed",
		func(v api.OrderView) bool { return v.Status == workflows.StatusCompleted },
	)
	if err != nil {
		return err
	}
	d.say("order %s COMPLETED", orderNo)
	if err := d.withdraw(); err != nil {
		return err
	}
	d.printTimeline(v)
	agree, err := d.printBalances(v)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nTemporal UI:\n  order      %s\n", cfg.workflowURL(workflows.OrderWorkflowID(orderNo)))
	for n := 1; n <= 2; n++ {
		fmt.Fprintf(d.out, "  sub-order %d %s\n", n, cfg.workflowURL(workflows.SubOrderWorkflowID(orderNo, n)))
	}
	fmt.Fprintf(
		d.out,
		"  every order %s/namespaces/%s/workflows?query=%s\n",
		strings.TrimRight(cfg.TemporalUI, "/"),
		cfg.TemporalNamespace,
		"WorkflowType%3D%22Checkout%22",
	)
	if !agree {
		return errors.New("the ledger and the simulator disagree")
	}
	return nil
}

// withdraw has the tea house withdraw 100 yuan of what it settled, the bank paying it (simulated).
func (d *demoRun) withdraw() error {
	no := fmt.Sprintf("WD%d", d.runID)
	var w api.WithdrawalView
	if err := d.post("/v1/merchants/"+d.teaID+"/withdrawals", starter.WithdrawalRequest{OutRequestNo: no, Amount: 10000, Remark: "weekly payout"}, &w); err != nil {
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
	channel      func(s *stack.Stack) int64 // nil: no channel figure to compare
	note         string
}

// parties are the rows of the balance table for this run's shops and the receivers.
func (d *demoRun) parties() []demoParty {
	sim := func(sub string, frozen bool) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 {
			if frozen {
				return s.Sim.Balance(sub).Frozen
			}
			return s.Sim.Balance(sub).Available
		}
	}
	return []demoParty{
		{"tea house", "frozen", ledger.MerchantFrozen(d.teaID), sim(d.teaSub, true), ""},
		{"tea house", "available", ledger.MerchantAvailable(d.teaID), sim(d.teaSub, false), ""},
		{"tea house", "withdrawn", ledger.MerchantWithdrawn(d.teaID), nil, "(paid out to its bank account)"},
		{"cup works", "frozen", ledger.MerchantFrozen(d.cupsID), sim(d.cupsSub, true), ""},
		{"cup works", "available", ledger.MerchantAvailable(d.cupsID), sim(d.cupsSub, false), ""},
		{
			"demo-l1",
			"commission",
			ledger.ReceiverCommission("demo-l1"),
			func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL1) },
			"",
		},
		{
			"demo-l2",
			"commission",
			ledger.ReceiverCommission("demo-l2"),
			func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL2) },
			"",
		},
		{"demo-supplier", "commission", ledger.ReceiverCommission("demo-supplier"), func(s *stack.Stack) int64 {
			return s.Sim.ReceiverBalance(channels.ReceiverMerchant, demoSupplier)
		}, ""},
		{"platform", "commission", ledger.PlatformCommission(), func(s *stack.Stack) int64 {
			return s.Sim.ReceiverBalance(channels.ReceiverMerchant, stack.SimSpMchID)
		}, ""},
		{
			"platform",
			"subsidy",
			ledger.PlatformSubsidyBudget(),
			nil,
			"(the platform's coupon money, paid out as subsidies)",
		},
	}
}

func (d *demoRun) ledgerBalances() (map[string]money.Amount, error) {
	out := map[string]money.Amount{}
	for _, p := range d.parties() {
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
	for _, p := range d.parties() {
		moved := after[p.account.Key()] - d.before[p.account.Key()]
		if p.channel == nil {
			fmt.Fprintf(d.out, "  %-14s %-10s %12s   %s\n", p.name, p.bucket, moved, p.note)
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
	fmt.Fprintf(
		d.out,
		"\nLedger check: %d discrepancies, trial balance %s; each sub-order conserves money (paid + subsidy = shared + settled).\n",
		len(diffs),
		trial,
	)
	if agree {
		fmt.Fprintln(d.out, "The ledger and the simulator agree to the fen.")
	}
	return agree, nil
}
