package workflows

import (
	"errors"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// review sends ops' review of a held order after delay; the answer or refusal lands in *err.
func review(t *testing.T, env *testsuite.TestWorkflowEnvironment, delay time.Duration, r ReviewRequest, err *error) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReview, "review-"+delay.String(), &testsuite.TestUpdateCallback{
			OnReject:   func(e error) { *err = e },
			OnComplete: func(_ any, e error) { *err = e },
		}, r)
	}, delay)
}

// A refused order places nothing at the channel and fails with RISK_REFUSED naming the rule.
func TestOrderRefusedByARiskRule(t *testing.T) {
	f := newFake()
	f.risk = RiskDecision{Outcome: RiskRefuse, Rule: "daily_amount.total", Reason: "over the cap"}
	env := testEnv(t, f)
	var createErr error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateCreatePayment, "create-1", &testsuite.TestUpdateCallback{
			OnReject: func(e error) { createErr = e }, OnComplete: func(_ any, e error) { createErr = e },
		}, CreatePaymentRequest{Fingerprint: "fp1"})
	}, 0)
	env.ExecuteWorkflow(Checkout, testOrder())
	var ae *temporal.ApplicationError
	if !errors.As(createErr, &ae) || ae.Type() != ErrTypeRiskRefused || ae.Message() != "daily_amount.total: over the cap" {
		t.Errorf("create answered %v", createErr)
	}
	if err := env.GetWorkflowError(); !errors.As(err, &ae) || ae.Type() != ErrTypeRiskRefused {
		t.Errorf("workflow ended with %v", err)
	}
	if f.called(ActivityCreateCombinedPayment) != 0 || f.called(ActivityCloseCombinedPayment) != 0 {
		t.Errorf("the channel was called: %v", f.calls)
	}
}

// A held order waits in RISK_REVIEW with no payment; approved, it is placed with a fresh payment window, paid
// and completed.
func TestOrderHeldForReviewThenApproved(t *testing.T) {
	f := newFake()
	f.risk = RiskDecision{Outcome: RiskReview, Rule: "review_above", ReviewTimeout: 24 * time.Hour}
	env := testEnv(t, f)
	created := create(t, env, "fp1")
	var early, reviewErr error
	review(t, env, time.Minute, ReviewRequest{Approve: true}, &early) // no by and reason: refused
	env.RegisterDelayedCallback(func() {
		if st := queryOrder(t, env); st.Status != StatusRiskReview || st.WaitingFor != "ops:review" || st.Params.CodeURL != "" {
			t.Errorf("held: %+v", st)
		}
	}, 2*time.Hour)
	review(t, env, 3*time.Hour, ReviewRequest{Approve: true, By: "ops-anna", Reason: "known buyer"}, &reviewErr)
	env.RegisterDelayedCallback(func() {
		if st := queryOrder(t, env); st.Status != StatusAwaitingPayment || st.Params.CodeURL == "" {
			t.Errorf("approved: %+v", st)
		}
		f.mu.Lock()
		f.paid = true
		st := f.state("T20261123001")
		f.mu.Unlock()
		env.SignalWorkflow(SignalPaymentNotified, PaymentNotice{NotificationID: "n1", State: st})
	}, 3*time.Hour+20*time.Minute) // past the first window: the approval opened a new one
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res OrderResult
	_ = env.GetWorkflowResult(&res)
	if created.Status != StatusRiskReview || created.Params.CodeURL != "" || res.Status != StatusCompleted ||
		early == nil || reviewErr != nil || f.released != 0 || f.called(ActivityCreateCombinedPayment) != 1 ||
		!slices.Contains(f.calls, "SaveOrderView "+StatusAwaitingPayment) {
		t.Errorf("created %+v, result %+v, early review %v, review %v, released %d, calls %v", created, res, early,
			reviewErr, f.released, f.calls)
	}
}

// A held order rejected in review, or not reviewed in time, closes with nothing placed and its reservation
// given back.
func TestOrderHeldForReviewRejectedOrTimedOut(t *testing.T) {
	for _, rejected := range []bool{true, false} {
		f := newFake()
		f.risk = RiskDecision{Outcome: RiskReview, Rule: "velocity.payer", ReviewTimeout: 2 * time.Hour}
		env := testEnv(t, f)
		create(t, env, "fp1")
		var first error
		if rejected {
			review(t, env, time.Hour, ReviewRequest{By: "ops-anna", Reason: "stolen card"}, &first)
		}
		env.ExecuteWorkflow(Checkout, testOrder())
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		var res OrderResult
		_ = env.GetWorkflowResult(&res)
		if res.Status != StatusClosed || f.released != 1 || f.called(ActivityCreateCombinedPayment) != 0 ||
			f.called(ActivityCloseCombinedPayment) != 0 || first != nil {
			t.Errorf("rejected %v: result %+v, released %d, review %v, calls %v", rejected, res, f.released,
				first, f.calls)
		}
	}
}

// Two reviews racing, an approval and a rejection at the same moment: exactly one is taken, and the order
// follows it.
func TestOrderHeldForReviewTakesOneOfTwoRacingReviews(t *testing.T) {
	f := newFake()
	f.risk = RiskDecision{Outcome: RiskReview, Rule: "review_above", ReviewTimeout: time.Hour}
	env := testEnv(t, f)
	create(t, env, "fp1")
	var approveErr, rejectErr error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReview, "approve", &testsuite.TestUpdateCallback{
			OnReject: func(e error) { approveErr = e }, OnComplete: func(_ any, e error) { approveErr = e },
		}, ReviewRequest{Approve: true, By: "ops-anna", Reason: "known buyer"})
		env.UpdateWorkflow(UpdateReview, "reject", &testsuite.TestUpdateCallback{
			OnReject: func(e error) { rejectErr = e }, OnComplete: func(_ any, e error) { rejectErr = e },
		}, ReviewRequest{By: "ops-bob", Reason: "stolen card"})
	}, 10*time.Minute)
	env.ExecuteWorkflow(Checkout, testOrder())
	var res OrderResult
	_ = env.GetWorkflowResult(&res)
	switch {
	case (approveErr == nil) == (rejectErr == nil):
		t.Errorf("approve %v, reject %v: want exactly one taken", approveErr, rejectErr)
	case approveErr == nil && f.called(ActivityCreateCombinedPayment) != 1:
		t.Errorf("approved, yet placed %d times", f.called(ActivityCreateCombinedPayment))
	case rejectErr == nil && (res.Status != StatusClosed || f.called(ActivityCreateCombinedPayment) != 0):
		t.Errorf("rejected, yet %+v with %d placements", res, f.called(ActivityCreateCombinedPayment))
	}
}
