package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
)

func newLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	return ledger.New(testenv.MigratedPool(t))
}

// mustBalanced fails the test unless every maintained balance equals its entries and the trial balance is 0.
func mustBalanced(t *testing.T, l *ledger.Ledger) {
	t.Helper()
	diffs, trial, err := l.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 || trial != 0 {
		t.Fatalf("ledger out of balance: discrepancies %v, trial balance %s", diffs, trial)
	}
}

func balance(t *testing.T, l *ledger.Ledger, a ledger.Account) money.Amount {
	t.Helper()
	b, err := l.Balance(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The whole life of one sub-order, every posting kind once: the channel documentation's coupon example
// (two items of 100 yuan, a 满200减20 platform coupon, the buyer pays 180, the platform subsidises 20), sharing,
// a refund with clawback from the platform and a distributor, finish, and a withdrawal that bounces.
func TestEveryPostingKindMovesTheRightAccounts(t *testing.T) {
	l := newLedger(t)
	rest := postCouponSubOrder(t, l)
	netAndWithdraw(t, l, rest)
	entries, err := l.OrderPostings(context.Background(), "C1")
	if err != nil || len(entries) == 0 {
		t.Fatalf("order postings: %v, %v", entries, err)
	}
	stmt, err := l.Statement(context.Background(), ledger.MerchantAvailable(channels.WeChatPay, "m1"), time.Now().Add(-time.Hour),
		time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(stmt) != 5 || stmt[len(stmt)-1].BalanceAfter != rest {
		t.Errorf("statement of available: %d lines, last %+v", len(stmt), stmt[len(stmt)-1])
	}
}

// stepper checks each posting succeeded and left the books balanced.
func stepper(t *testing.T, l *ledger.Ledger) func(name string, _ ledger.Result, err error) {
	return func(name string, _ ledger.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mustBalanced(t, l)
	}
}

// postCouponSubOrder posts the coupon example's sub-order C1-1 from payment to finish, a refund of one item with
// clawback included, checks its balances and conservation, and answers what finish unfroze.
func postCouponSubOrder(t *testing.T, l *ledger.Ledger) money.Amount {
	ctx, step := context.Background(), stepper(t, l)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1", MerchantID: "m1"}
	frozen, avail := ledger.MerchantFrozen(channels.WeChatPay, "m1"), ledger.MerchantAvailable(channels.WeChatPay, "m1")
	r, err := l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: "tx1", Amount: 18000})
	step("payment", r, err)
	r, err = l.SubsidyPaid(ctx, ledger.SubsidyPaid{OrderRef: ref, SubsidyID: "sub1", Amount: 2000})
	step("subsidy", r, err)
	if got := balance(t, l, frozen); got != 20000 {
		t.Fatalf("frozen after pay + subsidy = %s, want 200.00", got)
	}
	r, err = l.ProfitShared(ctx, ledger.ProfitShared{OrderRef: ref, SharingOrderID: "so1", Shares: []ledger.Share{
		{Platform: true, Amount: 1000}, {ReceiverID: "d1", Amount: 2000}, {ReceiverID: "d2", Amount: 1000},
	}})
	step("sharing", r, err)
	if got := balance(t, l, ledger.ReceiverCommission(channels.WeChatPay, "d1")); got != 2000 {
		t.Errorf("L1 distributor commission = %s", got)
	}
	// One item comes back: the platform returns its share of it, the person's share becomes debt.
	platformBack := ledger.Share{Platform: true, Amount: 500}
	r, err = l.SharingReturned(ctx, ledger.SharingReturned{
		OrderRef: ref, ReturnID: "ret1", From: platformBack, ToFrozen: true,
	})
	step("sharing return", r, err)
	r, err = l.CommissionDebtRecorded(ctx, ledger.CommissionDebtRecorded{OrderRef: ref, RefundNo: "rf1", ReceiverID: "d1",
		Amount: 1000})
	step("commission debt", r, err)
	r, err = l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: "wxrf1", Amount: 8000, FromFrozen: true})
	step("refund", r, err)
	r, err = l.SubsidyReturned(ctx, ledger.SubsidyReturned{
		OrderRef: ref, ReturnID: "sr1", Amount: 2000, FromFrozen: true,
	})
	step("subsidy return", r, err)
	rest := balance(t, l, frozen)
	r, err = l.Finished(ctx, ledger.Finished{OrderRef: ref, FinishID: "fin1", Amount: rest})
	step("finish", r, err)
	if balance(t, l, frozen) != 0 || balance(t, l, avail) != rest {
		t.Errorf("after finish: frozen %s, available %s, want 0 and %s", balance(t, l, frozen), balance(t, l, avail), rest)
	}
	totals, err := l.SubOrderTotals(ctx, "C1", "C1-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := totals.Conserved(); err != nil {
		t.Errorf("conservation: %v (%+v)", err, totals)
	}
	if totals.Paid != 18000 || totals.Subsidy != 2000 || totals.Shared != 4000 || totals.Settled != rest {
		t.Errorf("totals = %+v", totals)
	}
	return rest
}

