package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// returnSubsidy gives back, after refund i, the subsidy its coupon recomputation voided (补差回退). With
// chooseSource the money comes from the sub-order's unsplit money when that covers it, else from available
// funds, and the channel is told which; before that, frozen whenever the sub-order was not finished.
func (s *subOrder) returnSubsidy(ctx workflow.Context, i int, st RefundStatus, chooseSource bool) {
	back := min(s.refunds[i].SubsidyReturn, s.subsidyPaid-s.subsidyReturned)
	if back <= 0 || st.RefundID == "" {
		return
	}
	frozen := !s.finished
	if chooseSource && frozen {
		frozen = back <= s.checkFrozen(ctx, "check frozen before subsidy return "+s.refunds[i].RefundNo)
	}
	in := ReturnSubsidyInput{
		SubOrderRef: s.in.Ref,
		OutOrderNo:  fmt.Sprintf("%s-sr%d", s.in.Ref.SubOrderNo, i+1),
		RefundID:    st.RefundID,
		Amount:      back,
		FromFrozen:  frozen,
	}
	step := "subsidy return " + s.refunds[i].RefundNo
	if s.splitSubsidy(ctx) {
		s.callThenPost(ctx, channelOptions(ctx), step, frozen, func(cctx workflow.Context) (SubsidyStatus, error) {
			return ActivityApplySubsidyReturn.Run(cctx, in)
		}, ActivityPostSubsidyReturned)
	} else {
		s.attempt(ctx, step, func() error {
			_, err := legacyActivityReturnSubsidy.Run(channelOptions(ctx), in)
			return err
		})
	}
	s.subsidyReturned += back
	s.note(ctx, "subsidy of %s returned to the platform: the refund voided the coupon", back)
}

// paySubsidy pays what is still due of the platform's subsidy — less than ordered when a refund voided
// (part of) the coupon, which the channel accepts with that refund's id — or cancels it when nothing is due.
func (s *subOrder) paySubsidy(ctx workflow.Context) {
	if s.in.Subsidy <= 0 {
		return
	}
	cctx := channelOptions(ctx)
	if s.subsidyDue <= 0 {
		s.attempt(ctx, "cancel subsidy", func() error {
			return ActivityCancelSubsidy.Start(cctx, CancelSubsidyInput{SubOrderRef: s.in.Ref,
				Description: "coupon voided by refund"}).Get(ctx, nil)
		})
		s.note(ctx, "platform subsidy cancelled: a refund voided the coupon")
		return
	}
	refundID := ""
	if s.subsidyDue < s.in.Subsidy {
		refundID = s.lastSubsidyRefundID
	}
	in := SubsidyInput{
		SubOrderRef:  s.in.Ref,
		RefundID:     refundID,
		OutSubsidyNo: s.in.Ref.SubOrderNo + "-subsidy",
		Amount:       s.subsidyDue,
		Description:  "platform coupon",
	}
	if s.splitSubsidy(ctx) {
		s.callThenPost(ctx, s.settlement(ctx), "subsidy", false, func(cctx workflow.Context) (SubsidyStatus, error) {
			return ActivityCreateSubsidy.Run(cctx, in)
		}, ActivityPostSubsidyPaid)
	} else {
		s.attempt(ctx, "subsidy", func() error {
			_, err := legacyActivityPaySubsidy.Run(cctx, in)
			return err
		})
	}
	s.subsidyPaid = s.subsidyDue
	s.note(ctx, "platform subsidy of %s paid", s.subsidyDue)
}

// callThenPost moves subsidy money at the channel (call, with cctx), then posts what the channel answered, each its
// own step: a retried posting never repeats the channel call. fromFrozen names the merchant's bucket for a return.
func (s *subOrder) callThenPost(ctx, cctx workflow.Context, step string, fromFrozen bool,
	call func(workflow.Context) (SubsidyStatus, error), post Activity[PostSubsidyInput, PostingResult],
) {
	var st SubsidyStatus
	s.attempt(ctx, step, func() (err error) {
		st, err = call(cctx)
		return err
	})
	s.attempt(ctx, "post "+step, func() error {
		_, err := post.Run(s.ledger(ctx), PostSubsidyInput{
			SubOrderRef: s.in.Ref,
			SubsidyID:   st.SubsidyID,
			Amount:      st.Amount,
			FromFrozen:  fromFrozen,
		})
		return err
	})
}

// splitSubsidy says whether the subsidy and its return are a channel call then a posting ("split-subsidy"), or
// one activity that did both, as before.
func (s *subOrder) splitSubsidy(ctx workflow.Context) bool {
	return s.version(ctx, "split-subsidy") == 1
}
