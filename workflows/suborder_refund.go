package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

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

func validRefundNo(s string) bool { return validKey(s, 1, 30) }

// maxRefundAttempts bounds how often a refund the channel closed is applied again (each under a new number).
const maxRefundAttempts = 9

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
			return RefundSplit{}, CouponState{}, &InputError{"items", "this sub-order has items: name the items to return (and no amount)"}
		}
		split, next, err := s.coupon.Refund(req.Items)
		if err != nil {
			pe, _ := err.(*PlanError)
			if pe != nil {
				return RefundSplit{}, CouponState{}, &InputError{strings.ToLower(pe.Field), pe.Reason} // items[0].quantity
			}
			return RefundSplit{}, CouponState{}, &InputError{"items", err.Error()}
		}
		if split.BuyerRefund == 0 && split.SubsidyReturn == 0 {
			return RefundSplit{}, CouponState{}, &InputError{"items", "returning these items refunds nothing (the kept goods still cost what was paid)"}
		}
		return split, next, nil
	}
	switch {
	case len(req.Items) > 0:
		return RefundSplit{}, CouponState{}, &InputError{"items", "this sub-order was placed without items: refund an amount"}
	case req.Amount <= 0:
		return RefundSplit{}, CouponState{}, &InputError{"amount", "must be a positive number of fen"}
	case req.Amount > s.in.Amount-s.refunded:
		return RefundSplit{}, CouponState{}, &InputError{"amount", fmt.Sprintf("at most %s is refundable", s.in.Amount-s.refunded)}
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

func (s *subOrder) findRefund(no string) *RefundState {
	for i := range s.refunds {
		if s.refunds[i].RefundNo == no {
			return &s.refunds[i]
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
		return RefundState{}, temporal.NewNonRetryableApplicationError("sub_order: not taking refunds now", ErrTypeRefundRejected, nil,
			InputError{"sub_order", "the sub-order is finishing, or its refund window has passed"})
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
	r := RefundState{RefundNo: req.RefundNo, OutRefundNo: outRefundNo(s.in.Ref.SubOrderNo, req.RefundNo, 1), Status: RefundAccepted, Request: req,
		BuyerRefund: split.BuyerRefund, SubsidyReturn: split.SubsidyReturn, RequestedAt: workflow.Now(ctx)}
	s.refunds = append(s.refunds, r)
	s.note(ctx, "refund %s accepted: %s to the buyer, subsidy due down by %s", req.RefundNo, split.BuyerRefund, split.SubsidyReturn)
	return r, nil
}

func (s *subOrder) pendingRefunds() bool {
	for _, r := range s.refunds {
		if r.Status == RefundAccepted || r.Status == RefundProcessing {
			return true
		}
	}
	return false
}

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
	if workflow.GetVersion(ctx, "refund-source", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		s.processRefundClawbackFirst(ctx, i)
		return
	}
	prevStatus, prevWaiting := s.status, s.waitingFor
	s.set(ctx, prevStatus, "channel:refund")
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
	s.refundDone(ctx, i, prevStatus, prevWaiting)
}

// processRefundClawbackFirst is the flow before "refund-source", kept for the histories that ran it: claw back,
// then refund, then post the refund from frozen funds whenever the sub-order was not finished.
func (s *subOrder) processRefundClawbackFirst(ctx workflow.Context, i int) {
	prevStatus, prevWaiting := s.status, s.waitingFor
	s.set(ctx, prevStatus, "channel:refund")
	if s.sharingStarted {
		s.clawBack(ctx, i)
	}
	var st RefundStatus
	if s.refunds[i].BuyerRefund > 0 {
		st = s.applyRefund(ctx, i)
		s.attempt(ctx, "post refund "+s.refunds[i].RefundNo, func() error {
			return workflow.ExecuteActivity(ledgerOptions(ctx), ActivityPostRefund, PostRefundInput{SubOrderRef: s.in.Ref, RefundID: st.RefundID,
				Amount: s.refunds[i].BuyerRefund, FromFrozen: !s.finished}).Get(ctx, nil)
		})
		s.lastSubsidyRefundID = st.RefundID
	}
	s.returnSubsidy(ctx, i, st, false)
	s.refundDone(ctx, i, prevStatus, prevWaiting)
}

func (s *subOrder) refundDone(ctx workflow.Context, i int, prevStatus, prevWaiting string) {
	s.refunds[i].Status, s.refunds[i].LastError, s.refunds[i].CompletedAt = RefundSucceeded, nil, workflow.Now(ctx)
	s.note(ctx, "refund %s paid: %s back to the buyer", s.refunds[i].RefundNo, s.refunds[i].BuyerRefund)
	s.set(ctx, prevStatus, prevWaiting)
}

// checkFrozen asks the ledger and the channel for the sub-order's unsplit money before an irreversible step;
// when they disagree the step waits for ops (NEEDS_ATTENTION) before any money moves.
func (s *subOrder) checkFrozen(ctx workflow.Context, step string) money.Amount {
	var c FrozenCheck
	s.attempt(ctx, step, func() error {
		return workflow.ExecuteActivity(channelOptions(ctx), ActivityCheckFrozen, s.in.Ref).Get(ctx, &c)
	})
	return c.Unsplit
}

// chooseRefundSource decides once where refund i's money comes from, and records it: the same refund number
// must repeat the same request. After finish only available funds are left. Before finish the channel pays
// a refund from the sub-order's unsplit money and refuses one larger than that, so a larger refund asks for
// the merchant's available funds (funds_account=AVAILABLE) instead of failing.
func (s *subOrder) chooseRefundSource(ctx workflow.Context, i int) {
	r := &s.refunds[i]
	if r.From != "" {
		return
	}
	if s.finished {
		r.From = FundsAvailable
		return
	}
	unsplit := s.checkFrozen(ctx, "check frozen before refund "+r.RefundNo)
	r = &s.refunds[i] // the update handler may have appended while the check ran
	r.From = FundsFrozen
	if r.BuyerRefund > unsplit {
		r.From = FundsAvailable
		s.note(ctx, "refund %s of %s exceeds the %s still unsplit: asked from the merchant's available funds", r.RefundNo, r.BuyerRefund, unsplit)
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
				return temporal.NewNonRetryableApplicationError(fmt.Sprintf("refund closed %d times; refund it under a new refund number", r.Attempt),
					"Refund.CLOSED", nil)
			}
			r.Attempt = max(r.Attempt, 1) + 1
			r.OutRefundNo, r.RefundID = outRefundNo(s.in.Ref.SubOrderNo, r.RefundNo, r.Attempt), ""
		case r.RefundID != "":
			activity = ActivityQueryRefund // applied before (then PROCESSING, or ABNORMAL): ask, do not apply again
		}
		in := s.refundInput(i)
		if err := workflow.ExecuteActivity(cctx, activity, in).Get(ctx, &st); err != nil {
			return err
		}
		s.refunds[i].Status, s.refunds[i].RefundID = RefundProcessing, st.RefundID
		wait := time.Second
		for st.Status == "PROCESSING" {
			if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return s.refundNotices[in.OutRefundNo] }); err != nil {
				return err
			}
			delete(s.refundNotices, in.OutRefundNo)
			wait = min(2*wait, 10*time.Minute)
			if err := workflow.ExecuteActivity(cctx, ActivityQueryRefund, in).Get(ctx, &st); err != nil {
				return err
			}
		}
		if st.Status != "SUCCESS" {
			s.refunds[i].Status = st.Status
			s.refunds[i].LastError = &StepError{Step: "refund", Type: "Refund." + st.Status,
				Message: "the channel could not pay the buyer back; fix the cause at the channel, then resume", At: workflow.Now(ctx)}
			return temporal.NewNonRetryableApplicationError("refund "+st.Status, "Refund."+st.Status, nil)
		}
		return nil
	})
	return st
}