// netAndWithdraw withholds the distributor's next commission against its debt, then withdraws the merchant's
// rest, which bounces, and a second withdrawal, which fails: everything ends available again.
func netAndWithdraw(t *testing.T, l *ledger.Ledger, rest money.Amount) {
	ctx, step := context.Background(), stepper(t, l)
	next := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C2", SubOrderNo: "C2-1", MerchantID: "m1"}
	r, err := l.CommissionDebtNetted(ctx, ledger.CommissionDebtNetted{OrderRef: next, NettingID: "C2-1-net-d1",
		ReceiverID: "d1", Amount: 1000})
	step("debt netted", r, err)
	if d := balance(t, l, ledger.ReceiverDebt("d1")); d != 0 {
		t.Errorf("debt after netting = %s", d)
	}
	w := ledger.Withdrawal{Channel: "wechatpay", MerchantID: "m1", OutRequestNo: "w1", Amount: rest}
	r, err = l.WithdrawalRequested(ctx, w)
	step("withdrawal requested", r, err)
	r, err = l.WithdrawalSucceeded(ctx, w)
	step("withdrawal succeeded", r, err)
	r, err = l.WithdrawalBounced(ctx, w)
	step("withdrawal bounced", r, err)
	w2 := ledger.Withdrawal{Channel: "wechatpay", MerchantID: "m1", OutRequestNo: "w2", Amount: 100}
	r, err = l.WithdrawalRequested(ctx, w2)
	step("withdrawal 2 requested", r, err)
	r, err = l.WithdrawalFailed(ctx, w2)
	step("withdrawal 2 failed", r, err)
	bals, err := l.MerchantBalances(ctx, channels.WeChatPay, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if bals[ledger.BucketAvailable] != rest || bals[ledger.BucketWithdrawn] != 0 || bals[ledger.BucketFrozen] != 0 {
		t.Errorf("merchant balances after bounce and failure = %v, want all %s available", bals, rest)
	}
}

func TestRepeatIsIdempotentAndConflictIsRefused(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1", MerchantID: "m1"}
	in := ledger.PaymentReceived{OrderRef: ref, TransactionID: "tx1", Amount: 500}
	first, err := l.PaymentReceived(ctx, in)
	if err != nil || first.Duplicate {
		t.Fatalf("first post: %+v %v", first, err)
	}
	again, err := l.PaymentReceived(ctx, in)
	if err != nil || !again.Duplicate || again.PostingID != first.PostingID {
		t.Fatalf("repeat: %+v %v, want duplicate of %d", again, err, first.PostingID)
	}
	in.Amount = 600
	if _, err := l.PaymentReceived(ctx, in); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("same key, different amount: err = %v, want ErrConflict", err)
	}
	if got := balance(t, l, ledger.MerchantFrozen(channels.WeChatPay, "m1")); got != 500 {
		t.Errorf("frozen = %s after repeat and conflict, want 5.00", got)
	}
	mustBalanced(t, l)
}

func TestOverdrawIsRefusedAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1", MerchantID: "m1"}
	if _, err := l.PaymentReceived(ctx, ledger.PaymentReceived{
		OrderRef: ref, TransactionID: "tx1", Amount: 1000,
	}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: "r1", Amount: 1001, FromFrozen: true})
	var od *ledger.OverdrawError
	if !errors.As(err, &od) || od.Balance != 1000 || od.Amount != -1001 || od.Account != ledger.MerchantFrozen(channels.WeChatPay, "m1") {
		t.Fatalf("overdraw: err = %v", err)
	}
	if _, err := l.WithdrawalRequested(ctx, ledger.Withdrawal{
		Channel: "wechatpay", MerchantID: "m1", OutRequestNo: "w1", Amount: 1,
	}); !errors.As(
		err,
		&od,
	) {
		t.Fatalf("withdrawing frozen money: err = %v", err)
	}
	if got := balance(t, l, ledger.MerchantFrozen(channels.WeChatPay, "m1")); got != 1000 {
		t.Errorf("frozen = %s after refused refund", got)
	}
	// The refused key was not consumed: the corrected refund under the same id posts.
	if _, err := l.Refunded(ctx, ledger.Refunded{
		OrderRef: ref, RefundID: "r1", Amount: 1000, FromFrozen: true,
	}); err != nil {
		t.Errorf("corrected refund: %v", err)
	}
	mustBalanced(t, l)
}

