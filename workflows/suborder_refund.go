package workflows

import (
	"fmt"
	"strconv"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/money"
)

// Refunds of a sub-order. A refund arrives as the RequestRefund update: the validator refuses what cannot be
// refunded (naming the field), the handler recomputes the coupon on the kept items, books the refund on the
// sub-order's state and queues it, and the main flow carries it out at its next safe point — before sharing,
// from frozen funds, shrinking the sharing base and the subsidy still to pay.
//
// Once sharing has begun, a refund is carried out after every sharing request has settled (the channel refuses
// refunds while one is PROCESSING) and before finish, as a saga: each receiver gives back what the plan on the
// shrunk base no longer gives it — merchant receivers by return orders, persons as a commission debt (the
// merchant fronts it and holds a receivable) — then the refund, then the subsidy return when the coupon is
// voided. After finish the same saga runs on the merchant's available funds, during the refund window.

// refundBook is what a sub-order knows of its refunds and of what they undo: the coupon they recompute, the
// subsidy they shrink, the clawbacks from receivers and the debts netted from persons' later commissions.
type refundBook struct {
	coupon              *CouponState // nil when the sub-order was placed without items
	refunds             []RefundState
	refunded            money.Amount // to the buyer, so far
	subsidyDue          money.Amount // what the platform still owes: the order's subsidy less what refunds voided
	subsidyPaid         money.Amount
	lastSubsidyRefundID string // the refund that lowered the subsidy, which the channel wants to see
	subsidyReturned     money.Amount
	clawbacks           []ClawbackState
	nettings            []DebtNetting   // debts withheld from persons' shares before sharing
	toppedUp            map[string]bool // receivers ops say have balance again
	refundNotices       map[string]bool // out_refund_no → the channel notified a result not yet queried
}

func validRefundNo(s string) bool { return ValidKey(s, 1, 30) }

// maxRefundAttempts bounds how often a refund the channel closed is applied again (each under a new number).
const maxRefundAttempts = 9

// ParseOutRefundNo is the sub-order of a refund's number at the channel (outRefundNo's inverse).
func ParseOutRefundNo(outRefundNo string) (subOrderNo string, ok bool) {
	for from := 0; ; {
		j := strings.Index(outRefundNo[from:], "-r")
		if j < 0 {
			return "", false
		}
		j += from
		tag, _, found := strings.Cut(outRefundNo[j+2:], "-")
		_, notNumber := strconv.Atoi(tag)
		if _, _, sub := ParseSubOrderNo(outRefundNo[:j]); sub && found && (tag == "f" || notNumber == nil) {
			return outRefundNo[:j], true
		}
		from = j + 2
	}
}

// outRefundNo is a refund's number at the channel: <sub-order>-rf-<refund_no> first, then -r2-, -r3-, … when
// the channel closed the earlier one. Always within the channel's 64 characters (24 + 6 + 4 + 30).
func outRefundNo(subOrderNo, refundNo string, attempt int) string {
	if attempt <= 1 {
		return subOrderNo + "-rf-" + refundNo
	}
	return fmt.Sprintf("%s-r%d-%s", subOrderNo, attempt, refundNo)
}

// refundSplit prices a refund request on the sub-order's current state without changing it.
func (s *subOrder) refundSplit(req RefundRequest) (RefundSplit, CouponState, error) {
	if s.coupon != nil {
		if req.Amount != 0 || len(req.Items) == 0 {
			return RefundSplit{}, CouponState{}, &InputError{
				"items",
				"this sub-order has items: name the items to return (and no amount)",
			}
		}
		split, next, err := s.coupon.Refund(req.Items)
		if err != nil {
			pe, _ := err.(*PlanError)
			if pe != nil {
				return RefundSplit{}, CouponState{}, &InputError{
					strings.ToLower(pe.Field),
					pe.Reason,
				} // items[0].quantity
			}
			return RefundSplit{}, CouponState{}, &InputError{"items", err.Error()}
		}
		if split.BuyerRefund == 0 && split.SubsidyReturn == 0 {
			return RefundSplit{}, CouponState{}, &InputError{
				"items",
				"returning these items refunds nothing (the kept goods still cost what was paid)",
			}
		}
		return split, next, nil
	}
	switch {
	case len(req.Items) > 0:
		return RefundSplit{}, CouponState{}, &InputError{
			"items",
			"this sub-order was placed without items: refund an amount",
		}
	case req.Amount <= 0:
		return RefundSplit{}, CouponState{}, &InputError{"amount", "must be a positive number of fen"}
	case req.Amount > s.in.Amount-s.refunded:
		return RefundSplit{}, CouponState{}, &InputError{
			"amount",
			fmt.Sprintf("at most %s is refundable", s.in.Amount-s.refunded),
		}
	}
	return RefundSplit{BuyerRefund: req.Amount}, CouponState{}, nil
}

