package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// couponSubOrder is the channel's example as a sub-order: two items of 100 under a platform-funded 满200减20.
func couponSubOrder() SubOrderInput {
	in := subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour, AfterSaleWindow: 24 * time.Hour})
	in.Items = []Item{{SKU: "tea", UnitPrice: 10000, Quantity: 2}}
	in.Coupon = &Coupon{Threshold: 20000, Discount: 2000, FundedBy: CouponByPlatform}
	in.Amount, in.Subsidy = 18000, 2000
	in.Commissions = testCommissions[:2] // platform 5%, L1 10%
	return in
}

// refund sends the RequestRefund update at a virtual time and keeps what came back.
type refundCall struct {
	state    RefundState
	rejected error
}

func requestRefund(env *testsuite.TestWorkflowEnvironment, at time.Duration, req RefundRequest) *refundCall {
	c := &refundCall{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRequestRefund, req.RefundNo+at.String(), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { c.rejected = err },
			OnComplete: func(v any, err error) { c.state, _ = v.(RefundState); c.rejected = err },
		}, req)
	}, at)
	return c
}

func TestCouponExampleRefundBeforeSharing(t *testing.T) {
	f := newFake()
	f.refundPolls = 2
	var first, repeat, other, over *refundCall
	st := runSubOrder(t, f, couponSubOrder(), func(env *testsuite.TestWorkflowEnvironment) {
		first = requestRefund(
			env,
			time.Hour,
			RefundRequest{RefundNo: "R1", Reason: "changed mind", Items: []ItemRefund{{SKU: "tea", Quantity: 1}}},
		)
		repeat = requestRefund(
			env,
			2*time.Hour,
			RefundRequest{RefundNo: "R1", Reason: "changed mind", Items: []ItemRefund{{SKU: "tea", Quantity: 1}}},
		)
		other = requestRefund(
			env,
			3*time.Hour,
			RefundRequest{RefundNo: "R1", Reason: "other", Items: []ItemRefund{{SKU: "tea", Quantity: 1}}},
		)
		over = requestRefund(
			env,
			4*time.Hour,
			RefundRequest{RefundNo: "R2", Items: []ItemRefund{{SKU: "tea", Quantity: 2}}},
		)
	})
	if first.rejected != nil || first.state.BuyerRefund != 8000 || first.state.SubsidyReturn != 2000 {
		t.Fatalf("refund one item: %+v %v", first.state, first.rejected)
	}
	if repeat.rejected != nil || repeat.state.RefundNo != "R1" {
		t.Errorf("the same refund again: %+v %v", repeat.state, repeat.rejected)
	}
	if errorType(other.rejected) != ErrTypeRefundRejected || errorType(over.rejected) != ErrTypeRefundRejected {
		t.Errorf("other content under R1: %v; two more items when one is left: %v", other.rejected, over.rejected)
	}
	// Applied once, posted once, from frozen funds; the voided coupon's subsidy is cancelled, never paid.
	if f.called(ActivityApplyRefund) != 1 || f.posted != 8000 || f.subsidies != 0 ||
		f.called(ActivityCancelSubsidy) != 1 {
		t.Errorf("calls %v, posted %s, subsidies %s", f.calls, f.posted, f.subsidies)
	}
	// The sharing base is what is kept: 100 → platform 5, L1 10; the merchant keeps 85.
	if st.Plan.Base != 10000 || st.Shared != 1500 || st.Status != StatusCompleted {
		t.Errorf("plan %+v shared %s status %s", st.Plan, st.Shared, st.Status)
	}
	if len(st.Refunds) != 1 || st.Refunds[0].Status != RefundSucceeded || st.Refunds[0].OutRefundNo != "T1-sub1-rf-R1" {
		t.Errorf("refunds %+v", st.Refunds)
	}
}