func TestBadInputNamesTheField(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1", MerchantID: "m1"}
	for _, tc := range []struct {
		field string
		post  func() (ledger.Result, error)
	}{
		{"Amount", func() (ledger.Result, error) {
			return l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: "t", Amount: 0})
		}},
		{"TransactionID", func() (ledger.Result, error) {
			return l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, Amount: 1})
		}},
		{"MerchantID", func() (ledger.Result, error) {
			return l.Finished(ctx, ledger.Finished{
				OrderRef: ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1"},
				FinishID: "f", Amount: 1,
			})
		}},
		{"Shares", func() (ledger.Result, error) {
			return l.ProfitShared(ctx, ledger.ProfitShared{OrderRef: ref, SharingOrderID: "s"})
		}},
		{"Entries", func() (ledger.Result, error) {
			return l.Post(ctx, ledger.Posting{Key: "k", Kind: "manual", Entries: []ledger.Entry{
				{Account: ledger.PlatformAvailable(), Amount: 1}, {Account: ledger.MerchantAvailable(channels.WeChatPay, "m1"), Amount: 2}}})
		}},
	} {
		_, err := tc.post()
		var ve *ledger.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("want a ValidationError naming %s, got %v", tc.field, err)
		}
	}
	diffs, trial, err := l.Check(ctx)
	if err != nil || len(diffs) != 0 || trial != 0 {
		t.Fatalf("check: %v %v %v", diffs, trial, err)
	}
	if b := balance(t, l, ledger.MerchantFrozen(channels.WeChatPay, "m1")); b != 0 {
		t.Errorf("bad input changed a balance: %s", b)
	}
}

func TestFiftyConcurrentPostsOfOneKeyPostOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MigratedPool(t)
	l := ledger.New(db)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "C1", SubOrderNo: "C1-1", MerchantID: "m1"}
	var wg sync.WaitGroup
	results := make([]ledger.Result, 50)
	errs := make([]error, 50)
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = l.PaymentReceived(
				ctx,
				ledger.PaymentReceived{OrderRef: ref, TransactionID: "tx-same", Amount: 700},
			)
		}()
	}
	close(start)
	wg.Wait()
	written := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("poster %d: %v", i, errs[i])
		}
		if !results[i].Duplicate {
			written++
		}
		if results[i].PostingID != results[0].PostingID {
			t.Errorf("poster %d got posting %d, poster 0 got %d", i, results[i].PostingID, results[0].PostingID)
		}
	}
	var postings, entries int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM entries)`).Scan(&postings, &entries); err != nil {
		t.Fatal(err)
	}
	if written != 1 || postings != 1 || entries != 2 {
		t.Errorf("%d posters wrote, %d postings, %d entries; want 1, 1, 2", written, postings, entries)
	}
	if got := balance(t, l, ledger.MerchantFrozen(channels.WeChatPay, "m1")); got != 700 {
		t.Errorf("frozen = %s", got)
	}
	mustBalanced(t, l)
}

// A person's debt to a merchant is netted from later commissions on that merchant's orders: at most what is
// open, once per netting id, and never twice when orders net it at the same time.
// laterNetting is order D<n>'s netting of d1's debt to m1, up to 3 yuan.
func laterNetting(n int) ledger.NetDebt {
	later := ledger.OrderRef{Channel: "wechatpay", OrderNo: fmt.Sprintf("D%d", n), SubOrderNo: fmt.Sprintf("D%d-sub1", n),
		MerchantID: "m1"}
	return ledger.NetDebt{OrderRef: later, NettingID: later.SubOrderNo + "-net-d1", ReceiverID: "d1", UpTo: 300}
}

func TestNetCommissionDebtIsBoundedIdempotentAndSerialised(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "D1", SubOrderNo: "D1-sub1", MerchantID: "m1"}
	if _, err := l.CommissionDebtRecorded(ctx, ledger.CommissionDebtRecorded{
		OrderRef: ref, RefundNo: "D1-sub1-rf-1", ReceiverID: "d1", Amount: 1000,
	}); err != nil {
		t.Fatal(err)
	}
	if open, err := l.OpenDebt(ctx, "d1", "m1"); err != nil || open != 1000 {
		t.Fatalf("open debt %s %v", open, err)
	}
	if open, _ := l.OpenDebt(ctx, "d1", "m2"); open != 0 {
		t.Errorf("a debt to m1 is not owed to m2: %s", open)
	}
	// Eight later orders of m1 each try to withhold up to 3 yuan at once: 10 yuan in all, no more.
	var wg sync.WaitGroup
	got := make([]money.Amount, 8)
	for i := range got {
		wg.Go(func() {
			n, err := l.NetCommissionDebt(ctx, laterNetting(i+2))
			if err != nil {
				t.Error(err)
			}
			got[i] = n
		})
	}
	wg.Wait()
	var total money.Amount
	for _, n := range got {
		total += n
	}
	if total != 1000 || balance(t, l, ledger.ReceiverDebt("d1")) != 0 ||
		balance(t, l, ledger.MerchantReceivable("m1")) != 0 {
		t.Errorf("netted %s in all (%v); debt %s, receivable %s", total, got, balance(t, l, ledger.ReceiverDebt("d1")),
			balance(t, l, ledger.MerchantReceivable("m1")))
	}
	// The same netting again answers what it withheld the first time.
	again, err := l.NetCommissionDebt(ctx, laterNetting(2))
	if err != nil || again != got[0] {
		t.Errorf("repeat: %s %v, first %s", again, err, got[0])
	}
	mustBalanced(t, l)
}
