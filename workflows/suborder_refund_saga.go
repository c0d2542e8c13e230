package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// processRefunds carries out every queued refund, oldest first.
func (s *subOrder) processRefunds(ctx workflow.Context) {
	for i := range s.refunds {
		if r := &s.refunds[i]; r.Status == RefundAccepted || r.Status == RefundProcessing {
			s.processRefund(ctx, i)
		}
	}
}

// processRefund carries out refund i. Since "refund-source" it runs in the channel's order of confirmations:
// choose where the money comes from (the sub-order's unsplit money when it covers the refund, else the
// merchant's available funds, and nothing moves while a sharing request is still processing), apply the
// refund and wait for its result, post it from the bucket the channel reports, and only then claw back from
// receivers and give back the subsidy. A refund the channel refuses has moved nothing and booked nothing.
func (s *subOrder) processRefund(ctx workflow.Context, i int) {
	if s.version(ctx, "refund-source") == workflow.DefaultVersion {
		s.processRefundClawbackFirst(ctx, i)
		return
	}
	if s.in.Limits.RefundReversesShares {
		s.processRefundReversing(ctx, i)
		return
	}
	s.during(ctx, s.status, "channel:refund", func() {
		var st RefundStatus
		if s.refunds[i].BuyerRefund > 0 {
			s.chooseRefundSource(ctx, i)
			st = s.applyRefund(ctx, i)
			s.postRefund(ctx, i, st)
			s.lastSubsidyRefundID = st.RefundID
		}
		if s.sharingStarted {
			s.clawBack(ctx, i)
		}
		s.returnSubsidy(ctx, i, st, true)
		s.refundDone(ctx, i)
	})
}

// processRefundClawbackFirst is the flow before "refund-source", kept for the histories that ran it: claw back,
// then refund, then post the refund from frozen funds whenever the sub-order was not finished.
func (s *subOrder) processRefundClawbackFirst(ctx workflow.Context, i int) {
	s.during(ctx, s.status, "channel:refund", func() {
		if s.sharingStarted {
			s.clawBack(ctx, i)
		}
		var st RefundStatus
		if s.refunds[i].BuyerRefund > 0 {
			st = s.applyRefund(ctx, i)
			s.attempt(ctx, "post refund "+s.refunds[i].RefundNo, func() error {
				return ActivityPostRefund.Start(s.ledger(ctx), PostRefundInput{
					SubOrderRef: s.in.Ref,
					RefundID:    st.RefundID,
					Amount:      s.refunds[i].BuyerRefund,
					FromFrozen:  !s.finished,
				}).Get(ctx, nil)
			})
			s.lastSubsidyRefundID = st.RefundID
		}
		s.returnSubsidy(ctx, i, st, false)
		s.refundDone(ctx, i)
	})
}

func (s *subOrder) refundDone(ctx workflow.Context, i int) {
	s.refunds[i].Status, s.refunds[i].LastError, s.refunds[i].CompletedAt = RefundSucceeded, nil, workflow.Now(ctx)
	s.note(ctx, "refund %s paid: %s back to the buyer", s.refunds[i].RefundNo, s.refunds[i].BuyerRefund)
}

// checkFrozen asks the ledger and the channel for the sub-order's unsplit money before an irreversible step;
// when they disagree the step waits for ops (NEEDS_ATTENTION) before any money moves.
func (s *subOrder) checkFrozen(ctx workflow.Context, step string) money.Amount {
	var c FrozenCheck
	s.attempt(ctx, step, func() error {
		return ActivityCheckFrozen.Start(s.local(channelOptions(ctx), "local-queries"), s.in.Ref).Get(ctx, &c)
	})
	return c.Unsplit
}

// chooseRefundSource decides once where refund i's money comes from, and records it: the same refund number
// must repeat the same request. After finish only available funds are left. Before finish the channel pays
// a refund from the sub-order's unsplit money and refuses one larger than that, so a larger refund asks for
// the merchant's available funds (funds_account=AVAILABLE) instead of failing.
func (s *subOrder) chooseRefundSource(ctx workflow.Context, i int) {
	s.chooseRefundSourceWith(ctx, i, 0)
}

// chooseRefundSourceWith is chooseRefundSource where receivers give back reversed into the unsplit money
// within the refund itself.
func (s *subOrder) chooseRefundSourceWith(ctx workflow.Context, i int, reversed money.Amount) {
	r := &s.refunds[i]
	if r.From != "" {
		return
	}
	if s.finished {
		r.From = channels.FundsAvailable
		return
	}
	unsplit := s.checkFrozen(ctx, "check frozen before refund "+r.RefundNo)
	r = &s.refunds[i] // the update handler may have appended while the check ran
	r.From = refundFromFrozen(r.BuyerRefund, unsplit, reversed)
	if r.From == channels.FundsAvailable {
		s.note(
			ctx,
			"refund %s of %s exceeds the %s still unsplit: asked from the merchant's available funds",
			r.RefundNo,
			r.BuyerRefund,
			unsplit,
		)
	}
}