func TestPartialAmountRefundLowersTheSubsidyNothingAndTheBase(t *testing.T) {
	f := newFake()
	in := subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour})
	in.Subsidy = 1000
	var r1, r2 *refundCall
	st := runSubOrder(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		r1 = requestRefund(env, time.Hour, RefundRequest{RefundNo: "A1", Amount: 30000})
		r2 = requestRefund(env, 2*time.Hour, RefundRequest{RefundNo: "A2", Amount: 70001}) // 70000 left
	})
	if r1.rejected != nil || errorType(r2.rejected) != ErrTypeRefundRejected {
		t.Fatalf("r1 %v, r2 %v", r1.rejected, r2.rejected)
	}
	// Base: 1000 paid − 300 refunded + 10 subsidy = 710.
	if st.Plan.Base != 71000 || f.subsidies != 1000 || f.posted != 30000 {
		t.Errorf("base %s, subsidy %s, refunds posted %s", st.Plan.Base, f.subsidies, f.posted)
	}
}

// A refund asked while sharing is PROCESSING waits for it to settle, checks the frozen money, refunds, and only
// once the refund succeeded claws back: the platform and the supplier (merchants) by return orders, the
// distributors (persons) as debt — each to its share of the halved base. Finish unfreezes what is left.
func TestRefundDuringSharingRefundsThenClawsBack(t *testing.T) {
	f := newFake()
	f.processing = 3
	in := subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour})
	var r *refundCall
	st := runSubOrder(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		r = requestRefund(env, time.Hour+2*time.Second, RefundRequest{RefundNo: "H1", Amount: 50000})
	})
	if r.rejected != nil {
		t.Fatal(r.rejected)
	}
	// Shared on 1000: platform 50, L1 100, L2 50, supplier 30. On 500: 25, 50, 25, 15.
	if f.returned != 2500+1500 || f.debts != 5000+2500 || f.posted != 50000 {
		t.Errorf("returned %s, debts %s, refunded %s", f.returned, f.debts, f.posted)
	}
	lastQuery, firstReturn, firstDebt, refund, posted := -1, -1, -1, -1, -1
	for i, c := range f.calls {
		switch {
		case c == "QueryShare T1-sub1-share1":
			lastQuery = i
		case firstReturn < 0 && strings.HasPrefix(c, "ReturnShare"):
			firstReturn = i
		case firstDebt < 0 && strings.HasPrefix(c, ActivityPostCommissionDebt.Name):
			firstDebt = i
		case c == "ApplyRefund T1-sub1-rf-H1":
			refund = i
		case strings.HasPrefix(c, ActivityPostRefund.Name):
			posted = i
		}
	}
	if !(lastQuery < refund && refund < posted && posted < firstReturn && posted < firstDebt) {
		t.Errorf(
			"order of calls: sharing must settle, then the refund succeed and post, then returns and debts: %v",
			f.calls,
		)
	}
	if len(f.froms) != 1 || f.froms[0] != channels.FundsFrozen || len(f.fromFrozen) != 1 || !f.fromFrozen[0] {
		t.Errorf(
			"a refund the unsplit money covers comes from it: asked %v, posted from frozen %v",
			f.froms,
			f.fromFrozen,
		)
	}
	if !slices.Contains(f.calls, "ReturnShare T1-sub1-rf1-rt1-1 T1-sub1-share1") {
		t.Errorf("return numbers derive from the sub-order, refund and receiver: %v", f.calls)
	}
	if len(st.Clawbacks) != 4 || st.Status != StatusCompleted {
		t.Errorf("clawbacks %+v status %s", st.Clawbacks, st.Status)
	}
}

