package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
)

// TestModelRandomHistories runs thousands of seeded random sub-order histories against the ledger and an
// in-memory model of what every account must hold. After each history it checks: the touched accounts equal
// the model and the sum of their entries, the trial balance is zero, no merchant account is negative, and
// the sub-order conserves money. Set SPLITPAY_LEDGER_SEED to replay a failure; SPLITPAY_LEDGER_HISTORIES
// to change the count (default 10000).
func TestModelRandomHistories(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SPLITPAY_LEDGER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	histories := 10000
	if s := os.Getenv("SPLITPAY_LEDGER_HISTORIES"); s != "" {
		histories, _ = strconv.Atoi(s)
	}
	t.Logf("seed %d (replay with SPLITPAY_LEDGER_SEED=%d), %d histories", seed, seed, histories)
	fmt.Printf("ledger model test: seed %d, %d histories\n", seed, histories)

	l := newLedger(t)
	m := &model{t: t, l: l, bal: map[string]money.Amount{}, seed: seed}
	for h := range histories {
		m.history(rand.New(rand.NewPCG(seed, uint64(h))), h)
		if h%1000 == 999 || h == histories-1 {
			diffs, trial, err := l.Check(context.Background())
			if err != nil || len(diffs) > 0 || trial != 0 {
				t.Fatalf("seed %d after history %d: full check: %v %v %v", seed, h, diffs, trial, err)
			}
		}
	}
	t.Logf("%d postings, %d expected refusals", m.posted, m.refused)
}

type model struct {
	t       *testing.T
	l       *ledger.Ledger
	seed    uint64
	bal     map[string]money.Amount // expected balance per account key
	posted  int
	refused int
}

// op is one call with the balance changes the business meaning implies (independent of the ledger's code).
type op struct {
	name  string
	call  func() (ledger.Result, error)
	moves map[ledger.Account]money.Amount
}

func (m *model) fail(h int, format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d history %d: %s", m.seed, h, fmt.Sprintf(format, args...))
}

// apply runs o, expecting success (wantErr nil), a duplicate, or a specific refusal; the model moves only on
// a first success.
func (m *model) apply(h int, o op, wantErr error, wantDup bool) {
	m.t.Helper()
	res, err := o.call()
	switch {
	case wantErr != nil:
		var od *ledger.OverdrawError
		if !errors.Is(err, wantErr) && !(errors.Is(wantErr, errOverdraw) && errors.As(err, &od)) {
			m.fail(h, "%s: err = %v, want %v", o.name, err, wantErr)
		}
		m.refused++
		return
	case err != nil:
		m.fail(h, "%s: %v", o.name, err)
	case res.Duplicate != wantDup:
		m.fail(h, "%s: duplicate = %v, want %v", o.name, res.Duplicate, wantDup)
	}
	if !wantDup {
		m.posted++
		for a, d := range o.moves {
			m.bal[a.Key()] += d
		}
	}
}

var errOverdraw = errors.New("overdraw")

func (m *model) history(r *rand.Rand, h int) {
	merchant := fmt.Sprintf("m%d", r.IntN(20))
	x := &modelHistory{m: m, ctx: context.Background(), r: r, h: h, merchant: merchant,
		recvs: []string{fmt.Sprintf("d%d", r.IntN(10)), fmt.Sprintf("d%d", 10+r.IntN(10))},
		ref: ledger.OrderRef{Channel: "wechatpay", OrderNo: fmt.Sprintf("O%d", h), SubOrderNo: fmt.Sprintf("O%d-1", h),
			MerchantID: merchant},
		frozen: ledger.MerchantFrozen(channels.WeChatPay, merchant), shared: map[string]money.Amount{}}
	x.pay()
	for step := range r.IntN(7) {
		x.step(fmt.Sprintf("%s-%d", x.id("s"), step))
	}
	x.netDebts()
	x.finish()
	x.check()
}

// modelHistory is one random sub-order's history against the model: the state the workflow would keep (what is
// still frozen for the order, who got what) and the postings applied so far.
type modelHistory struct {
	m        *model
	ctx      context.Context
	r        *rand.Rand
	h        int
	merchant string
	recvs    []string
	ref      ledger.OrderRef
	frozen   ledger.Account

	rem, subsidyLeft, paid money.Amount
	shared                 map[string]money.Amount // receiver id ("" = platform) → shared minus given back
	done                   []op
}

func (x *modelHistory) id(s string) string { return fmt.Sprintf("%s-%d", s, x.h) }

func (x *modelHistory) amt(max money.Amount) money.Amount {
	return 1 + money.Amount(x.r.Int64N(int64(max)))
}

// post applies a first posting that moves the model.
func (x *modelHistory) post(name string, call func() (ledger.Result, error), moves map[ledger.Account]money.Amount) {
	o := op{name, call, moves}
	x.m.apply(x.h, o, nil, false)
	x.done = append(x.done, o)
}

