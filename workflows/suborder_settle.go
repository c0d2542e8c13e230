package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// This file holds the sub-order's steps on channels that hold paid money unsettled until the platform confirms
// (Limits.ConfirmBeforeSharing) and that take shares back inside the refund (Limits.RefundReversesShares):
// Alipay 直付通. Orders on other channels never reach them, so their histories are unchanged.

// confirmSettlement moves what is left of the buyer's money into the merchant's account, frozen for sharing
// (确认结算 with royalty_freeze), just before sharing: Alipay's freeze period starts here, so it is spent on
// sharing, not on waiting for receipt. Money refunded before this point never settled. The ledger books the
// money frozen from payment on, so the confirm moves nothing in the books.
func (s *subOrder) confirmSettlement(ctx workflow.Context) {
	if !s.in.Limits.ConfirmBeforeSharing {
		return
	}
	amount := s.in.Amount - s.refunded
	if amount <= 0 {
		return
	}
	s.attempt(ctx, "confirm settlement", func() error {
		return ActivityConfirmSettlement.Start(s.settlement(ctx), SettleInput{SubOrderRef: s.in.Ref,
			OutRequestNo: s.in.Ref.SubOrderNo + "-settle", Amount: amount}).Get(ctx, nil)
	})
	s.settleConfirmed = true
	s.note(ctx, "settlement of %s confirmed, frozen for sharing", amount)
}

// nothingSettled says the channel holds nothing to release at finish: it confirms settlement before sharing,
// and the buyer got everything back before that.
func (s *subOrder) nothingSettled() bool {
	return s.in.Limits.ConfirmBeforeSharing && !s.settleConfirmed
}

// processRefundReversing carries out refund i where the refund itself takes shares back: the clawback is
// planned first, merchant receivers' parts ride in the refund (refund_royalty_parameters), and once the channel
// has paid the buyer, what came back and the refund are posted in that order. Persons' parts become debts, as on
// WeChat: pulling from a person's balance can fail after the buyer is paid.
func (s *subOrder) processRefundReversing(ctx workflow.Context, i int) {
	s.during(ctx, s.status, "channel:refund", func() {
		var reversing []int
		if s.sharingStarted {
			for _, c := range s.planClawback(ctx, i) {
				idx := s.addClawback(s.refunds[i].RefundNo, c)
				if c.Type == ReceiverMerchant {
					reversing = append(reversing, idx)
				}
			}
		}
		if s.refunds[i].BuyerRefund > 0 {
			s.refunds[i].Reversals = s.reversals(reversing)
			s.chooseRefundSourceWith(ctx, i, sumReversals(s.refunds[i].Reversals))
			st := s.applyRefund(ctx, i)
			s.postReversals(ctx, i, reversing)
			s.postRefund(ctx, i, st)
		}
		for idx := range s.clawbacks {
			if c := s.clawbacks[idx]; c.RefundNo == s.refunds[i].RefundNo && c.Status == ClawbackPending {
				s.recordDebt(ctx, idx, s.refunds[i].OutRefundNo)
			}
		}
		s.refundDone(ctx, i)
	})
}

func (s *subOrder) reversals(idxs []int) []Reversal {
	var out []Reversal
	for _, idx := range idxs {
		c := s.clawbacks[idx]
		out = append(out, Reversal{ReceiverID: c.ReceiverID, Account: c.Account, Amount: c.Amount})
	}
	return out
}

func sumReversals(rs []Reversal) money.Amount {
	var sum money.Amount
	for _, r := range rs {
		sum += r.Amount
	}
	return sum
}

// ReversalID is the id a share given back within a refund is booked under: the channel gives it none of its own,
// so our refund number and the receiver.
func ReversalID(outRefundNo, receiverID string) string { return outRefundNo + ":" + receiverID }

// postReversals books each share the refund took back: receiver → the merchant's frozen funds (or available
// ones after the finish), where the refund then takes it from. Each is keyed by the refund and the receiver.
func (s *subOrder) postReversals(ctx workflow.Context, i int, idxs []int) {
	for _, idx := range idxs {
		c := &s.clawbacks[idx]
		c.ReturnNo = ReversalID(s.refunds[i].OutRefundNo, c.ReceiverID)
		in := PostSharingReturnedInput{SubOrderRef: s.in.Ref, ReturnNo: c.ReturnNo, ReceiverID: c.ReceiverID,
			Amount: c.Amount, ToFrozen: !s.finished}
		s.attempt(ctx, "post reversal "+c.ReceiverID, func() error {
			return ActivityPostSharingReturned.Start(s.ledger(ctx), in).Get(ctx, nil)
		})
		c.Status = ClawbackReturned
		s.note(ctx, "%s gave back %s within refund %s", c.ReceiverID, c.Amount, s.refunds[i].RefundNo)
	}
}

// refundFromFrozen says whether the channel pays refund i from the sub-order's unsplit money: before the
// finish, when that money (with what receivers give back in the refund) covers it.
func refundFromFrozen(refund, unsplit, reversed money.Amount) string {
	if refund > unsplit+reversed {
		return channels.FundsAvailable
	}
	return channels.FundsFrozen
}