func TestCouponExampleRefundAfterSubsidyReturnsIt(t *testing.T) {
	f := newFake()
	f.processing = 3
	st := runSubOrder(t, f, func() SubOrderInput {
		in := couponSubOrder()
		in.Settings.AutoConfirmAfter = time.Hour
		in.Settings.AfterSaleWindow = 0
		return in
	}(),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(
				env,
				time.Hour+2*time.Second,
				RefundRequest{RefundNo: "C1", Items: []ItemRefund{{SKU: "tea", Quantity: 1}}},
			)
		})
	// Paid 20 subsidy, shared on 200 (platform 10, L1 20); refund one item: base 100 → platform returns 5, L1 owes 10;
	// the buyer gets 80, the merchant returns the 20 subsidy.
	if f.subsidies != 2000 || f.subsidyBack != 2000 || f.posted != 8000 || f.returned != 500 || f.debts != 1000 {
		t.Errorf(
			"subsidy %s back %s refund %s returned %s debts %s",
			f.subsidies,
			f.subsidyBack,
			f.posted,
			f.returned,
			f.debts,
		)
	}
	if st.Status != StatusCompleted {
		t.Errorf("status %s", st.Status)
	}
}

func TestReturnShortOfBalanceWaitsForTopUpAndRetriesUnderANewNumber(t *testing.T) {
	f := newFake()
	f.processing = 3
	f.returnShort["1900000999"] = 1 // the supplier spent its commission
	var waiting SubOrderState
	runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour+2*time.Second, RefundRequest{RefundNo: "S1", Amount: 50000})
			env.RegisterDelayedCallback(func() {
				if v, err := env.QueryWorkflow(QuerySubOrder); err == nil {
					_ = v.Get(&waiting)
				}
				env.SignalWorkflow(SignalReceiverToppedUp, ReceiverToppedUp{ReceiverID: "s1"})
			}, 5*time.Hour)
		},
	)
	if waiting.WaitingFor != "receiver:s1:balance" {
		t.Errorf("while short: waiting for %q", waiting.WaitingFor)
	}
	if !slices.Contains(f.calls, "ReturnShare T1-sub1-rf1-rt2-1 T1-sub1-share1") ||
		!slices.Contains(f.calls, "ReturnShare T1-sub1-rf1-rt2-2 T1-sub1-share1") {
		t.Errorf("the failed return must be retried under a new number: %v", f.calls)
	}
	if f.returned != 4000 || f.posted != 50000 {
		t.Errorf("returned %s refunded %s", f.returned, f.posted)
	}
}

func TestAbnormalRefundIsSurfacedAndResumed(t *testing.T) {
	f := newFake()
	f.abnormal = true
	st, during := refundUntilOpsFixIt(t, f, "X1", 3*time.Hour, func() { f.abnormal = false }, // the buyer's card fixed
		ResumeRequest{By: "ops:bob", Reason: "card replaced"})
	if during.Status != StatusNeedsAttention || len(during.Refunds) != 1 || during.Refunds[0].Status != RefundAbnormal {
		t.Errorf("while abnormal: %s %+v", during.Status, during.Refunds)
	}
	if st.Refunds[0].Status != RefundSucceeded || f.posted != 5000 || f.called(ActivityApplyRefund) != 1 {
		t.Errorf("after resume: %+v posted %s calls %v", st.Refunds, f.posted, f.calls)
	}
	if !slices.Contains(f.calls, "QueryRefundStatus T1-sub1-rf-X1") {
		t.Errorf("a resumed refund must be asked about, not applied again: %v", f.calls)
	}
}

// After finish the sub-order stays open for refunds during the refund window: the saga runs on the merchant's
// available funds, and the conservation check runs again. The workflow ends when the window passes.
func TestRefundAfterFinishDuringTheRefundWindow(t *testing.T) {
	f := newFake()
	in := subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour, RefundWindow: 30 * 24 * time.Hour})
	var during *refundCall
	st := runSubOrder(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		during = requestRefund(env, 10*24*time.Hour, RefundRequest{RefundNo: "W1", Amount: 20000})
	})
	if during.rejected != nil {
		t.Fatalf("in the window: %v", during.rejected)
	}
	if len(f.fromFrozen) != 1 || f.fromFrozen[0] || f.posted != 20000 {
		t.Errorf("refund posted %s, from frozen %v", f.posted, f.fromFrozen)
	}
	// Base 1000 → 800: platform 50 → 40 returns 10, supplier 30 → 24 returns 6; L1 and L2 owe 20 and 10.
	if f.returned != 1000+600 || f.debts != 2000+1000 || f.called(ActivityCheckConservation) != 2 {
		t.Errorf(
			"returned %s debts %s conservation checks %d",
			f.returned,
			f.debts,
			f.called(ActivityCheckConservation),
		)
	}
	if st.Status != StatusCompleted || st.Refunded != 20000 {
		t.Errorf("status %s refunded %s", st.Status, st.Refunded)
	}
}

