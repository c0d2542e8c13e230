// Package simulation runs seeded random histories of the whole money path, in the spirit of TigerBeetle's
// VOPR: the real SubOrder workflows in the SDK's time-skipping environment, the real activities, the real
// ledger on the dev stack's PostgreSQL, and the WeChat Pay and Alipay simulators through the real SDKs (each history
// on one channel, drawn from its seed). A harness plays the
// buyers (payments, refunds at random moments), the shops (receipts), the bank (refund results, some
// abnormal) and ops (the documented action for each NEEDS_ATTENTION, then Resume), while the simulator
// injects 5xx and 429 answers, closed receivers and receivers that spent their balance. After every history
// the invariants are checked: ledger = channel for every party and bucket, trial balance 0, conservation per
// sub-order, nothing posted twice, and every process terminal. After the last history, each channel's bills of
// the days run are reconciled against the ledger, as the Reconcile workflow's activities do: no discrepancy.
//
//	SPLITPAY_SIM_HISTORIES=N   how many histories (default 300)
//	SPLITPAY_SIM_SEED=S        replay the history with seed S (its inputs; interleavings may differ)
package simulation

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

func TestSimulation(t *testing.T) {
	w := newWorld(t)
	if s := os.Getenv("SPLITPAY_SIM_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SPLITPAY_SIM_SEED: %v", err)
		}
		started := time.Now()
		w.run(t, seed)
		t.Log(w.reconcile(t, started))
		return
	}
	n := 300
	if s := os.Getenv("SPLITPAY_SIM_HISTORIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("SPLITPAY_SIM_HISTORIES: %v", err)
		}
	}
	base := uint64(time.Now().UnixNano())
	started := time.Now()
	stats := map[string]int{}
	for i := range n {
		seed := base + uint64(i)
		h := w.run(t, seed)
		if t.Failed() {
			t.Fatalf("history %d failed; replay it with SPLITPAY_SIM_SEED=%d", i, seed)
		}
		for k, v := range h.stats {
			stats[k] += v
		}
		if (i+1)%1000 == 0 {
			t.Logf("%d histories in %s", i+1, time.Since(started).Round(time.Second))
		}
	}
	for k, v := range w.reconcile(t, started) {
		stats[k] += v
	}
	t.Logf("%d histories in %s (first seed %d): %v", n, time.Since(started).Round(time.Second), base, stats)
}

// world is what every history shares: the channels' simulators, one ledger, one set of activities.
type world struct {
	chans []simChannel
	db    *pgxpool.Pool
	l     *ledger.Ledger
	acts  *activities.Activities
	next  int // ids handed out: every history's shops, supplier and numbers are new to the shared simulator
}

// id answers a new id of the world: prefix and a number never used before. Random ids would collide across
// thousands of histories, and a "new" shop would then inherit an old one's money at the simulator.
func (w *world) id(prefix string, digits int) string {
	w.next++
	return fmt.Sprintf("%s%0*d", prefix, digits, w.next)
}

