package ledger_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
)

var china = channels.ChinaTime

// match matches a run, its day starting in the channels' clock.
func match(l *ledger.Ledger, run ledger.ReconRun, covers []string) (ledger.ReconRun, error) {
	start, err := channels.DayStart(run.Day)
	if err != nil {
		return run, err
	}
	return l.MatchRecon(context.Background(), run, covers, start)
}

func lines(ls ...ledger.BillLine) iter.Seq2[ledger.BillLine, error] {
	return func(yield func(ledger.BillLine, error) bool) {
		for i, l := range ls {
			l.Line = i + 2
			if l.Status == "" {
				l.Status = ledger.BillSuccess
			}
			if !yield(l, nil) {
				return
			}
		}
	}
}

// byKey is a report's discrepancies by posting key.
func byKey(ds []ledger.ReconDiscrepancy) map[string]ledger.ReconDiscrepancy {
	m := map[string]ledger.ReconDiscrepancy{}
	for _, d := range ds {
		m[d.PostingKey] = d
	}
	return m
}

// One day of one channel: each kind of discrepancy found and classified with both sides' data, a matched sharing
// whose receivers are lines of their own, totals per merchant; a rerun gives the same report and keeps what ops
// resolved; a bill that fails at its end stages nothing.
func TestReconciliationClassifiesEachDiscrepancy(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	run, covers := stagedDay(t, l)
	day := run.Day
	run, err := match(l, run, covers)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.ReconReportOf(ctx, "wechatpay", day)
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(rep.Discrepancies)
	missingState := ledger.DiscrepancyOpen
	if time.Now().In(china).Add(ledger.MatchGrace).Format(time.DateOnly) != day {
		missingState = ledger.DiscrepancyExpected // the test runs near midnight
	}
	for key, want := range map[string]struct {
		class, state    string
		channel, ledger money.Amount
	}{
		"wechatpay:payment:txB": {ledger.AmountDiffers, ledger.DiscrepancyOpen, 4999, 5000},
		"wechatpay:payment:txC": {ledger.MissingInLedger, ledger.DiscrepancyOpen, 700, -1},
		"wechatpay:refund:rf1":  {ledger.StatusDiffers, ledger.DiscrepancyOpen, 2000, -1},
		"wechatpay:payment:txD": {ledger.MissingAtChannel, missingState, -1, 3000},
	} {
		d, ok := got[key]
		if !ok || d.Class != want.class || d.State != want.state || amountOr(d.ChannelAmount) != want.channel ||
			amountOr(d.LedgerAmount) != want.ledger {
			t.Errorf("%s: %+v, want %+v", key, d, want)
		}
	}
	if len(got) != 4 || run.Status != ledger.ReconDiscrepancies || run.Lines != 8 || run.Events != 7 ||
		run.Matched != 4 || run.Fees != 84 {
		t.Errorf("run %+v with %d discrepancies", run, len(got))
	}
	if !slices.Contains(rep.Totals, ledger.MerchantTotal{Merchant: "m1", Kind: "payment", Events: 1, Amount: 10000}) ||
		!slices.Contains(rep.Totals, ledger.MerchantTotal{Merchant: "m1", Kind: "sharing", Events: 1, Amount: -1500}) {
		t.Errorf("totals %+v", rep.Totals)
	}
	rerunKeepsResolutions(t, l, run, covers, got["wechatpay:payment:txB"].ID)
	failedBillStagesNothing(t, l, run)
}