// A person's open debt is withheld from its next commission on the merchant's orders: the request pays the rest,
// a share netted whole is not sent at all, and a later clawback is measured on the whole share it earned.
func TestDebtNettedFromTheNextCommission(t *testing.T) {
	f := newFake()
	f.owed["d1"] = 3000  // less than its 100-yuan share: 70 is paid
	f.owed["d2"] = 99999 // more than its 50-yuan share: nothing is paid, 50 withheld
	in := subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour, RefundWindow: 24 * time.Hour})
	var r *refundCall
	st := runSubOrder(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		r = requestRefund(env, 2*time.Hour, RefundRequest{RefundNo: "N1", Amount: 50000}) // after finish
	})
	if r.rejected != nil || r.state.RefundNo != "N1" {
		t.Fatalf("refund: %+v %v", r.state, r.rejected)
	}
	want := []DebtNetting{{"d1", "T1-sub1-net-d1", 3000}, {"d2", "T1-sub1-net-d2", 5000}}
	if !slices.Equal(st.Nettings, want) {
		t.Errorf("nettings %+v, want %+v", st.Nettings, want)
	}
	paid := map[string]money.Amount{}
	for _, s := range f.shares {
		for _, p := range s.Shares {
			paid[p.ReceiverID] += p.Amount
		}
	}
	if paid["d1"] != 7000 || paid["d2"] != 0 || paid[PlatformReceiverID] != 5000 || paid["s1"] != 3000 {
		t.Errorf("requests paid %v", paid)
	}
	// The plan keeps what each earned; the clawback on the halved base is half of it — for persons a new debt.
	if st.Plan.Shares[1].Amount != 10000 || f.debts != 5000+2500 || f.returned != 2500+1500 {
		t.Errorf("plan %+v, debts %s, returned %s", st.Plan.Shares, f.debts, f.returned)
	}
	if f.called(ActivityNetCommissionDebts) != 1 {
		t.Errorf("calls %v", f.calls)
	}
}

// The refund's notification ends the wait for its result at once: the refund is queried then, not at the next
// poll a second later. Without it the poll finds the result anyway (the lost-notification case).
func TestRefundNotificationEndsTheWait(t *testing.T) {
	for _, notified := range []bool{true, false} {
		f := newFake()
		f.refundPolls = 1 // the first query finds SUCCESS
		in := subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour})
		in.RefundNotifyURL = "https://api.example.test/notify/wechatpay/refund"
		st := runSubOrder(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour, RefundRequest{RefundNo: "Q1", Amount: 1000})
			if notified {
				env.RegisterDelayedCallback(func() {
					env.SignalWorkflow(
						SignalRefundNotified,
						RefundNotice{NotificationID: "n-1", OutRefundNo: "T1-sub1-rf-Q1", Status: "SUCCESS"},
					)
				}, time.Hour+200*time.Millisecond)
			}
		})
		want := time.Second
		if notified {
			want = 200 * time.Millisecond
		}
		if len(st.Refunds) != 1 || st.Refunds[0].Status != RefundSucceeded ||
			st.Refunds[0].CompletedAt.Sub(st.Refunds[0].RequestedAt) != want {
			t.Errorf("notified %v: refund %+v, want it done %s after the request", notified, st.Refunds, want)
		}
		if f.called(ActivityQueryRefund) != 1 {
			t.Errorf("notified %v: calls %v", notified, f.calls)
		}
	}
}