func newWorld(t *testing.T) *world {
	db := testenv.MigratedPool(t)
	l := ledger.New(db)
	w := &world{db: db, l: l, acts: &activities.Activities{Ledger: l, Channels: map[string]activities.Channel{}},
		chans: []simChannel{wechatChannel{testenv.StartWeChat(t, channels.WeChatLimits())},
			alipayChannel{testenv.StartAlipay(t)}}}
	for _, c := range w.chans {
		w.acts.Channels[c.name()] = c.adapter()
		if err := l.UpsertReceiver(context.Background(), ledger.Receiver{ID: workflows.PlatformReceiverID,
			Channel: c.name(), Type: channels.ReceiverMerchant, Account: c.platform(), Relation: "PLATFORM",
			Name: "平台", Status: ledger.ReceiverActive}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// history is one seeded scenario and what happened in it.
type history struct {
	t              *testing.T
	w              *world
	ch             simChannel // the channel every order of this history is paid on
	rng            *rand.Rand
	seed           uint64
	tag            string // makes every id of this history unique in the shared simulator and ledger
	shops          []shop
	d1             string // the two distributors' (persons') accounts at the channel
	d2             string
	sup            string // the supplier's account at the channel (a merchant receiver)
	subs           []*subRun
	mu             sync.Mutex
	stats          map[string]int
	spent          map[string]int64 // supplier account → balance it spent, to top up again
	funds          int              // funding sales so far, for their numbers
	platformBefore int64            // the platform's commission balance at the simulator when the history began
}

type shop struct {
	id, subMchID string
}

type subRun struct {
	in    workflows.SubOrderInput
	final workflows.SubOrderState
	err   error
}

func (w *world) run(t *testing.T, seed uint64) *history {
	h := &history{t: t, w: w, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), seed: seed, tag: w.id("", 7),
		stats: map[string]int{}, spent: map[string]int64{}}
	h.ch = w.chans[h.rng.IntN(len(w.chans))]
	h.count("on " + h.ch.name())
	h.platformBefore = h.ch.receiverBalance(channels.ReceiverMerchant, h.ch.platform())
	h.setup()
	h.ch.faults(h)
	h.runSubOrders()
	h.ch.clearFaults()
	h.check()
	return h
}

func (h *history) count(what string) {
	h.mu.Lock()
	h.stats[what]++
	h.mu.Unlock()
}

// setup opens the history's shops (each with some money of its own, so refunds can come from available funds)
// and receivers, and pays its orders.
func (h *history) setup() {
	ctx := context.Background()
	for i := range 1 + h.rng.IntN(2) {
		s := h.ch.newShop(h.w, "sim-"+h.tag+"-m"+strconv.Itoa(i))
		h.shops = append(h.shops, s)
		if h.rng.IntN(3) > 0 {
			h.fund(s, money.Amount(1+h.rng.IntN(200000)))
		}
	}
	h.d1, h.d2, h.sup = h.ch.newAccounts(h.w, h.tag)
	// registered at the channel and in the directory, as the registry does (their ids are the commissions')
	for id, r := range map[string]channels.ReceiverRegistration{
		"d1": {Type: channels.ReceiverPersonal, Account: h.d1, Name: "一级", RelationType: "DISTRIBUTOR"},
		"d2": {Type: channels.ReceiverPersonal, Account: h.d2, Name: "二级", RelationType: "DISTRIBUTOR"},
		"s1": {Type: channels.ReceiverMerchant, Account: h.sup, Name: "供货商", RelationType: "SUPPLIER"}} {
		if err := h.ch.adapter().AddReceiver(ctx, r); err != nil {
			h.t.Fatalf("seed %d: add receiver: %v", h.seed, err)
		}
		if err := h.w.l.UpsertReceiver(ctx, ledger.Receiver{ID: h.receiverID(id), Channel: h.ch.name(), Type: r.Type,
			Account: r.Account, Relation: r.RelationType, Name: r.Name, Status: ledger.ReceiverActive}); err != nil {
			h.t.Fatalf("seed %d: register receiver: %v", h.seed, err)
		}
	}
	for o := range 1 + h.rng.IntN(3) {
		h.payOrder(fmt.Sprintf("S%s%02d", h.tag, o))
	}
}

// fund gives a shop money of its own: a sale without profit sharing, available at the channel, and booked as
// paid and settled.
func (h *history) fund(s shop, amount money.Amount) {
	ctx := context.Background()
	h.mu.Lock()
	h.funds++
	no := fmt.Sprintf("F%s%02d", h.tag, h.funds)
	h.mu.Unlock()
	tx, finishID, settled := h.ch.earn(h, no, s, amount)
	ref := ledger.OrderRef{Channel: h.ch.name(), OrderNo: no, SubOrderNo: no + "-1", MerchantID: s.id}
	if _, err := h.w.l.PaymentReceived(ctx, ledger.PaymentReceived{
		OrderRef: ref, TransactionID: tx, Amount: amount,
	}); err != nil {
		h.t.Fatalf("seed %d: fund post: %v", h.seed, err)
	}
	if _, err := h.w.l.Finished(ctx, ledger.Finished{
		OrderRef: ref, FinishID: finishID, Amount: settled,
	}); err != nil {
		h.t.Fatalf("seed %d: fund settle: %v", h.seed, err)
	}
}

// placeAndPay places a combined order at the channel, has the buyer pay it at the simulator, and answers each
// sub-order's transaction id as the channel reports it.
func (h *history) placeAndPay(scene, no string, subs []channels.SubOrder, pay func(string) error) []string {
	ctx, c := context.Background(), h.ch.adapter()
	if _, err := c.CreateCombined(ctx, channels.CombinedOrder{Scene: scene, OutTradeNo: no,
		NotifyURL: "https://127.0.0.1/none", SubOrders: subs}); err != nil {
		h.t.Fatalf("seed %d: create %s: %v", h.seed, no, err)
	}
	if err := pay(no); err != nil {
		h.t.Fatalf("seed %d: pay %s: %v", h.seed, no, err)
	}
	st, err := c.QueryCombined(ctx, no, subs)
	if err != nil || len(st.SubOrders) != len(subs) {
		h.t.Fatalf("seed %d: query %s: %+v %v", h.seed, no, st, err)
	}
	var txs []string
	for _, p := range st.SubOrders {
		txs = append(txs, p.TransactionID)
	}
	return txs
}

// payOrder creates a combined order of 1–3 sub-orders at the history's shops, pays it at the simulator and
// posts the payments, as the Checkout workflow does; each sub-order then runs as its own workflow.
func (h *history) payOrder(no string) {
	ctx := context.Background()
	var subs []channels.SubOrder
	var ins []workflows.SubOrderInput
	for n := 1; n <= 1+h.rng.IntN(3); n++ {
		s := h.shops[h.rng.IntN(len(h.shops))]
		in := h.subOrderInput(no, n, s)
		ins = append(ins, in)
		subs = append(
			subs,
			channels.SubOrder{
				SubMchID:      s.subMchID,
				OutTradeNo:    in.Ref.SubOrderNo,
				Description:   "goods",
				Amount:        in.Amount,
				ProfitSharing: true,
				SubsidyAmount: in.Subsidy,
			},
		)
	}
	txs := h.ch.pay(h, no, subs)
	for i := range ins {
		ins[i].Ref.TransactionID = txs[i]
		ref := ledger.OrderRef{
			Channel:    h.ch.name(),
			OrderNo:    no,
			SubOrderNo: ins[i].Ref.SubOrderNo,
			MerchantID: ins[i].Ref.MerchantID,
		}
		if _, err := h.w.l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: ins[i].Ref.TransactionID,
			Amount: ins[i].Amount}); err != nil {
			h.t.Fatalf("seed %d: post payment: %v", h.seed, err)
		}
		h.subs = append(h.subs, &subRun{in: ins[i]})
	}
}