func (s *subOrder) refundInput(i int) ApplyRefundInput {
	r := s.refunds[i]
	return ApplyRefundInput{SubOrderRef: s.in.Ref, OutRefundNo: r.OutRefundNo, Reason: r.Request.Reason, Refund: r.BuyerRefund,
		Total: s.in.Amount, NotifyURL: s.in.RefundNotifyURL, From: r.From}
}

// postRefund books refund i from the bucket the channel took it from. When the ledger refuses and ops resume,
// the refund is asked again and the posting recomputed from the channel's answer.
func (s *subOrder) postRefund(ctx workflow.Context, i int, st RefundStatus) {
	retry := false
	s.attempt(ctx, "post refund "+s.refunds[i].RefundNo, func() error {
		if retry {
			if err := workflow.ExecuteActivity(channelOptions(ctx), ActivityQueryRefund, s.refundInput(i)).Get(ctx, &st); err != nil {
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
		return workflow.ExecuteActivity(ledgerOptions(ctx), ActivityPostRefund, PostRefundInput{SubOrderRef: s.in.Ref, RefundID: st.RefundID,
			Amount: amount, FromFrozen: from == FundsFrozen}).Get(ctx, nil)
	})
}

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
	s.attempt(ctx, "subsidy return "+s.refunds[i].RefundNo, func() error {
		return workflow.ExecuteActivity(channelOptions(ctx), ActivityReturnSubsidy, ReturnSubsidyInput{SubOrderRef: s.in.Ref,
			OutOrderNo: fmt.Sprintf("%s-sr%d", s.in.Ref.SubOrderNo, i+1), RefundID: st.RefundID, Amount: back, FromFrozen: frozen}).Get(ctx, nil)
	})
	s.subsidyReturned += back
	s.note(ctx, "subsidy of %s returned to the platform: the refund voided the coupon", back)
}

// settleSubsidy pays what is still due of the platform's subsidy — less than ordered when a refund voided
// (part of) the coupon, which the channel accepts with that refund's id — or cancels it when nothing is due.
func (s *subOrder) settleSubsidy(ctx workflow.Context) {
	if s.in.Subsidy <= 0 {
		return
	}
	cctx := channelOptions(ctx)
	if s.subsidyDue <= 0 {
		s.attempt(ctx, "cancel subsidy", func() error {
			return workflow.ExecuteActivity(cctx, ActivityCancelSubsidy, CancelSubsidyInput{SubOrderRef: s.in.Ref,
				Description: "coupon voided by refund"}).Get(ctx, nil)
		})
		s.note(ctx, "platform subsidy cancelled: a refund voided the coupon")
		return
	}
	refundID := ""
	if s.subsidyDue < s.in.Subsidy {
		refundID = s.lastSubsidyRefundID
	}
	s.attempt(ctx, "subsidy", func() error {
		return workflow.ExecuteActivity(cctx, ActivityPaySubsidy, SubsidyInput{SubOrderRef: s.in.Ref, RefundID: refundID,
			OutSubsidyNo: s.in.Ref.SubOrderNo + "-subsidy", Amount: s.subsidyDue, Description: "platform coupon"}).Get(ctx, nil)
	})
	s.subsidyPaid = s.subsidyDue
	s.note(ctx, "platform subsidy of %s paid", s.subsidyDue)
}

// throughRefund sums what refunds 0..i take from the sharing base: the buyer's money and the subsidy given back.
func (s *subOrder) throughRefund(i int) (refunded, subsidyBack money.Amount) {
	for j := 0; j <= i; j++ {
		refunded += s.refunds[j].BuyerRefund
		subsidyBack += s.refunds[j].SubsidyReturn
	}
	return refunded, min(subsidyBack, s.subsidyPaid)
}

// netReceived is what each receiver holds from this sub-order: its successful shares, plus what was withheld
// from it against an earlier debt (it earned that too), less what it gave back.
func (s *subOrder) netReceived() []PlannedShare {
	var out []PlannedShare
	for _, b := range s.batches {
		succeeded, _ := settle(b.Shares, b.Results)
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

// clawBack takes back, for refund i, what each receiver no longer earns on the shrunk base.
func (s *subOrder) clawBack(ctx workflow.Context, i int) {
	r := &s.refunds[i]
	refunded, subsidyBack := s.throughRefund(i)
	var claws []Clawback
	s.attempt(ctx, "clawback plan "+r.RefundNo, func() error {
		var err error
		claws, _, err = PlanClawback(SharingPlanInput{Paid: s.in.Amount, Subsidy: s.subsidyPaid - subsidyBack, Refunded: refunded,
			Rules: s.in.Commissions, MaxRatio: s.in.Limits.MaxRatio, MaxReceiversPerRequest: s.in.Limits.MaxReceiversPerRequest,
			MaxRequests: s.in.Limits.MaxRequests}, s.netReceived())
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "PlanError", err)
		}
		return nil
	})
	for k, c := range claws {
		idx := len(s.clawbacks)
		s.clawbacks = append(s.clawbacks, ClawbackState{RefundNo: r.RefundNo, ReceiverID: c.ReceiverID, Type: c.Type, Account: c.Account,
			Amount: c.Amount, Status: ClawbackPending})
		if c.Type == ReceiverMerchant {
			s.returnShare(ctx, idx, fmt.Sprintf("%s-rf%d-rt%d", s.in.Ref.SubOrderNo, i+1, k+1))
			continue
		}
		s.attempt(ctx, "debt "+c.ReceiverID, func() error {
			return workflow.ExecuteActivity(ledgerOptions(ctx), ActivityPostCommissionDebt, PostCommissionDebtInput{SubOrderRef: s.in.Ref,
				RefundNo: r.OutRefundNo, ReceiverID: c.ReceiverID, Amount: c.Amount}).Get(ctx, nil)
		})
		s.clawbacks[idx].Status = ClawbackDebtRecorded
		s.note(ctx, "%s cannot be pulled back from a person: %s owed by %s, netted from later commissions", c.Amount, c.Amount, c.ReceiverID)
	}
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
		in := ReturnShareInput{SubOrderRef: s.in.Ref, OutOrderNo: s.batchOf(c.ReceiverID), OutReturnNo: c.ReturnNo, ReturnMchID: c.Account,
			Amount: c.Amount, Description: "refund " + c.RefundNo}
		var st ReturnStatus
		s.attempt(ctx, "return "+c.ReceiverID, func() error {
			if err := workflow.ExecuteActivity(cctx, ActivityReturnShare, in).Get(ctx, &st); err != nil {
				return err
			}
			wait := s.in.Settings.SharePollFirst
			for st.Result == "PROCESSING" {
				if err := workflow.Sleep(ctx, wait); err != nil {
					return err
				}
				wait = min(2*wait, s.in.Settings.SharePollMax)
				if err := workflow.ExecuteActivity(cctx, ActivityQueryReturnShare, in).Get(ctx, &st); err != nil {
					return err
				}
			}
			return nil
		})
		if st.Result == "SUCCESS" {
			s.attempt(ctx, "post return "+c.ReceiverID, func() error {
				return workflow.ExecuteActivity(ledgerOptions(ctx), ActivityPostSharingReturned, PostSharingReturnedInput{SubOrderRef: s.in.Ref,
					ReturnNo: st.ReturnNo, ReceiverID: c.ReceiverID, Amount: c.Amount, ToFrozen: !s.finished}).Get(ctx, nil)
			})
			c.Status = ClawbackReturned
			s.note(ctx, "%s returned %s (%s)", c.ReceiverID, c.Amount, c.ReturnNo)
			return
		}
		c.Status = ClawbackWaiting
		s.note(ctx, "return %s from %s failed (%s): waiting for its balance", c.ReturnNo, c.ReceiverID, st.FailReason)
		prevStatus, prevWaiting := s.status, s.waitingFor
		s.set(ctx, prevStatus, "receiver:"+c.ReceiverID+":balance")
		receiver := c.ReceiverID
		_, _ = workflow.AwaitWithTimeout(ctx, 24*time.Hour, func() bool { return s.toppedUp[receiver] })
		delete(s.toppedUp, receiver)
		s.set(ctx, prevStatus, prevWaiting)
	}
}