// applyRefund applies refund i at the channel (or asks about it, when it was applied before) and waits for its
// result: the notification ends the wait at once, and a query with backoff covers a lost one. An ABNORMAL or
// CLOSED result waits for ops; a CLOSED one is applied again under a new number when they resume.
func (s *subOrder) applyRefund(ctx workflow.Context, i int) RefundStatus {
	cctx := channelOptions(ctx)
	var st RefundStatus
	s.attempt(ctx, "refund "+s.refunds[i].RefundNo, func() error {
		r := &s.refunds[i]
		activity := ActivityApplyRefund
		switch {
		case r.Status == RefundClosed:
			// The channel closed it and will not pay it: ops resumed, so refund again under a new number.
			if r.Attempt >= maxRefundAttempts {
				return temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("refund closed %d times; refund it under a new refund number", r.Attempt),
					ErrTypeRefund+"."+RefundClosed,
					nil,
				)
			}
			r.Attempt = max(r.Attempt, 1) + 1
			r.OutRefundNo, r.RefundID = outRefundNo(s.in.Ref.SubOrderNo, r.RefundNo, r.Attempt), ""
		case r.RefundID != "":
			activity = ActivityQueryRefund // applied before (then PROCESSING, or ABNORMAL): ask, do not apply again
		}
		in := s.refundInput(i)
		var err error
		if st, err = activity.Run(cctx, in); err != nil {
			return err
		}
		s.refunds[i].Status, s.refunds[i].RefundID = RefundProcessing, st.RefundID
		if st.Status == channels.RefundProcessing { // the notification ends a wait at once; the query decides
			notified := func() bool { return s.refundNotices[in.OutRefundNo] }
			ask := func() (RefundStatus, error) {
				delete(s.refundNotices, in.OutRefundNo)
				return ActivityQueryRefund.Run(cctx, in)
			}
			b := newBackoff(s.in.Settings.RefundPollFirst, s.in.Settings.RefundPollMax)
			final := func(st RefundStatus) bool { return st.Status != channels.RefundProcessing }
			if st, err = poll(ctx, b, notified, ask, final); err != nil {
				return err
			}
		}
		if st.Status != channels.RefundSucceeded {
			s.refunds[i].Status = st.Status
			s.refunds[i].LastError = &StepError{Step: "refund", Type: ErrTypeRefund + "." + st.Status,
				Message: "the channel could not pay the buyer back; fix the cause at the channel, then resume",
				At:      workflow.Now(ctx)}
			return temporal.NewNonRetryableApplicationError("refund "+st.Status, ErrTypeRefund+"."+st.Status, nil)
		}
		return nil
	})
	return st
}

func (s *subOrder) refundInput(i int) ApplyRefundInput {
	r := s.refunds[i]
	return ApplyRefundInput{
		SubOrderRef: s.in.Ref,
		OutRefundNo: r.OutRefundNo,
		Reason:      r.Request.Reason,
		Refund:      r.BuyerRefund,
		Total:       s.in.Amount,
		NotifyURL:   s.in.RefundNotifyURL,
		From:        r.From,
		Reversals:   r.Reversals,
	}
}

// postRefund books refund i from the bucket the channel took it from. When the ledger refuses and ops resume,
// the refund is asked again and the posting recomputed from the channel's answer.
func (s *subOrder) postRefund(ctx workflow.Context, i int, st RefundStatus) {
	retry := false
	s.attempt(ctx, "post refund "+s.refunds[i].RefundNo, func() error {
		if retry {
			if err := ActivityQueryRefund.Start(channelOptions(ctx), s.refundInput(i)).Get(ctx, &st); err != nil {
				return err
			}
		}
		retry = true
		from := st.From
		if from == "" {
			from = s.refunds[i].From // the channel did not say: what we asked for
		}
		amount := st.Amount
		if amount <= 0 {
			amount = s.refunds[i].BuyerRefund
		}
		return ActivityPostRefund.Start(s.ledger(ctx), PostRefundInput{SubOrderRef: s.in.Ref, RefundID: st.RefundID,
			Amount: amount, FromFrozen: from == channels.FundsFrozen}).
			Get(ctx, nil)
	})
}