func (h *history) rate(maxPercent int) decimal.Decimal {
	return decimal.New(int64(h.rng.IntN(maxPercent*100+1)), -4) // 0 .. maxPercent %, to the basis point
}

// paidAt is when every simulated sub-order is paid, and where its workflow's clock starts: now. The SDK gives
// a retried local activity until its workflow-clock ScheduleToClose, measured against the machine's clock, so a
// workflow clock far behind the machine's (a fixed date in the past) would leave every retry out of time.
var paidAt = time.Now().UTC().Truncate(time.Minute)

func (h *history) subOrderInput(no string, n int, s shop) workflows.SubOrderInput {
	in := workflows.SubOrderInput{
		Ref: workflows.SubOrderRef{
			Channel:    h.ch.name(),
			OrderNo:    no,
			SubOrderNo: workflows.SubOrderNo(no, n),
			MerchantID: s.id,
			SubMchID:   s.subMchID,
		},
		N: n, Description: "goods", PaidAt: paidAt,
		Limits: h.ch.limits(h),
		Settings: workflows.OrderSettings{
			AutoConfirmAfter: time.Duration(1+h.rng.IntN(72)) * time.Hour,
			AfterSaleWindow:  time.Duration(h.rng.IntN(48)) * time.Hour,
			RefundWindow:     time.Duration(h.rng.IntN(96)) * time.Hour,
			SharePollFirst:   time.Duration(1+h.rng.IntN(30)) * time.Second,
			SharePollMax:     time.Minute,
		},
	}
	if h.rng.IntN(3) == 0 { // items under a platform coupon: refunds name items, and the coupon is recomputed
		price := money.Amount(1000 + h.rng.IntN(20000))
		qty := 1 + h.rng.IntN(3)
		in.Items = []workflows.Item{
			{SKU: "a", UnitPrice: price, Quantity: qty},
			{SKU: "b", UnitPrice: money.Amount(500 + h.rng.IntN(5000)), Quantity: 1},
		}
		gross := price*money.Amount(qty) + in.Items[1].UnitPrice
		in.Coupon = &workflows.Coupon{
			Threshold: gross - money.Amount(h.rng.IntN(int(price))),
			Discount:  money.Amount(1 + h.rng.IntN(int(gross/10))),
			FundedBy:  workflows.CouponByPlatform,
		}
		in.Amount, in.Subsidy = gross-in.Coupon.Discount, in.Coupon.Discount
		if !h.ch.subsidies() { // the shop funds the coupon: no subsidy, the buyer pays less
			in.Coupon.FundedBy, in.Subsidy = workflows.CouponByMerchant, 0
		}
		if in.Coupon.Threshold > gross {
			in.Amount, in.Subsidy = gross, 0
		}
	} else {
		in.Amount = money.Amount(1 + h.rng.IntN(100000))
		if h.rng.IntN(4) == 0 && h.ch.subsidies() {
			in.Subsidy = money.Amount(1 + h.rng.IntN(int(in.Amount/5)+1))
		}
	}
	in.Commissions = h.commissions()
	return in
}

