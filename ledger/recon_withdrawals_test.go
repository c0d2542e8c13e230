package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
)

// Withdrawals are matched by our merchant and out_request_no (the activity reads them from the bill's sub-merchant):
// one the channel accepted matches its reservation, one that came back matches its release; one the channel refused
// (reserved and released, listed by no bill) is no discrepancy; one with another amount, one no bill lists, and one
// of a sub-merchant the ledger does not know are.
func TestWithdrawalsAreMatchedByTheirOutRequestNo(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	run := withdrawalsOfADay(t, l)
	var err error
	line := func(kind, merchant, no string, amount money.Amount) ledger.BillLine {
		return ledger.BillLine{Kind: kind, EventID: ledger.WithdrawalEventID(merchant, no), OutNo: no, Amount: amount}
	}
	if _, err := l.StageBill(ctx, run, "sub_fundflow", lines(
		line("withdrawal_requested", "m1", "WA", 1000),
		line("withdrawal_requested", "m1", "WC", 2999), // amount differs
		line("withdrawal_requested", "m1", "WE", 5000),
		line("withdrawal_failed", "m1", "WE", 5000),
		line("withdrawal_requested", "?1900000999", "WZ", 700), // a sub-merchant the ledger does not know
	)); err != nil {
		t.Fatal(err)
	}
	if run, err = match(l, run, []string{"withdrawal_requested", "withdrawal_failed", "withdrawal_bounced"}); err != nil {
		t.Fatal(err)
	}
	rep, err := l.ReconReportOf(ctx, "wechatpay", run.Day)
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(rep.Discrepancies)
	missing := ledger.DiscrepancyOpen
	if time.Now().In(china).Add(ledger.MatchGrace).Format(time.DateOnly) != run.Day {
		missing = ledger.DiscrepancyExpected // the test runs near midnight
	}
	for key, want := range map[string][2]string{
		"wechatpay:withdrawal_requested:m1:WC":          {ledger.AmountDiffers, ledger.DiscrepancyOpen},
		"wechatpay:withdrawal_requested:m1:WD":          {ledger.MissingAtChannel, missing},
		"wechatpay:withdrawal_requested:?1900000999:WZ": {ledger.MissingInLedger, ledger.DiscrepancyOpen},
	} {
		if d, ok := got[key]; !ok || d.Class != want[0] || d.State != want[1] {
			t.Errorf("%s: %+v, want %v", key, d, want)
		}
	}
	if len(got) != 3 || run.Matched != 3 {
		t.Errorf("run %+v, discrepancies %+v", run, rep.Discrepancies)
	}
}

// withdrawalsOfADay books m1's five withdrawals of today and opens the day's run: WA paid, WB refused by the
// channel, WC and WD accepted, WE accepted then failed.
func withdrawalsOfADay(t *testing.T, l *ledger.Ledger) ledger.ReconRun {
	ctx := context.Background()
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "W1", SubOrderNo: "W1-1", MerchantID: "m1"}
	must := func(_ ledger.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: "txW", Amount: 100000}))
	must(l.Finished(ctx, ledger.Finished{OrderRef: ref, FinishID: "fin1", Amount: 100000}))
	w := func(no string, amount money.Amount) ledger.Withdrawal {
		return ledger.Withdrawal{Channel: "wechatpay", MerchantID: "m1", OutRequestNo: no, Amount: amount}
	}
	for no, amount := range map[string]money.Amount{"WA": 1000, "WB": 2000, "WC": 3000, "WD": 4000, "WE": 5000} {
		must(l.WithdrawalRequested(ctx, w(no, amount)))
	}
	must(l.WithdrawalSucceeded(ctx, w("WA", 1000)))
	must(l.WithdrawalFailed(ctx, w("WB", 2000))) // refused by the channel: it never moved there
	must(l.WithdrawalFailed(ctx, w("WE", 5000))) // accepted, then FAIL: both movements listed
	run, err := l.BeginRecon(ctx, "wechatpay", time.Now().In(china).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	return run
}