func TestParseSubOrderNo(t *testing.T) {
	for _, c := range []struct {
		in    string
		order string
		n     int
		ok    bool
	}{
		{"T20261123001-sub2", "T20261123001", 2, true},
		{"A-sub-B-sub12", "A-sub-B", 12, true},
		{"T1-sub0", "", 0, false},
		{"T1-sub02", "", 0, false},
		{"-sub1", "", 0, false},
		{"T1-subx", "", 0, false},
		{"T1", "", 0, false},
	} {
		order, n, ok := ParseSubOrderNo(c.in)
		if order != c.order || n != c.n || ok != c.ok {
			t.Errorf("ParseSubOrderNo(%q) = %q %d %v", c.in, order, n, ok)
		}
	}
}

// A return stuck in PROCESSING is polled until it settles; a return short of balance with no top-up signal is
// tried again after a day under a new number.
func TestReturnProcessingIsPolledAndAShortReturnRetriesAfterADay(t *testing.T) {
	f := newFake()
	f.processing = 2                // the query at once and one after a wait: the refund comes while sharing
	f.returnSlow = 3                // each return answers PROCESSING, then twice more on query
	f.returnShort["1900000100"] = 1 // the platform's first return fails; nobody signals
	var refundAt time.Time
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour+10*time.Millisecond, RefundRequest{RefundNo: "P1", Amount: 50000})
		},
	)
	for _, r := range st.Refunds {
		refundAt = r.CompletedAt
	}
	if f.returned != 2500+1500 || f.posted != 50000 {
		t.Errorf("returned %s refunded %s", f.returned, f.posted)
	}
	if f.called(ActivityQueryReturnShare) != 2*3 {
		t.Errorf("each of 2 successful returns should be asked 3 times: %v", f.calls)
	}
	if !slices.Contains(f.calls, "ReturnShare T1-sub1-rf1-rt1-2 T1-sub1-share1") {
		t.Errorf("the platform's return must be tried again under a new number: %v", f.calls)
	}
	if wait := refundAt.Sub(subOrderInput(OrderSettings{}).PaidAt); wait < 25*time.Hour {
		t.Errorf("refund done %s after payment: the retry should have waited a day", wait)
	}
}

// A refund the channel CLOSED is surfaced like ABNORMAL; when ops resume, it is applied again under a new
// number (the closed one will never pay).
func TestClosedRefundIsSurfacedAndResumed(t *testing.T) {
	f := newFake()
	f.refundClose = true
	st, during := refundUntilOpsFixIt(t, f, "Z1", 2*time.Hour, func() { f.refundClose = false },
		ResumeRequest{By: "ops:ann", Reason: "refund re-opened at the channel"})
	if during.Status != StatusNeedsAttention || during.WaitingFor != "ops:refund Z1" ||
		during.Refunds[0].Status != RefundClosed {
		t.Errorf("while closed: %s %q %+v", during.Status, during.WaitingFor, during.Refunds)
	}
	if st.Refunds[0].Status != RefundSucceeded || f.posted != 5000 || st.Refunds[0].OutRefundNo != "T1-sub1-r2-Z1" {
		t.Errorf("after resume: %+v posted %s", st.Refunds, f.posted)
	}
	if !slices.Contains(f.calls, "ApplyRefund T1-sub1-rf-Z1") ||
		!slices.Contains(f.calls, "ApplyRefund T1-sub1-r2-Z1") {
		t.Errorf("calls %v", f.calls)
	}
}

// A full refund after sharing is larger than what is still unsplit: the workflow asks for the merchant's
// available funds (the channel would refuse it from frozen money) and books it from there.
func TestRefundLargerThanUnsplitComesFromAvailableFunds(t *testing.T) {
	f := newFake()
	f.processing = 2  // the query at once and one after a wait: the refund comes while sharing
	f.unsplit = 80000 // 1000 paid, 200 shared to others
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour+2*time.Second, RefundRequest{RefundNo: "F1", Amount: 100000})
		},
	)
	if len(f.froms) != 1 || f.froms[0] != channels.FundsAvailable || len(f.fromFrozen) != 1 || f.fromFrozen[0] {
		t.Errorf("asked %v, posted from frozen %v; want AVAILABLE both", f.froms, f.fromFrozen)
	}
	if st.Refunds[0].From != channels.FundsAvailable || st.Status != StatusCompleted {
		t.Errorf("refund %+v status %s", st.Refunds[0], st.Status)
	}
}