// receiverID is the id of one of the history's receivers (d1, d2, s1).
func (h *history) receiverID(r string) string { return "sim-" + h.tag + "-" + r }

// commissions draws the platform's, two distributors' and a supplier's rates, each kept three times in four.
func (h *history) commissions() []workflows.CommissionRule {
	id := h.receiverID
	rules := []workflows.CommissionRule{
		{ReceiverID: workflows.PlatformReceiverID, Role: workflows.RolePlatform, Type: workflows.ReceiverMerchant,
			Account: h.ch.platform(), Rate: h.rate(10)},
		{ReceiverID: id("d1"), Role: workflows.RoleDistributor, Type: workflows.ReceiverPersonal, Account: h.d1, Rate: h.rate(10)},
		{ReceiverID: id("d2"), Role: workflows.RoleDistributor, Type: workflows.ReceiverPersonal, Account: h.d2, Rate: h.rate(5)},
		{ReceiverID: id("s1"), Role: workflows.RoleSupplier, Type: workflows.ReceiverMerchant, Account: h.sup, Rate: h.rate(5)},
	}
	var out []workflows.CommissionRule
	for _, r := range rules {
		if r.Rate.IsPositive() && h.rng.IntN(4) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// runSubOrders runs every sub-order's workflow at once, each in its own time-skipping environment, so the
// shops' available money and the distributors' debts cross orders.
func (h *history) runSubOrders() {
	var wg sync.WaitGroup
	for _, s := range h.subs {
		wg.Go(func() { h.runSubOrder(s) })
	}
	wg.Wait()
	for _, s := range h.subs {
		if s.err != nil {
			h.t.Errorf("seed %d: %s: %v", h.seed, s.in.Ref.SubOrderNo, s.err)
		}
	}
}

var quiet = tlog.NewStructuredLogger(
	slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4})),
)

func (h *history) runSubOrder(s *subRun) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quiet)
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.SubOrder)
	env.RegisterActivity(h.w.acts)
	env.SetStartTime(s.in.PaidAt)
	env.SetTestTimeout(2 * time.Minute)
	p := &player{
		h:       h,
		env:     env,
		s:       s,
		rng:     rand.New(rand.NewPCG(h.seed, uint64(len(s.in.Ref.SubOrderNo))+uint64(s.in.N)<<8)),
		settled: map[string]bool{},
	}
	p.schedule()
	env.ExecuteWorkflow(workflows.SubOrder, s.in)
	if p.unexpected != "" {
		s.err = fmt.Errorf("%s", p.unexpected)
		return
	}
	if err := env.GetWorkflowError(); err != nil {
		s.err = fmt.Errorf("workflow failed: %w", err)
		return
	}
	v, err := env.QueryWorkflow(workflows.QuerySubOrder)
	if err == nil {
		err = v.Get(&s.final)
	}
	if err != nil {
		s.err = err
		return
	}
	if s.final.Status != workflows.StatusCompleted {
		s.err = fmt.Errorf("ended %s", s.final.Status)
	}
}

