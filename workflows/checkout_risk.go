package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// judgeRisk runs the risk rules (EvaluateRisk) before anything is placed at the channel: a refusal rejects the
// order with RISK_REFUSED naming the rule; a hold sets RISK_REVIEW and answers held. Orders started before
// "risk-controls" are not judged.
func (o *checkout) judgeRisk(ctx workflow.Context) (held bool, err error) {
	if o.version(ctx, "risk-controls") == workflow.DefaultVersion {
		return false, nil
	}
	o.risked = true
	d, err := ActivityEvaluateRisk.Run(o.local(callerWaitsOptions(ctx), "local-ledger"), o.riskInput())
	if err != nil {
		return false, err
	}
	switch d.Outcome {
	case RiskRefuse:
		o.rejected = &StepError{Step: "risk", Type: ErrTypeRiskRefused, Message: d.Rule + ": " + d.Reason,
			At: workflow.Now(ctx)}
		o.note(ctx, "refused by the risk rule %s", d.Rule)
		o.set(ctx, StatusRejected, "")
		return false, temporal.NewNonRetryableApplicationError(o.rejected.Message, ErrTypeRiskRefused, nil, d.Rule)
	case RiskReview:
		o.held = &d
		o.note(ctx, "held for risk review by the rule %s; closes unreviewed after %s", d.Rule, d.ReviewTimeout)
		o.set(ctx, StatusRiskReview, "ops:review")
		return true, nil
	}
	return false, nil
}

func (o *checkout) riskInput() RiskInput {
	in := RiskInput{OrderNo: o.in.OrderNo, Channel: o.in.Channel, Payer: o.in.PayerOpenID,
		ClientIP: o.in.PayerClientIP, Device: o.in.DeviceID}
	for _, s := range o.in.SubOrders {
		in.Parts = append(in.Parts, RiskPart{MerchantID: s.MerchantID, Amount: s.Amount})
	}
	return in
}

// validateReview admits a review only while the order is held and unreviewed, with who and why.
func (o *checkout) validateReview(_ workflow.Context, r ReviewRequest) error {
	switch {
	case o.held == nil || o.review != nil:
		return temporal.NewNonRetryableApplicationError("order "+o.in.OrderNo+" is not held for review ("+o.status+")",
			ErrTypeNotInReview, nil)
	case r.By == "" || r.Reason == "":
		return temporal.NewNonRetryableApplicationError("a review needs by and reason", ErrTypeInvalidOrder, nil)
	}
	return nil
}

// reviewed records ops' decision; the order's run acts on it.
func (o *checkout) reviewed(ctx workflow.Context, r ReviewRequest) (OrderState, error) {
	o.review = &r
	verdict := "rejected"
	if r.Approve {
		verdict = "approved"
	}
	o.note(ctx, "risk review %s by %s: %s", verdict, r.By, r.Reason)
	return o.state(), nil
}

// awaitReview waits for ops' review of a held order until its timeout. Approved, the order is placed at the
// channel with a fresh payment window and answers true; rejected or unreviewed, nothing was placed and it
// answers false.
func (o *checkout) awaitReview(ctx workflow.Context) bool {
	reviewed, err := workflow.AwaitWithTimeout(ctx, o.held.ReviewTimeout, func() bool { return o.review != nil })
	if err != nil || !reviewed || !o.review.Approve {
		if !reviewed {
			o.note(ctx, "no review within %s: closed", o.held.ReviewTimeout)
		}
		return false
	}
	o.expireAt = workflow.Now(ctx).Add(o.in.Settings.PaymentWindow)
	o.attempt(ctx, "create", func() error {
		if err := o.place(channelOptions(ctx)); o.rejected == nil {
			return err
		}
		return nil
	})
	return o.created
}

// releaseRisk gives back what the order counted against its merchants' daily caps: it ends unpaid.
func (o *checkout) releaseRisk(ctx workflow.Context, why string) {
	if !o.risked {
		return
	}
	if err := ActivityReleaseRisk.Start(o.ledger(ctx), ReleaseRiskInput{OrderNo: o.in.OrderNo, Reason: why}).
		Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("risk reservation not released", "error", err)
	}
}