// A refund the channel refuses (the merchant lacks the money) moves nothing and books nothing: no return, no
// commission debt, until ops resume and the refund succeeds.
func TestRefusedRefundBooksNoDebt(t *testing.T) {
	f := newFake()
	f.processing = 2 // the query at once and one after a wait: the refund comes while sharing
	f.failures[ActivityApplyRefund] = []error{
		temporal.NewNonRetryableApplicationError("lacks", ErrTypeChannelRejected+".NOT_ENOUGH", nil),
	}
	var during SubOrderState
	var debtsDuring, returnedDuring money.Amount
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour+2*time.Second, RefundRequest{RefundNo: "N1", Amount: 50000})
			env.RegisterDelayedCallback(func() {
				if v, err := env.QueryWorkflow(QuerySubOrder); err == nil {
					_ = v.Get(&during)
				}
				f.mu.Lock()
				debtsDuring, returnedDuring = f.debts, f.returned
				f.mu.Unlock()
				env.SignalWorkflow(SignalResume, ResumeRequest{By: "ops:ann", Reason: "merchant topped up"})
			}, 5*time.Hour)
		},
	)
	if during.Status != StatusNeedsAttention || debtsDuring != 0 || returnedDuring != 0 || len(during.Clawbacks) != 0 {
		t.Errorf(
			"while refused: status %s, debts %s, returned %s, clawbacks %+v",
			during.Status,
			debtsDuring,
			returnedDuring,
			during.Clawbacks,
		)
	}
	if st.Status != StatusCompleted || f.debts != 5000+2500 || f.returned != 2500+1500 || f.posted != 50000 {
		t.Errorf("after resume: status %s debts %s returned %s refunded %s", st.Status, f.debts, f.returned, f.posted)
	}
}

// Two full refunds racing for the same sub-order under different numbers: the workflow takes them one at a
// time, so exactly one is accepted and the other is refused naming the amount; the buyer gets the money once.
func TestTwoFullRefundsRacingOnlyOneIsAccepted(t *testing.T) {
	f := newFake()
	var a, b *refundCall
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			a = requestRefund(env, time.Hour, RefundRequest{RefundNo: "A", Amount: 100000})
			b = requestRefund(env, time.Hour, RefundRequest{RefundNo: "B", Amount: 100000})
		},
	)
	if (a.rejected == nil) == (b.rejected == nil) {
		t.Fatalf("both or neither accepted: A %v, B %v", a.rejected, b.rejected)
	}
	refused := a.rejected
	if refused == nil {
		refused = b.rejected
	}
	if errorType(refused) != ErrTypeRefundRejected || !strings.Contains(refused.Error(), "amount") {
		t.Errorf("refusal: %v", refused)
	}
	if f.posted != 100000 || len(st.Refunds) != 1 || st.Refunded != 100000 {
		t.Errorf("refunds %+v, posted %s", st.Refunds, f.posted)
	}
}

// refundUntilOpsFixIt runs a sub-order whose refund of 50 yuan (asked an hour in) the channel fails; after
// fixAfter, ops fix the cause (fix) and resume. It answers the final state and the state while it waited.
func refundUntilOpsFixIt(t *testing.T, f *fakeChannel, refundNo string, fixAfter time.Duration, fix func(),
	resume ResumeRequest,
) (st, during SubOrderState) {
	st = runSubOrder(t, f, subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			requestRefund(env, time.Hour, RefundRequest{RefundNo: refundNo, Amount: 5000})
			env.RegisterDelayedCallback(func() {
				if v, err := env.QueryWorkflow(QuerySubOrder); err == nil {
					_ = v.Get(&during)
				}
				f.mu.Lock()
				fix()
				f.mu.Unlock()
				env.SignalWorkflow(SignalResume, resume)
			}, fixAfter)
		})
	return st, during
}
