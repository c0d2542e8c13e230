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
	ctx := context.Background()
	merchant := fmt.Sprintf("m%d", r.IntN(20))
	recvs := []string{fmt.Sprintf("d%d", r.IntN(10)), fmt.Sprintf("d%d", 10+r.IntN(10))}
	ref := ledger.OrderRef{
		Channel:    "wechatpay",
		OrderNo:    fmt.Sprintf("O%d", h),
		SubOrderNo: fmt.Sprintf("O%d-1", h),
		MerchantID: merchant,
	}
	frozen := ledger.MerchantFrozen(merchant)
	id := func(s string) string { return fmt.Sprintf("%s-%d", s, h) }
	amt := func(max money.Amount) money.Amount { return 1 + money.Amount(r.Int64N(int64(max))) }

	// Per-sub-order state the workflow would keep: what is still frozen for this order and who got what.
	var rem, subsidyLeft money.Amount
	shared := map[string]money.Amount{} // receiver id ("" = platform) → shared minus given back
	var done []op

	paid := amt(50000)
	pay := op{"payment", func() (ledger.Result, error) {
		return m.l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: id("tx"), Amount: paid})
	}, map[ledger.Account]money.Amount{ledger.BuyersClearing("wechatpay"): -paid, frozen: paid}}
	m.apply(h, pay, nil, false)
	done = append(done, pay)
	rem = paid
	if r.IntN(3) == 0 {
		s := amt(paid/5 + 1)
		o := op{"subsidy", func() (ledger.Result, error) {
			return m.l.SubsidyPaid(ctx, ledger.SubsidyPaid{OrderRef: ref, SubsidyID: id("sub"), Amount: s})
		}, map[ledger.Account]money.Amount{ledger.PlatformSubsidyBudget(): -s, frozen: s}}
		m.apply(h, o, nil, false)
		done = append(done, o)
		rem += s
		subsidyLeft = s
	}

	for step := range r.IntN(7) {
		sid := fmt.Sprintf("%s-%d", id("s"), step)
		switch k := r.IntN(8); {
		case k == 0 && rem >= 4: // share to the platform and a distributor
			pShare, dShare := amt(rem/4), amt(rem/4)
			d := recvs[r.IntN(2)]
			o := op{"sharing", func() (ledger.Result, error) {
				return m.l.ProfitShared(
					ctx,
					ledger.ProfitShared{OrderRef: ref, SharingOrderID: sid, Shares: []ledger.Share{
						{Platform: true, Amount: pShare}, {ReceiverID: d, Amount: dShare}}},
				)
			}, map[ledger.Account]money.Amount{frozen: -(pShare + dShare), ledger.PlatformCommission(): pShare, ledger.ReceiverCommission(d): dShare}}
			m.apply(h, o, nil, false)
			done = append(done, o)
			rem -= pShare + dShare
			shared[""] += pShare
			shared[d] += dShare
		case k == 1 && shared[""] > 0: // the platform returns part of its share
			a := amt(shared[""])
			o := op{"return", func() (ledger.Result, error) {
				return m.l.SharingReturned(
					ctx,
					ledger.SharingReturned{
						OrderRef: ref,
						ReturnID: sid,
						From:     ledger.Share{Platform: true, Amount: a},
						ToFrozen: true,
					},
				)
			}, map[ledger.Account]money.Amount{ledger.PlatformCommission(): -a, frozen: a}}
			m.apply(h, o, nil, false)
			done = append(done, o)
			shared[""] -= a
			rem += a
		case k == 2: // a distributor's unreturnable share becomes debt
			for _, d := range recvs {
				if shared[d] == 0 {
					continue
				}
				a := amt(shared[d])
				o := op{"debt", func() (ledger.Result, error) {
					return m.l.CommissionDebtRecorded(
						ctx,
						ledger.CommissionDebtRecorded{OrderRef: ref, RefundNo: sid, ReceiverID: d, Amount: a},
					)
				}, map[ledger.Account]money.Amount{ledger.ReceiverDebt(d): -a, ledger.MerchantReceivable(ref.MerchantID): a}}
				m.apply(h, o, nil, false)
				done = append(done, o)
				shared[d] -= a // the merchant fronts it: its frozen funds do not grow
				break
			}
		case k == 3 && rem > 0: // partial refund from frozen funds
			a := amt(rem)
			o := op{"refund", func() (ledger.Result, error) {
				return m.l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: sid, Amount: a, FromFrozen: true})
			}, map[ledger.Account]money.Amount{frozen: -a, ledger.BuyersClearing("wechatpay"): a}}
			m.apply(h, o, nil, false)
			done = append(done, o)
			rem -= a
		case k == 4 && subsidyLeft > 0 && rem > 0:
			a := amt(min(subsidyLeft, rem))
			o := op{"subsidy return", func() (ledger.Result, error) {
				return m.l.SubsidyReturned(
					ctx,
					ledger.SubsidyReturned{OrderRef: ref, ReturnID: sid, Amount: a, FromFrozen: true},
				)
			}, map[ledger.Account]money.Amount{frozen: -a, ledger.PlatformSubsidyBudget(): a}}
			m.apply(h, o, nil, false)
			done = append(done, o)
			subsidyLeft -= a
			rem -= a
		case k == 5: // a retried call: same key, same content
			m.apply(h, done[r.IntN(len(done))], nil, true)
		case k == 6: // a refund larger than everything the merchant has frozen
			a := m.bal[frozen.Key()] + 1
			m.apply(h, op{"overdraw", func() (ledger.Result, error) {
				return m.l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: sid, Amount: a, FromFrozen: true})
			}, nil}, errOverdraw, false)
		case k == 7: // same payment key, different amount
			m.apply(h, op{"conflict", func() (ledger.Result, error) {
				return m.l.PaymentReceived(
					ctx,
					ledger.PaymentReceived{OrderRef: ref, TransactionID: id("tx"), Amount: paid + 1},
				)
			}, nil}, ledger.ErrConflict, false)
		}
	}
	// Net part of a distributor's debt to this merchant, as a later order's sharing would.
	for _, d := range recvs {
		if debt := -m.bal[ledger.ReceiverDebt(d).Key()]; debt > 0 &&
			m.bal[ledger.MerchantReceivable(merchant).Key()] >= debt {
			a := amt(debt)
			m.apply(h, op{"net debt", func() (ledger.Result, error) {
				return m.l.CommissionDebtNetted(
					ctx,
					ledger.CommissionDebtNetted{
						OrderRef:   ref,
						NettingID:  id("net") + "-" + d,
						ReceiverID: d,
						Amount:     a,
					},
				)
			}, map[ledger.Account]money.Amount{ledger.MerchantReceivable(merchant): -a, ledger.ReceiverDebt(d): a}}, nil, false)
		}
	}
	if rem > 0 {
		a := rem
		m.apply(h, op{"finish", func() (ledger.Result, error) {
			return m.l.Finished(ctx, ledger.Finished{OrderRef: ref, FinishID: id("fin"), Amount: a})
		}, map[ledger.Account]money.Amount{frozen: -a, ledger.MerchantAvailable(merchant): a}}, nil, false)
	}

	// Checks after the history.
	m.checkAccounts(h, append(
		[]ledger.Account{frozen, ledger.MerchantAvailable(merchant), ledger.PlatformCommission(),
			ledger.PlatformSubsidyBudget(), ledger.BuyersClearing("wechatpay")},
		ledger.ReceiverCommission(
			recvs[0],
		),
		ledger.ReceiverCommission(recvs[1]),
		ledger.ReceiverDebt(recvs[0]),
		ledger.ReceiverDebt(recvs[1]),
	)...)
	totals, err := m.l.SubOrderTotals(ctx, ref.OrderNo, ref.SubOrderNo)
	if err != nil {
		m.fail(h, "totals: %v", err)
	}
	if err := totals.Conserved(); err != nil {
		m.fail(h, "conservation: %v", err)
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