// pay posts the payment, and a subsidy one time in three.
func (x *modelHistory) pay() {
	ctx, ref := x.ctx, x.ref
	x.paid = x.amt(50000)
	paid := x.paid
	x.post("payment", func() (ledger.Result, error) {
		return x.m.l.PaymentReceived(ctx, ledger.PaymentReceived{
			OrderRef: ref, TransactionID: x.id("tx"), Amount: paid,
		})
	}, map[ledger.Account]money.Amount{ledger.BuyersClearing("wechatpay"): -paid, x.frozen: paid})
	x.rem = paid
	if x.r.IntN(3) == 0 {
		s := x.amt(paid/5 + 1)
		x.post("subsidy", func() (ledger.Result, error) {
			return x.m.l.SubsidyPaid(ctx, ledger.SubsidyPaid{OrderRef: ref, SubsidyID: x.id("sub"), Amount: s})
		}, map[ledger.Account]money.Amount{ledger.PlatformSubsidyBudget(): -s, x.frozen: s})
		x.rem += s
		x.subsidyLeft = s
	}
}

// step is one random event of the sub-order's life, sid its channel id.
func (x *modelHistory) step(sid string) {
	switch k := x.r.IntN(8); {
	case k == 0 && x.rem >= 4:
		x.share(sid)
	case k == 1 && x.shared[""] > 0:
		x.platformReturns(sid)
	case k == 2:
		x.debt(sid)
	case k == 3 && x.rem > 0: // partial refund from frozen funds
		ctx, ref, a := x.ctx, x.ref, x.amt(x.rem)
		x.post("refund", func() (ledger.Result, error) {
			return x.m.l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: sid, Amount: a, FromFrozen: true})
		}, map[ledger.Account]money.Amount{x.frozen: -a, ledger.BuyersClearing("wechatpay"): a})
		x.rem -= a
	case k == 4 && x.subsidyLeft > 0 && x.rem > 0:
		x.subsidyReturn(sid)
	case k == 5: // a retried call: same key, same content
		x.m.apply(x.h, x.done[x.r.IntN(len(x.done))], nil, true)
	case k == 6 || k == 7:
		x.refused(sid, k == 6)
	}
}

// share shares to the platform and a distributor.
func (x *modelHistory) share(sid string) {
	ctx, ref := x.ctx, x.ref
	pShare, dShare := x.amt(x.rem/4), x.amt(x.rem/4)
	d := x.recvs[x.r.IntN(2)]
	x.post("sharing", func() (ledger.Result, error) {
		return x.m.l.ProfitShared(ctx, ledger.ProfitShared{OrderRef: ref, SharingOrderID: sid, Shares: []ledger.Share{
			{Platform: true, Amount: pShare}, {ReceiverID: d, Amount: dShare}}})
	}, map[ledger.Account]money.Amount{x.frozen: -(pShare + dShare), ledger.PlatformCommission(channels.WeChatPay): pShare,
		ledger.ReceiverCommission(channels.WeChatPay, d): dShare})
	x.rem -= pShare + dShare
	x.shared[""] += pShare
	x.shared[d] += dShare
}

// platformReturns gives part of the platform's share back into the frozen funds.
func (x *modelHistory) platformReturns(sid string) {
	ctx, ref, a := x.ctx, x.ref, x.amt(x.shared[""])
	x.post("return", func() (ledger.Result, error) {
		return x.m.l.SharingReturned(ctx, ledger.SharingReturned{OrderRef: ref, ReturnID: sid,
			From: ledger.Share{Platform: true, Amount: a}, ToFrozen: true})
	}, map[ledger.Account]money.Amount{ledger.PlatformCommission(channels.WeChatPay): -a, x.frozen: a})
	x.shared[""] -= a
	x.rem += a
}

// debt books a distributor's unreturnable share as its debt; the merchant fronts it, its frozen funds do not grow.
func (x *modelHistory) debt(sid string) {
	ctx, ref := x.ctx, x.ref
	for _, d := range x.recvs {
		if x.shared[d] == 0 {
			continue
		}
		a := x.amt(x.shared[d])
		x.post("debt", func() (ledger.Result, error) {
			return x.m.l.CommissionDebtRecorded(ctx, ledger.CommissionDebtRecorded{OrderRef: ref, RefundNo: sid, ReceiverID: d,
				Amount: a})
		}, map[ledger.Account]money.Amount{ledger.ReceiverDebt(d): -a, ledger.MerchantReceivable(ref.MerchantID): a})
		x.shared[d] -= a
		return
	}
}