// player drives one sub-order's workflow from outside: the buyer, the shop, the bank and ops.
type player struct {
	h          *history
	env        *testsuite.TestWorkflowEnvironment
	s          *subRun
	rng        *rand.Rand
	settled    map[string]bool // out_refund_no → the bank answered
	updates    int
	unexpected string
}

// tickEvery is how often (in workflow time) the bank and ops look at the sub-order.
const tickEvery = 30 * time.Minute

func (p *player) schedule() {
	set := p.s.in.Settings
	receiptAt := set.AutoConfirmAfter // auto-confirm, unless the shop confirms earlier
	if p.rng.IntN(2) == 0 {
		receiptAt = time.Duration(p.rng.Int64N(int64(set.AutoConfirmAfter)))
		p.env.RegisterDelayedCallback(p.confirmReceipt, receiptAt)
	}
	sharingAt := receiptAt + set.AfterSaleWindow
	for range p.rng.IntN(4) {
		p.env.RegisterDelayedCallback(p.refund, p.refundMoment(sharingAt))
	}
	if p.rng.IntN(5) == 0 { // the supplier spends what it was paid: a later return fails until it has money again
		p.env.RegisterDelayedCallback(p.supplierSpends, sharingAt+time.Duration(p.rng.Int64N(int64(time.Hour))))
	}
	p.env.RegisterDelayedCallback(p.tick, tickEvery)
}

// refundMoment picks when a refund is asked, aiming at the moments that matter: before receipt, in the
// after-sale window, while a sharing request is in flight (the first poll comes SharePollFirst after it is
// sent), after finish in the refund window, and after the window has closed.
func (p *player) refundMoment(sharingAt time.Duration) time.Duration {
	set := p.s.in.Settings
	switch p.rng.IntN(5) {
	case 0:
		return time.Duration(p.rng.Int64N(int64(sharingAt - set.AfterSaleWindow + 1)))
	case 1:
		return sharingAt - time.Duration(p.rng.Int64N(int64(set.AfterSaleWindow+1)))
	case 2:
		return sharingAt + time.Duration(p.rng.Int64N(int64(set.SharePollFirst)))
	case 3:
		return sharingAt + time.Minute + time.Duration(p.rng.Int64N(int64(set.RefundWindow+1)))
	}
	return sharingAt + set.RefundWindow + time.Duration(p.rng.Int64N(int64(24*time.Hour)))
}

func (p *player) state() (workflows.SubOrderState, bool) {
	var st workflows.SubOrderState
	v, err := p.env.QueryWorkflow(workflows.QuerySubOrder)
	if err != nil || v.Get(&st) != nil {
		return st, false
	}
	return st, true
}

func (p *player) update(name string, arg any) {
	p.updates++
	p.env.UpdateWorkflow(name, fmt.Sprintf("u%d", p.updates), &testsuite.TestUpdateCallback{
		OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {}}, arg)
}

func (p *player) confirmReceipt() {
	req := workflows.ConfirmReceiptRequest{ConfirmedBy: "shop"}
	if p.rng.IntN(2) == 0 {
		p.env.SignalWorkflow(workflows.SignalConfirmReceipt, req) // as when no worker took the update in time
	} else {
		p.update(workflows.UpdateConfirmReceipt, req)
	}
	p.h.count("receipt")
}

// refund asks for a random refund: some items, or an amount up to all that is left (a third of them full).
func (p *player) refund() {
	st, ok := p.state()
	if !ok {
		return
	}
	req := workflows.RefundRequest{RefundNo: fmt.Sprintf("R%d", len(st.Refunds)+p.updates), Reason: "simulated"}
	if len(p.s.in.Items) > 0 {
		it := p.s.in.Items[p.rng.IntN(len(p.s.in.Items))]
		req.Items = []workflows.ItemRefund{{SKU: it.SKU, Quantity: 1 + p.rng.IntN(it.Quantity)}}
	} else {
		left := p.s.in.Amount - st.Refunded
		if left <= 0 {
			return
		}
		req.Amount = left
		if p.rng.IntN(3) > 0 {
			req.Amount = money.Amount(1 + p.rng.Int64N(int64(left)))
		}
	}
	p.update(workflows.UpdateRequestRefund, req)
	p.h.count("refund asked")
}