// stagedDay books a day of one sub-order on WeChat Pay and stages bills that differ from it in every way.
func stagedDay(t *testing.T, l *ledger.Ledger) (ledger.ReconRun, []string) {
	ctx := context.Background()
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "R1", SubOrderNo: "R1-1", MerchantID: "m1"}
	must := func(_ ledger.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for tx, amount := range map[string]money.Amount{"txA": 10000, "txB": 5000, "txD": 3000} {
		must(l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: tx, Amount: amount}))
	}
	must(l.ProfitShared(ctx, ledger.ProfitShared{OrderRef: ref, SharingOrderID: "so1",
		Shares: []ledger.Share{{Platform: true, Amount: 500}, {ReceiverID: "d1", Amount: 1000}}}))
	must(l.Refunded(ctx, ledger.Refunded{OrderRef: ref, RefundID: "rf2", Amount: 1000, FromFrozen: true}))
	run, err := l.BeginRecon(ctx, "wechatpay", time.Now().In(china).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	stage := func(bill string, ls iter.Seq2[ledger.BillLine, error]) {
		t.Helper()
		if _, err := l.StageBill(ctx, run, bill, ls); err != nil {
			t.Fatal(err)
		}
	}
	stage("trade", lines(
		ledger.BillLine{Kind: "payment", EventID: "txA", Amount: 10000, Fee: 60},
		ledger.BillLine{Kind: "payment", EventID: "txB", Amount: 4999, Fee: 30},                           // amount differs
		ledger.BillLine{Kind: "payment", EventID: "txC", OutNo: "R9-1", Amount: 700},                      // missing in ledger
		ledger.BillLine{Kind: "refund", EventID: "rf1", TradeID: "txA", Amount: 2000},                     // ours, not booked
		ledger.BillLine{Kind: "refund", EventID: "rf2", TradeID: "txA", Amount: 1000, Fee: 6},             // its fee back
		ledger.BillLine{Kind: "refund", EventID: "rf3", TradeID: "txA", Amount: 10, Status: "PROCESSING"}, // not yet
	))
	stage("sharing", lines(
		ledger.BillLine{Kind: "sharing", EventID: "so1", TradeID: "txA", Amount: 500},
		ledger.BillLine{Kind: "sharing", EventID: "so1", TradeID: "txA", Amount: 1000},
	))
	return run, []string{"payment", "refund", "sharing", "sharing_return"}
}

func amountOr(a *money.Amount) money.Amount {
	if a == nil {
		return -1
	}
	return *a
}

// rerunKeepsResolutions: ops resolve one item; the day run again gives the same report with it still resolved.
func rerunKeepsResolutions(t *testing.T, l *ledger.Ledger, run ledger.ReconRun, covers []string, id int64) {
	ctx := context.Background()
	if _, err := l.ResolveDiscrepancy(ctx, id, "", "why"); err == nil {
		t.Error("resolved without saying who")
	}
	if d, err := l.ResolveDiscrepancy(ctx, id, "ops:ann", "the channel corrected its bill"); err != nil ||
		d.State != ledger.DiscrepancyResolved {
		t.Fatalf("resolve: %+v %v", d, err)
	}
	before, _ := l.ReconReportOf(ctx, run.Channel, run.Day)
	if _, err := match(l, run, covers); err != nil {
		t.Fatal(err)
	}
	after, _ := l.ReconReportOf(ctx, run.Channel, run.Day)
	if len(after.Discrepancies) != len(before.Discrepancies) || byKey(after.Discrepancies)["wechatpay:payment:txB"].State !=
		ledger.DiscrepancyResolved || after.Run.Matched != before.Run.Matched {
		t.Errorf("rerun: %+v\nbefore: %+v", after, before)
	}
	for key, d := range byKey(before.Discrepancies) { // ops act on the ids they read while the run matches again
		if byKey(after.Discrepancies)[key].ID != d.ID {
			t.Errorf("%s changed its id on a rerun: %d, then %d", key, d.ID, byKey(after.Discrepancies)[key].ID)
		}
	}
}