func (x *modelHistory) subsidyReturn(sid string) {
	ctx, ref, a := x.ctx, x.ref, x.amt(min(x.subsidyLeft, x.rem))
	x.post("subsidy return", func() (ledger.Result, error) {
		return x.m.l.SubsidyReturned(ctx, ledger.SubsidyReturned{
			OrderRef: ref, ReturnID: sid, Amount: a, FromFrozen: true,
		})
	}, map[ledger.Account]money.Amount{x.frozen: -a, ledger.PlatformSubsidyBudget(): a})
	x.subsidyLeft -= a
	x.rem -= a
}

// refused posts what the ledger must refuse: a refund larger than everything the merchant has frozen
// (overdraw), or the payment's key with a different amount (conflict).
func (x *modelHistory) refused(sid string, overdraw bool) {
	ctx, ref := x.ctx, x.ref
	if overdraw {
		a := x.m.bal[x.frozen.Key()] + 1
		x.m.apply(x.h, op{"overdraw", func() (ledger.Result, error) {
			return x.m.l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: sid, Amount: a, FromFrozen: true})
		}, nil}, errOverdraw, false)
		return
	}
	x.m.apply(x.h, op{"conflict", func() (ledger.Result, error) {
		return x.m.l.PaymentReceived(ctx, ledger.PaymentReceived{
			OrderRef: ref, TransactionID: x.id("tx"), Amount: x.paid + 1,
		})
	}, nil}, ledger.ErrConflict, false)
}

// netDebts nets part of a distributor's debt to this merchant, as a later order's sharing would.
func (x *modelHistory) netDebts() {
	ctx, ref := x.ctx, x.ref
	for _, d := range x.recvs {
		debt := -x.m.bal[ledger.ReceiverDebt(d).Key()]
		if debt <= 0 || x.m.bal[ledger.MerchantReceivable(x.merchant).Key()] < debt {
			continue
		}
		a := x.amt(debt)
		x.m.apply(x.h, op{"net debt", func() (ledger.Result, error) {
			return x.m.l.CommissionDebtNetted(ctx, ledger.CommissionDebtNetted{OrderRef: ref, NettingID: x.id("net") + "-" + d,
				ReceiverID: d, Amount: a})
		}, map[ledger.Account]money.Amount{
			ledger.MerchantReceivable(x.merchant): -a, ledger.ReceiverDebt(d): a,
		}}, nil, false)
	}
}

// finish unfreezes what is left.
func (x *modelHistory) finish() {
	if x.rem <= 0 {
		return
	}
	ctx, ref, a := x.ctx, x.ref, x.rem
	x.m.apply(x.h, op{"finish", func() (ledger.Result, error) {
		return x.m.l.Finished(ctx, ledger.Finished{OrderRef: ref, FinishID: x.id("fin"), Amount: a})
	}, map[ledger.Account]money.Amount{x.frozen: -a, ledger.MerchantAvailable(channels.WeChatPay, x.merchant): a}}, nil, false)
}

// check compares every touched account with the model, and checks the sub-order conserves money.
func (x *modelHistory) check() {
	x.m.checkAccounts(x.h, x.frozen, ledger.MerchantAvailable(channels.WeChatPay, x.merchant), ledger.PlatformCommission(channels.WeChatPay),
		ledger.PlatformSubsidyBudget(), ledger.BuyersClearing("wechatpay"),
		ledger.ReceiverCommission(channels.WeChatPay, x.recvs[0]), ledger.ReceiverCommission(channels.WeChatPay, x.recvs[1]),
		ledger.ReceiverDebt(x.recvs[0]), ledger.ReceiverDebt(x.recvs[1]))
	totals, err := x.m.l.SubOrderTotals(x.ctx, x.ref.OrderNo, x.ref.SubOrderNo)
	if err != nil {
		x.m.fail(x.h, "totals: %v", err)
	}
	if err := totals.Conserved(); err != nil {
		x.m.fail(x.h, "conservation: %v", err)
	}
}

// checkAccounts compares each account's maintained balance with the model and with the sum of its entries,
// and the trial balance with zero, in one query.
func (m *model) checkAccounts(h int, accts ...ledger.Account) {
	m.t.Helper()
	ctx := context.Background()
	for _, a := range accts {
		got, err := m.l.Balance(ctx, a)
		if err != nil {
			m.fail(h, "balance %s: %v", a, err)
		}
		if want := m.bal[a.Key()]; got != want {
			m.fail(h, "%s holds %s, model says %s", a, got, want)
		}
		if a.NonNegative() && got < 0 {
			m.fail(h, "%s is negative: %s", a, got)
		}
	}
	sumEntries, trial, negatives, err := m.l.QuickCheck(ctx, accts...)
	if err != nil {
		m.fail(h, "quick check: %v", err)
	}
	for i, a := range accts {
		if sumEntries[i] != m.bal[a.Key()] {
			m.fail(h, "%s entries sum to %s, model says %s", a, sumEntries[i], m.bal[a.Key()])
		}
	}
	if trial != 0 || negatives != 0 {
		m.fail(h, "trial balance %s, %d negative merchant accounts", trial, negatives)
	}
}