func sameRefund(a, b RefundRequest) bool {
	if a.RefundNo != b.RefundNo || a.Reason != b.Reason || a.Amount != b.Amount || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		if a.Items[i] != b.Items[i] {
			return false
		}
	}
	return true
}

func (b *refundBook) findRefund(no string) *RefundState {
	for i := range b.refunds {
		if b.refunds[i].RefundNo == no {
			return &b.refunds[i]
		}
	}
	return nil
}

// validateRefund is the update's validator: read-only.
func (s *subOrder) validateRefund(req RefundRequest) error {
	reject := func(err *InputError) error {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeRefundRejected, nil, *err)
	}
	if !validRefundNo(req.RefundNo) {
		return reject(&InputError{"refund_no", "1 to 30 characters of A-Z, a-z, 0-9, _ and -"})
	}
	if r := s.findRefund(req.RefundNo); r != nil {
		if !sameRefund(r.Request, req) {
			return reject(&InputError{"refund_no", "refund " + req.RefundNo + " exists with other content"})
		}
		return nil // the same refund again: the handler answers its state
	}
	switch {
	case s.finishing && !s.finished:
		return reject(&InputError{"sub_order", "the sub-order is finishing: ask again in a moment"})
	case s.windowClosed:
		return reject(&InputError{"sub_order", "the refund window has passed"})
	case s.in.Limits.MaxRefunds > 0 && len(s.refunds) >= s.in.Limits.MaxRefunds:
		return reject(&InputError{"refund_no", fmt.Sprintf("at most %d refunds per sub-order", s.in.Limits.MaxRefunds)})
	case len(req.Reason) > 80:
		return reject(&InputError{"reason", "at most 80 bytes"})
	}
	if _, _, err := s.refundSplit(req); err != nil {
		return reject(err.(*InputError))
	}
	return nil
}

// acceptRefund is the update's handler: the refund is booked on the state at once (so the next request is
// priced on what is left) and carried out by the main flow.
func (s *subOrder) acceptRefund(ctx workflow.Context, req RefundRequest) (RefundState, error) {
	if r := s.findRefund(req.RefundNo); r != nil {
		return *r, nil
	}
	if (s.finishing && !s.finished) || s.windowClosed { // changed between the validator and this handler
		return RefundState{}, temporal.NewNonRetryableApplicationError(
			"sub_order: not taking refunds now",
			ErrTypeRefundRejected,
			nil,
			InputError{"sub_order", "the sub-order is finishing, or its refund window has passed"},
		)
	}
	split, next, err := s.refundSplit(req)
	if err != nil {
		return RefundState{}, err // validated a moment ago; cannot happen
	}
	if s.coupon != nil {
		s.coupon = &next
	}
	s.refunded += split.BuyerRefund
	s.subsidyDue -= split.SubsidyReturn
	r := RefundState{
		RefundNo:      req.RefundNo,
		OutRefundNo:   outRefundNo(s.in.Ref.SubOrderNo, req.RefundNo, 1),
		Status:        RefundAccepted,
		Request:       req,
		BuyerRefund:   split.BuyerRefund,
		SubsidyReturn: split.SubsidyReturn,
		RequestedAt:   workflow.Now(ctx),
	}
	s.refunds = append(s.refunds, r)
	s.note(
		ctx,
		"refund %s accepted: %s to the buyer, subsidy due down by %s",
		req.RefundNo,
		split.BuyerRefund,
		split.SubsidyReturn,
	)
	return r, nil
}

func (b *refundBook) pendingRefunds() bool {
	for _, r := range b.refunds {
		if r.Status == RefundAccepted || r.Status == RefundProcessing {
			return true
		}
	}
	return false
}