// failedBillStagesNothing: a bill whose reading fails (a hash mismatch found at its end) leaves the staged
// lines of that bill as they were.
func failedBillStagesNothing(t *testing.T, l *ledger.Ledger, run ledger.ReconRun) {
	ctx := context.Background()
	bad := func(yield func(ledger.BillLine, error) bool) {
		if yield(ledger.BillLine{Line: 2, Kind: "payment", EventID: "txZ", Amount: 1, Status: "SUCCESS"}, nil) {
			yield(ledger.BillLine{}, errors.New("bill SHA1 mismatch"))
		}
	}
	if _, err := l.StageBill(ctx, run, "trade", bad); err == nil {
		t.Fatal("a failed bill was staged")
	}
	run, err := match(l, run, []string{"payment"})
	if err != nil || run.Lines != 8 {
		t.Errorf("after a failed bill: %+v %v, want the 8 lines staged before", run, err)
	}
}

// A posting no bill of its day lists, listed by the next day's bill (the channel dated it past midnight), is
// matched there: the earlier item becomes MATCHED_LATER and the later run balances.
func TestMissingAtChannelMatchedByALaterBill(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	ref := ledger.OrderRef{Channel: "alipay", OrderNo: "L1", SubOrderNo: "L1-1", MerchantID: "m1"}
	if _, err := l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: "2026T1", Amount: 800}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(china)
	first, _ := l.BeginRecon(ctx, "alipay", today.Format(time.DateOnly))
	first, err := match(l, first, []string{"payment"})
	if err != nil || first.Status != ledger.ReconDiscrepancies && first.Status != ledger.ReconBalanced {
		t.Fatalf("first day: %+v %v", first, err)
	}
	next, _ := l.BeginRecon(ctx, "alipay", today.AddDate(0, 0, 1).Format(time.DateOnly))
	if _, err := l.StageBill(ctx, next, "trade", lines(ledger.BillLine{Kind: "payment", EventID: "2026T1", Amount: 800})); err != nil {
		t.Fatal(err)
	}
	if next, err = match(l, next, []string{"payment"}); err != nil || next.Status != ledger.ReconBalanced {
		t.Fatalf("next day: %+v %v", next, err)
	}
	rep, _ := l.ReconReportOf(ctx, "alipay", first.Day)
	if len(rep.Discrepancies) != 1 || rep.Discrepancies[0].State != ledger.DiscrepancyMatchedLater ||
		rep.Run.Status != ledger.ReconBalanced {
		t.Errorf("the first day: %+v %+v", rep.Run, rep.Discrepancies)
	}
}

// Two runs of the same day at once — the schedule's and one started by hand — each stage the same bill and match:
// both succeed, one after the other, and the report is what one run alone gives.
func TestRacingRunsOfTheSameDay(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	run, covers := stagedDay(t, l)
	want, err := match(l, run, covers)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := l.ReconReportOf(ctx, run.Channel, run.Day)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, err := l.StageBill(ctx, run, "trade", lines(
				ledger.BillLine{Kind: "payment", EventID: "txA", Amount: 10000, Fee: 60},
				ledger.BillLine{Kind: "payment", EventID: "txB", Amount: 4999, Fee: 30},
				ledger.BillLine{Kind: "payment", EventID: "txC", OutNo: "R9-1", Amount: 700},
				ledger.BillLine{Kind: "refund", EventID: "rf1", TradeID: "txA", Amount: 2000},
				ledger.BillLine{Kind: "refund", EventID: "rf2", TradeID: "txA", Amount: 1000},
				ledger.BillLine{Kind: "refund", EventID: "rf3", TradeID: "txA", Amount: 10, Status: "PROCESSING"},
			))
			errs <- err
			_, err = match(l, run, covers)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	after, _ := l.ReconReportOf(ctx, run.Channel, run.Day)
	if after.Run.Lines != want.Lines || after.Run.Matched != want.Matched || len(after.Discrepancies) !=
		len(before.Discrepancies) {
		t.Errorf("after racing runs: %+v\nalone: %+v", after.Run, want)
	}
	for key, d := range byKey(before.Discrepancies) {
		if a := byKey(after.Discrepancies)[key]; a.ID != d.ID || a.Class != d.Class {
			t.Errorf("%s: %+v, alone %+v", key, a, d)
		}
	}
}
