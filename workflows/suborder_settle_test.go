package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// alipaySubOrder is subOrderInput on a channel that confirms settlement before sharing and reverses shares
// inside refunds (Alipay 直付通).
func alipaySubOrder(s OrderSettings) SubOrderInput {
	in := subOrderInput(s)
	in.Ref.Channel = channels.Alipay
	in.Limits.ConfirmBeforeSharing, in.Limits.RefundReversesShares = true, true
	return in
}

// index is where the first call starting with prefix sits in the calls, or -1.
func index(calls []string, prefix string) int {
	return slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

// The settlement is confirmed once, just before sharing, for what the buyer did not get back; a WeChat
// sub-order never confirms.
func TestAlipayConfirmsSettlementBeforeSharing(t *testing.T) {
	f := newFake()
	var r *refundCall
	st := runSubOrder(t, f, alipaySubOrder(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			r = requestRefund(env, time.Minute, RefundRequest{RefundNo: "B1", Amount: 30000})
		})
	if r.rejected != nil || st.Status != StatusCompleted {
		t.Fatalf("refund %v, status %s", r.rejected, st.Status)
	}
	confirm, share := index(f.calls, "ConfirmSettlement T1-sub1-settle"), index(f.calls, "Share ")
	if len(f.settled) != 1 || f.settled[0] != 70000 || confirm < 0 || confirm > share {
		t.Errorf("confirms %v; calls %v", f.settled, f.calls)
	}
	// Before sharing nothing was shared, so the refund takes nothing back.
	if len(f.reversals) != 1 || len(f.reversals[0]) != 0 || st.Plan.Base != 70000 {
		t.Errorf("reversals %v, base %s", f.reversals, st.Plan.Base)
	}
	w := newFake()
	runSubOrder(t, w, subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}), nil)
	if w.called(ActivityConfirmSettlement) != 0 {
		t.Errorf("a WeChat sub-order confirmed settlement: %v", w.calls)
	}
}