func (p *player) supplierSpends() {
	bal := p.h.ch.spend(channels.ReceiverMerchant, p.h.sup)
	if bal <= 0 {
		return
	}
	p.h.mu.Lock()
	p.h.spent[p.h.sup] += bal
	p.h.mu.Unlock()
	p.h.count("supplier spent its balance")
}

// tick is the bank answering refunds, the supplier getting money again, and ops acting on NEEDS_ATTENTION
// with the documented action for its cause.
func (p *player) tick() {
	st, ok := p.state()
	if !ok {
		return
	}
	for _, r := range st.Refunds {
		if r.Status != workflows.RefundProcessing || r.RefundID == "" || p.settled[r.OutRefundNo] {
			continue
		}
		p.settled[r.OutRefundNo] = true
		abnormal := p.rng.IntN(8) == 0
		if err := p.h.ch.settleRefund(p.s.in.Ref.SubMchID, r.OutRefundNo, abnormal); err != nil {
			p.unexpected = "settle refund: " + err.Error()
		}
		for range p.rng.IntN(3) { // the notification: lost, once, or duplicated
			p.env.SignalWorkflow(workflows.SignalRefundNotified, workflows.RefundNotice{OutRefundNo: r.OutRefundNo})
		}
	}
	if st.WaitingFor == "receiver:sim-"+p.h.tag+"-s1:balance" {
		p.h.topUpSupplier()
		p.env.SignalWorkflow(
			workflows.SignalReceiverToppedUp,
			workflows.ReceiverToppedUp{ReceiverID: p.h.receiverID("s1")},
		)
	}
	if st.Status == workflows.StatusNeedsAttention && st.LastError != nil {
		p.opsAct(st)
	}
	if p.unexpected != "" {
		p.env.CancelWorkflow()
		return
	}
	p.env.RegisterDelayedCallback(p.tick, tickEvery)
}

// opsAct applies the documented ops action for the cause of a NEEDS_ATTENTION, then resumes. Any other cause
// is a finding: the history fails with it.
func (p *player) opsAct(st workflows.SubOrderState) {
	switch t := st.LastError.Type; {
	case t == "Refund."+workflows.RefundAbnormal: // the buyer's card is fixed at the channel
		for _, r := range st.Refunds {
			if r.Status == workflows.RefundAbnormal {
				_ = p.h.ch.settleRefund(p.s.in.Ref.SubMchID, r.OutRefundNo, false)
			}
		}
	case strings.HasPrefix(t, workflows.ErrTypeChannelRejected) && strings.HasSuffix(t, "NOT_ENOUGH"):
		// The shop lacks available money (WeChat NOT_ENOUGH, Alipay ACQ.SELLER_BALANCE_NOT_ENOUGH): it sells, then
		// ops resume.
		p.h.fund(shop{id: p.s.in.Ref.MerchantID, subMchID: p.s.in.Ref.SubMchID}, p.s.in.Amount)
	default:
		p.unexpected = fmt.Sprintf(
			"NEEDS_ATTENTION at %s: %s: %s",
			st.LastError.Step,
			st.LastError.Type,
			st.LastError.Message,
		)
		return
	}
	p.h.count("ops: " + st.LastError.Type)
	p.env.SignalWorkflow(
		workflows.SignalResume,
		workflows.ResumeRequest{By: "ops:sim", Reason: "documented action applied"},
	)
}

func (h *history) topUpSupplier() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.spent[h.sup]; n > 0 {
		h.ch.topUp(channels.ReceiverMerchant, h.sup, n)
		h.spent[h.sup] = 0
	}
}

