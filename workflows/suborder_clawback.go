package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// throughRefund sums what refunds 0..i take from the sharing base: the buyer's money and the subsidy given back.
func (b *refundBook) throughRefund(i int) (refunded, subsidyBack money.Amount) {
	for j := 0; j <= i; j++ {
		refunded += b.refunds[j].BuyerRefund
		subsidyBack += b.refunds[j].SubsidyReturn
	}
	return refunded, min(subsidyBack, b.subsidyPaid)
}

// netReceived is what each receiver holds from this sub-order: its successful shares, plus what was withheld
// from it against an earlier debt (it earned that too), less what it gave back.
func (s *subOrder) netReceived() []PlannedShare {
	var out []PlannedShare
	for _, b := range s.batches {
		succeeded, _ := splitResults(b.Shares, b.Results)
		out = append(out, succeeded...)
	}
	for _, n := range s.nettings {
		i := slices.IndexFunc(out, func(p PlannedShare) bool { return p.ReceiverID == n.ReceiverID })
		if i < 0 {
			k := slices.IndexFunc(s.plan.Shares, func(p PlannedShare) bool { return p.ReceiverID == n.ReceiverID })
			if k < 0 {
				continue // cannot happen: nettings come from the plan's shares
			}
			out = append(out, s.plan.Shares[k])
			out[len(out)-1].Amount = 0
			i = len(out) - 1
		}
		out[i].Amount += n.Amount
	}
	for i := range out {
		for _, c := range s.clawbacks {
			if c.ReceiverID == out[i].ReceiverID && (c.Status == ClawbackReturned || c.Status == ClawbackDebtRecorded) {
				out[i].Amount -= c.Amount
			}
		}
	}
	return out
}

// batchOf is the sharing request that paid a receiver.
func (s *subOrder) batchOf(receiverID string) string {
	for _, b := range s.batches {
		for _, p := range b.Shares {
			if p.ReceiverID == receiverID {
				return b.OutOrderNo
			}
		}
	}
	return ""
}

// clawBack takes back, for refund i, what each receiver no longer earns on the shrunk base: a merchant
// receiver by a return order, a person as a debt.
func (s *subOrder) clawBack(ctx workflow.Context, i int) {
	for k, c := range s.planClawback(ctx, i) {
		idx := s.addClawback(s.refunds[i].RefundNo, c)
		if c.Type == ReceiverMerchant {
			s.returnShare(ctx, idx, fmt.Sprintf("%s-rf%d-rt%d", s.in.Ref.SubOrderNo, i+1, k+1))
			continue
		}
		s.recordDebt(ctx, idx, s.refunds[i].OutRefundNo)
	}
}

// addClawback records a planned clawback as pending, and answers its index.
func (s *subOrder) addClawback(refundNo string, c Clawback) int {
	s.clawbacks = append(s.clawbacks, ClawbackState{RefundNo: refundNo, ReceiverID: c.ReceiverID, Type: c.Type,
		Account: c.Account, Amount: c.Amount, Status: ClawbackPending})
	return len(s.clawbacks) - 1
}

// recordDebt books clawback idx as the person's debt to the merchant, netted from its later commissions.
func (s *subOrder) recordDebt(ctx workflow.Context, idx int, outRefundNo string) {
	c := s.clawbacks[idx]
	s.attempt(ctx, "debt "+c.ReceiverID, func() error {
		return ActivityPostCommissionDebt.Start(s.ledger(ctx), PostCommissionDebtInput{SubOrderRef: s.in.Ref,
			RefundNo: outRefundNo, ReceiverID: c.ReceiverID, Amount: c.Amount}).Get(ctx, nil)
	})
	s.clawbacks[idx].Status = ClawbackDebtRecorded
	s.note(ctx, "%s cannot be pulled back from a person: %s owed by %s, netted from later commissions",
		c.Amount, c.Amount, c.ReceiverID)
}

// planClawback says what each receiver gives back for refund i.
func (s *subOrder) planClawback(ctx workflow.Context, i int) []Clawback {
	r := &s.refunds[i]
	refunded, subsidyBack := s.throughRefund(i)
	var claws []Clawback
	s.attempt(ctx, "clawback plan "+r.RefundNo, func() error {
		var err error
		claws, _, err = PlanClawback(
			SharingPlanInput{Paid: s.in.Amount, Subsidy: s.subsidyPaid - subsidyBack, Refunded: refunded,
				Rules: s.in.Commissions, MaxRatio: s.in.Limits.MaxRatio,
				MaxReceiversPerRequest: s.in.Limits.MaxReceiversPerRequest,
				MaxRequests:            s.in.Limits.MaxRequests},
			s.netReceived(),
		)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePlan, err)
		}
		return nil
	})
	return claws
}

// returnShare pulls a merchant receiver's clawback back with a return order. PROCESSING is polled; a return
// that fails because the receiver lacks balance waits for SignalReceiverToppedUp (or a day), then tries again
// under a new return number — the failed one is closed at the channel.
func (s *subOrder) returnShare(ctx workflow.Context, idx int, returnNoBase string) {
	c := &s.clawbacks[idx]
	cctx := channelOptions(ctx)
	for {
		c.Attempts++
		c.ReturnNo = fmt.Sprintf("%s-%d", returnNoBase, c.Attempts)
		in := ReturnShareInput{
			SubOrderRef: s.in.Ref,
			OutOrderNo:  s.batchOf(c.ReceiverID),
			OutReturnNo: c.ReturnNo,
			ReturnMchID: c.Account,
			Amount:      c.Amount,
			Description: "refund " + c.RefundNo,
		}
		var st ReturnStatus
		s.attempt(ctx, "return "+c.ReceiverID, func() (err error) {
			if st, err = ActivityReturnShare.Run(cctx, in); err != nil || st.Result != channels.ReturnProcessing {
				return err
			}
			ask := func() (ReturnStatus, error) { return ActivityQueryReturnShare.Run(cctx, in) }
			st, err = poll(
				ctx,
				s.sharePoll(),
				nil,
				ask,
				func(st ReturnStatus) bool { return st.Result != channels.ReturnProcessing },
			)
			return err
		})
		if st.Result == channels.ReturnSuccess {
			s.attempt(ctx, "post return "+c.ReceiverID, func() error {
				return ActivityPostSharingReturned.Start(s.ledger(ctx), PostSharingReturnedInput{SubOrderRef: s.in.Ref,
					ReturnNo: st.ReturnNo, ReceiverID: c.ReceiverID, Amount: c.Amount, ToFrozen: !s.finished}).
					Get(ctx, nil)
			})
			c.Status = ClawbackReturned
			s.note(ctx, "%s returned %s (%s)", c.ReceiverID, c.Amount, c.ReturnNo)
			return
		}
		c.Status = ClawbackWaiting
		s.note(ctx, "return %s from %s failed (%s): waiting for its balance", c.ReturnNo, c.ReceiverID, st.FailReason)
		receiver := c.ReceiverID
		s.during(ctx, s.status, "receiver:"+receiver+":balance", func() {
			_, _ = workflow.AwaitWithTimeout(ctx, 24*time.Hour, func() bool { return s.toppedUp[receiver] })
			delete(s.toppedUp, receiver)
		})
	}
}

// netted is what was withheld from a receiver's share on this sub-order.
func (b *refundBook) netted(receiverID string) money.Amount {
	var sum money.Amount
	for _, n := range b.nettings {
		if n.ReceiverID == receiverID {
			sum += n.Amount
		}
	}
	return sum
}