// A refund after finish names the merchant receivers' parts in the refund itself (no return orders), posts
// them back before the refund, and books the distributors' parts as debts; the refund comes from available
// funds after finish.
func TestAlipayRefundAfterFinishReversesWithinTheRefund(t *testing.T) {
	f := newFake()
	var r *refundCall
	st := runSubOrder(t, f, alipaySubOrder(OrderSettings{AutoConfirmAfter: time.Hour, RefundWindow: 48 * time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			r = requestRefund(env, 24*time.Hour, RefundRequest{RefundNo: "L1", Amount: 50000})
		})
	if r.rejected != nil || len(st.Refunds) != 1 || st.Refunds[0].Status != RefundSucceeded {
		t.Fatalf("refund %v %+v", r.rejected, st.Refunds)
	}
	// Shared on 1000: platform 50, L1 100, L2 50, supplier 30. Half refunded: each gives back half.
	want := []Reversal{{ReceiverID: PlatformReceiverID, Account: "1900000100", Amount: 2500},
		{ReceiverID: "s1", Account: "1900000999", Amount: 1500}}
	if len(f.reversals) != 1 || !slices.Equal(f.reversals[0], want) {
		t.Errorf("reversals %+v, want %+v", f.reversals, want)
	}
	if f.called(ActivityReturnShare) != 0 || f.returned != 4000 || f.debts != 7500 {
		t.Errorf("returns %d, returned %s, debts %s; calls %v", f.called(ActivityReturnShare), f.returned, f.debts,
			f.calls)
	}
	if back, refund := index(f.calls, "PostSharingReturned "), index(f.calls, "PostRefund "); back < 0 || back > refund {
		t.Errorf("what came back must be posted before the refund: %v", f.calls)
	}
	if len(f.froms) != 1 || f.froms[0] != channels.FundsAvailable {
		t.Errorf("refund source %v", f.froms)
	}
}

// During sharing, what receivers give back within the refund counts toward the unsplit money: a refund the
// unsplit money covers only with them is still taken from it.
func TestAlipayRefundSourceCountsTheReversals(t *testing.T) {
	for _, c := range []struct {
		unsplit int64
		want    string
	}{{46000, channels.FundsFrozen}, {45999, channels.FundsAvailable}} {
		f := newFake()
		f.processing = 3
		f.unsplit = money.Amount(c.unsplit)
		runSubOrder(t, f, alipaySubOrder(OrderSettings{AutoConfirmAfter: time.Hour}),
			func(env *testsuite.TestWorkflowEnvironment) {
				requestRefund(env, time.Hour+2*time.Second, RefundRequest{RefundNo: "H1", Amount: 50000})
			})
		// The refund of 500 halves the base: the platform and the supplier give back 25 + 15 = 40.
		if len(f.froms) != 1 || f.froms[0] != c.want {
			t.Errorf("unsplit %d: source %v, want %s", c.unsplit, f.froms, c.want)
		}
	}
}

// Alipay notifies each trade of a merged payment on its own: the order is paid when every sub-order has been
// reported paid, whichever notification says so.
func TestOrderPaidByOneNotificationPerTrade(t *testing.T) {
	f := newFake()
	env := testEnv(t, f)
	create(t, env, "fp1")
	for i := range 2 {
		env.RegisterDelayedCallback(func() {
			f.mu.Lock()
			f.paid = true
			st := f.state("T20261123001")
			f.mu.Unlock()
			st.SubOrders = st.SubOrders[i : i+1]
			env.SignalWorkflow(SignalPaymentNotified, PaymentNotice{NotificationID: "n" + st.SubOrders[0].OutTradeNo,
				State: st})
		}, time.Duration(i+1)*time.Minute)
	}
	env.RegisterDelayedCallback(func() {
		if st := queryOrder(t, env); st.Status == StatusPaid || st.PaidBy != "" {
			t.Errorf("paid after one trade's notification: %+v", st)
		}
	}, 90*time.Second)
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if st := queryOrder(t, env); st.Status != StatusCompleted || st.PaidBy != "notification" ||
		f.called(ActivityQueryCombinedPayment) != 0 {
		t.Errorf("state %+v; queries %d", st, f.called(ActivityQueryCombinedPayment))
	}
}

// Refunded in full before sharing, an Alipay sub-order never settled: it neither confirms nor finishes (Alipay
// has closed the trade, and nothing is held), and completes.
func TestAlipayRefundedInFullBeforeSettlementReleasesNothing(t *testing.T) {
	f := newFake()
	var r *refundCall
	st := runSubOrder(t, f, alipaySubOrder(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			r = requestRefund(env, time.Minute, RefundRequest{RefundNo: "ALL", Amount: 100000})
		})
	if r.rejected != nil || st.Status != StatusCompleted || st.Refunded != 100000 {
		t.Fatalf("refund %v, state %s refunded %s", r.rejected, st.Status, st.Refunded)
	}
	if n := f.called(ActivityConfirmSettlement) + f.called(ActivityFinish) + f.called(ActivityShare); n != 0 {
		t.Errorf("a sub-order with nothing settled called the channel: %v", f.calls)
	}
}

// A sub-order is shown COMPLETED once ("quiet-completion"): waiting for refunds when its refund window keeps it
// open, waiting for nothing when it ends at once.
func TestACompletedSubOrderIsShownCompletedOnce(t *testing.T) {
	for window, want := range map[time.Duration]string{0: "", 24 * time.Hour: waitingForRefunds} {
		var completed []string
		runSubOrder(t, newFake(), subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour, RefundWindow: window}),
			func(env *testsuite.TestWorkflowEnvironment) {
				env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil).Run(func(args mock.Arguments) {
					sa := args.Get(0).(temporal.SearchAttributes)
					if status, _ := sa.GetKeyword(AttrStatus); status == StatusCompleted {
						waiting, _ := sa.GetKeyword(AttrWaitingFor)
						completed = append(completed, waiting)
					}
				})
			})
		if !slices.Equal(completed, []string{want}) {
			t.Errorf("refund window %s: COMPLETED shown waiting for %q, want once for %q", window, completed, want)
		}
	}
}

// Since "local-settlement", the settlement's channel calls are tried as local activities: a channel that answers
// costs no scheduled activity; one that keeps failing for a retryable reason meets the activity the server
// schedules (its attempts visible in the UI); a rejection schedules none and waits for ops.
func TestSettlementCallsAreTriedLocallyFirst(t *testing.T) {
	scheduled := func(f *fakeChannel, setup func(env *testsuite.TestWorkflowEnvironment)) (names []string) {
		runSubOrder(t, f, subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
			func(env *testsuite.TestWorkflowEnvironment) {
				env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
					names = append(names, info.ActivityType.Name)
				})
				if setup != nil {
					setup(env)
				}
			})
		return names
	}
	if got := scheduled(newFake(), nil); len(got) != 0 {
		t.Errorf("a channel that answers: activities scheduled %v", got)
	}
	f := newFake()
	for range 3 { // the three quick tries
		f.failures[ActivityShare] = append(f.failures[ActivityShare],
			temporal.NewApplicationError("500", ErrTypeChannelRetry+".SYSTEM_ERROR"))
	}
	if got := scheduled(f, nil); !slices.Equal(got, []string{ActivityShare.Name}) || f.called(ActivityShare) != 4 {
		t.Errorf("after three failed quick tries: scheduled %v, share calls %d", got, f.called(ActivityShare))
	}
	r := newFake()
	r.failures[ActivityFinish] = []error{
		temporal.NewNonRetryableApplicationError("no", ErrTypeChannelRejected+".INVALID_REQUEST", nil)}
	got := scheduled(r, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalResume, ResumeRequest{By: "ops:a"}) },
			10*24*time.Hour)
	})
	if len(got) != 0 || r.called(ActivityFinish) != 2 {
		t.Errorf("a rejection: scheduled %v, finish calls %d", got, r.called(ActivityFinish))
	}
}