// check holds the history's invariants.
func (h *history) check() {
	h.topUpSupplier()
	ctx := context.Background()
	l := h.w.l
	fail := func(format string, args ...any) { h.t.Errorf("seed %d: "+format, append([]any{h.seed}, args...)...) }
	for _, s := range h.shops {
		b, err := l.MerchantBalances(ctx, h.ch.name(), s.id)
		frozen, available := h.ch.shopBalance(s.subMchID)
		if err != nil || b[ledger.BucketFrozen].Fen() != frozen || b[ledger.BucketAvailable].Fen() != available {
			fail("shop %s on %s: ledger %v, channel frozen %d available %d (%v)", s.id, h.ch.name(), b, frozen,
				available, err)
		}
	}
	debts := map[string]money.Amount{} // receiver id → what the final states say it still owes
	var receivable money.Amount
	for _, s := range h.subs {
		for _, c := range s.final.Clawbacks {
			if c.Status == workflows.ClawbackDebtRecorded {
				debts[c.ReceiverID] += c.Amount
				receivable += c.Amount
			}
		}
		for _, n := range s.final.Nettings {
			debts[n.ReceiverID] -= n.Amount
			receivable -= n.Amount
		}
	}
	for id, acct := range map[string][2]string{"d1": {channels.ReceiverPersonal, h.d1}, "d2": {channels.ReceiverPersonal, h.d2},
		"s1": {channels.ReceiverMerchant, h.sup}} {
		rid := "sim-" + h.tag + "-" + id
		got, _ := l.Balance(ctx, ledger.ReceiverCommission(h.ch.name(), rid))
		if want := h.ch.receiverBalance(acct[0], acct[1]); got.Fen() != want {
			fail("receiver %s commission: ledger %s, channel %d", id, got, want)
		}
		debt, _ := l.Balance(ctx, ledger.ReceiverDebt(rid))
		if -debt != debts[rid] {
			fail("receiver %s debt: ledger %s, the processes' clawbacks less nettings %s", id, -debt, debts[rid])
		}
	}
	var recv money.Amount
	for _, s := range h.shops {
		r, _ := l.Balance(ctx, ledger.MerchantReceivable(s.id))
		recv += r
	}
	if recv != receivable {
		fail("shops' receivable %s, persons' open debts %s", recv, receivable)
	}
	h.checkPlatform(ctx)
	diffs, trial, err := l.Check(ctx)
	if err != nil || len(diffs) > 0 || trial != 0 {
		fail("ledger check: %v, trial balance %s, %v", diffs, trial, err)
	}
	for _, s := range h.subs {
		h.checkSubOrder(ctx, s)
	}
}

// checkPlatform: what the ledger credited the platform's commission for this history's orders is what the
// simulator paid the platform during it (returns included).
func (h *history) checkPlatform(ctx context.Context) {
	var orders []string
	for _, s := range h.subs {
		orders = append(orders, s.in.Ref.OrderNo)
	}
	var booked int64
	if err := h.w.db.QueryRow(ctx, `SELECT coalesce(sum(e.amount), 0)::bigint FROM entries e
		JOIN accounts a ON a.id = e.account_id JOIN postings p ON p.id = e.posting_id
		WHERE a.key = $1 AND p.order_no = ANY($2)`, ledger.PlatformCommission(h.ch.name()).Key(), orders).
		Scan(&booked); err != nil {
		h.t.Fatal(err)
	}
	if paid := h.ch.receiverBalance(channels.ReceiverMerchant, h.ch.platform()) - h.platformBefore; paid != booked {
		h.t.Errorf("seed %d: platform commission: ledger %d, channel %d", h.seed, booked, paid)
	}
}

// checkSubOrder: the sub-order conserves money, and each money event was posted once (the ledger's totals are
// the process's own).
func (h *history) checkSubOrder(ctx context.Context, s *subRun) {
	t, err := h.w.l.SubOrderTotals(ctx, s.in.Ref.OrderNo, s.in.Ref.SubOrderNo)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := t.Conserved(); err != nil {
		h.t.Errorf("seed %d: %s: %v", h.seed, s.in.Ref.SubOrderNo, err)
	}
	var refunded money.Amount
	for _, r := range s.final.Refunds {
		if r.Status == workflows.RefundSucceeded {
			refunded += r.BuyerRefund
		}
	}
	if t.Paid != s.in.Amount || t.Refunded != refunded || t.Shared-t.Returned != s.final.Shared-returned(s.final) {
		h.t.Errorf(
			"seed %d: %s: ledger %+v; process refunded %s, shared %s",
			h.seed,
			s.in.Ref.SubOrderNo,
			t,
			refunded,
			s.final.Shared,
		)
	}
	h.count("sub-orders")
	h.count("refunds paid: " + strconv.Itoa(len(s.final.Refunds)))
}

func returned(st workflows.SubOrderState) money.Amount {
	var sum money.Amount
	for _, c := range st.Clawbacks {
		if c.Status == workflows.ClawbackReturned {
			sum += c.Amount
		}
	}
	return sum
}
