package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/money"
)

// SubOrder carries one paid sub-order to completion: it waits for the shop's delivery confirmation (or
// confirms automatically, and earlier still when the channel's auto-unfreeze comes near), lets the after-sale
// window pass, pays the platform's subsidy, shares profit in batches and waits for each result, finishes
// (unfreezes the rest to the merchant), and checks that the sub-order conserves money in the ledger.
func SubOrder(ctx workflow.Context, in SubOrderInput) (SubOrderResult, error) {
	s := &subOrder{in: in}
	if err := s.setup(ctx); err != nil {
		return SubOrderResult{}, err
	}
	return s.run(ctx)
}

type subOrder struct {
	process
	in              SubOrderInput
	plan            SharingPlan
	batches         []SharingBatch
	finishBy        time.Time
	confirmBy       time.Time
	confirmedBy     string
	confirmedAt     time.Time
	shared, settled money.Amount

	sharingStarted      bool
	finishing, finished bool
	windowClosed        bool // the refund window has passed: no more refunds
	refundBook
}

func (s *subOrder) setup(ctx workflow.Context) error {
	s.in.Settings = s.in.Settings.withDefaults()
	s.process = newProcess(ctx, StatusAwaitingReceipt)
	set := s.in.Settings
	s.finishBy = s.in.PaidAt.Add(set.FreezePeriod - set.FinishMargin)
	s.confirmBy = s.in.PaidAt.Add(set.AutoConfirmAfter)
	if s.confirmBy.After(s.finishBy) {
		s.confirmBy = s.finishBy
	}
	s.subsidyDue = s.in.Subsidy
	s.toppedUp, s.refundNotices = map[string]bool{}, map[string]bool{}
	onSignal(ctx, SignalRefundNotified, func(n RefundNotice) { s.refundNotices[n.OutRefundNo] = true })
	onSignal(ctx, SignalReceiverToppedUp, func(t ReceiverToppedUp) { s.toppedUp[t.ReceiverID] = true })
	onSignal(ctx, SignalConfirmReceipt, func(req ConfirmReceiptRequest) { s.confirmReceipt(ctx, req) })
	if len(s.in.Items) > 0 {
		cs, err := NewCouponState(s.in.Items, s.in.Coupon)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidOrder, err)
		}
		s.coupon = &cs
	}
	if err := workflow.SetQueryHandler(ctx, QuerySubOrder, func() (SubOrderState, error) { return s.state(), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRequestRefund, s.acceptRefund,
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, req RefundRequest) error { return s.validateRefund(req) }}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateConfirmReceipt,
		func(ctx workflow.Context, req ConfirmReceiptRequest) (SubOrderState, error) {
			s.confirmReceipt(ctx, req)
			return s.state(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, req ConfirmReceiptRequest) error {
			if req.ConfirmedBy == "" {
				return temporal.NewNonRetryableApplicationError("confirmed_by: required", ErrTypeInvalidOrder, nil)
			}
			return nil // a repeated confirmation, or one after auto-confirm, answers the current state
		}})
}

func (s *subOrder) state() SubOrderState {
	return SubOrderState{
		Ref:             s.in.Ref,
		N:               s.in.N,
		Status:          s.status,
		WaitingFor:      s.waitingFor,
		Amount:          s.in.Amount,
		Subsidy:         s.in.Subsidy,
		SubsidyPaid:     s.subsidyPaid > 0,
		Refunded:        s.refunded,
		Refunds:         append([]RefundState(nil), s.refunds...),
		Clawbacks:       append([]ClawbackState(nil), s.clawbacks...),
		Nettings:        append([]DebtNetting(nil), s.nettings...),
		PaidAt:          s.in.PaidAt,
		ConfirmDeadline: s.confirmBy,
		FinishDeadline:  s.finishBy,
		ConfirmedBy:     s.confirmedBy,
		ConfirmedAt:     s.confirmedAt,
		Plan:            s.plan,
		Batches:         append([]SharingBatch(nil), s.batches...),
		Shared:          s.shared,
		Settled:         s.settled,
		LastError:       s.lastError,
		Timeline:        append([]Event(nil), s.timeline...),
	}
}

// confirmReceipt applies the shop's confirmation, by update or signal, once: a repeat, or one after
// auto-confirm, changes nothing.
func (s *subOrder) confirmReceipt(ctx workflow.Context, req ConfirmReceiptRequest) {
	if s.confirmedBy == "" && req.ConfirmedBy != "" {
		s.confirm(ctx, ConfirmedByShop, fmt.Sprintf("receipt confirmed by %s %s", req.ConfirmedBy, req.Note))
	}
}

func (s *subOrder) confirm(ctx workflow.Context, by, why string) {
	s.confirmedBy, s.confirmedAt = by, workflow.Now(ctx)
	s.note(ctx, "%s", why)
}

func (s *subOrder) run(ctx workflow.Context) (SubOrderResult, error) {
	s.note(ctx, "paid %s yuan; awaiting receipt until %s", s.in.Amount, s.confirmBy.Format(time.RFC3339))
	s.awaitReceipt(ctx)
	s.afterSale(ctx)
	s.processRefunds(ctx) // a refund accepted at the last moment still comes out of the base
	s.sharingStarted = true
	s.set(ctx, StatusSharing, "channel:sharing")
	s.paySubsidy(ctx)
	s.share(ctx)
	s.finish(ctx)
	s.attempt(ctx, "conservation-check", func() error {
		return ActivityCheckConservation.Start(ledgerOptions(ctx), s.in.Ref).Get(ctx, nil)
	})
	s.note(ctx, "completed: shared %s, settled %s to the merchant", s.shared, s.settled)
	s.set(ctx, StatusCompleted, "")
	if workflow.GetVersion(ctx, "refund-window", workflow.DefaultVersion, 1) == 1 {
		s.tellOrderDone(ctx)
		s.refundWindow(ctx)
	}
	s.windowClosed = true
	awaitHandlers(ctx)
	return s.result(), nil
}

func (s *subOrder) result() SubOrderResult {
	return SubOrderResult{
		N:          s.in.N,
		SubOrderNo: s.in.Ref.SubOrderNo,
		Status:     StatusCompleted,
		Shared:     s.shared,
		Settled:    s.settled,
	}
}

// tellOrderDone signals the parent order (when there is one) that this sub-order finished.
func (s *subOrder) tellOrderDone(ctx workflow.Context) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	if err := workflow.SignalExternalWorkflow(ctx, parent.ID, parent.RunID, SignalSubOrderDone, s.result()).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).
			Warn("the order did not take the settled signal; it will see this workflow complete", "error", err)
	}
}

// refundWindow keeps the finished sub-order open for refunds — from the merchant's available funds, with
// clawback — until the window passes; each refund is followed by the conservation check.
func (s *subOrder) refundWindow(ctx workflow.Context) {
	end := workflow.Now(ctx).Add(s.in.Settings.RefundWindow)
	for {
		remaining := end.Sub(workflow.Now(ctx))
		if remaining <= 0 {
			return
		}
		s.set(ctx, StatusCompleted, "refund-window")
		if ok, _ := workflow.AwaitWithTimeout(ctx, remaining, s.pendingRefunds); !ok {
			continue
		}
		s.processRefunds(ctx)
		s.attempt(ctx, "conservation-check", func() error {
			return ActivityCheckConservation.Start(ledgerOptions(ctx), s.in.Ref).Get(ctx, nil)
		})
	}
}

// awaitReceipt waits for the shop's confirmation until the confirm deadline: auto-confirm, or the freeze
// deadline when that comes first.
func (s *subOrder) awaitReceipt(ctx workflow.Context) {
	s.set(ctx, StatusAwaitingReceipt, "shop:receipt")
	for s.confirmedBy == "" {
		remaining := s.confirmBy.Sub(workflow.Now(ctx))
		if remaining <= 0 {
			break
		}
		_, _ = workflow.AwaitWithTimeout(
			ctx,
			remaining,
			func() bool { return s.confirmedBy != "" || s.pendingRefunds() },
		)
		s.processRefunds(ctx)
	}
	if s.confirmedBy != "" {
		return
	}
	if s.confirmBy.Equal(s.finishBy) {
		s.confirm(
			ctx,
			ConfirmedByFreezeDeadline,
			"confirmed early: sharing must finish before the channel auto-unfreezes on "+
				s.in.PaidAt.Add(s.in.Settings.FreezePeriod).Format(time.DateOnly),
		)
		return
	}
	s.confirm(ctx, ConfirmedByAutoConfirm, "receipt auto-confirmed")
}

// afterSale lets the after-sale window pass, cut short by the freeze deadline.
func (s *subOrder) afterSale(ctx workflow.Context) {
	end := s.confirmedAt.Add(s.in.Settings.AfterSaleWindow)
	if end.After(s.finishBy) {
		end = s.finishBy
		s.note(ctx, "after-sale window cut short by the freeze deadline")
	}
	for {
		wait := end.Sub(workflow.Now(ctx))
		if wait <= 0 {
			return
		}
		s.set(ctx, StatusAfterSale, "after-sale-window")
		_, _ = workflow.AwaitWithTimeout(ctx, wait, s.pendingRefunds)
		s.processRefunds(ctx)
	}
}

// share sends the plan's batches one by one, each under its own out-number, and waits for each result.
func (s *subOrder) share(ctx workflow.Context) {
	s.attempt(ctx, "plan", func() error {
		p, err := PlanSharing(
			SharingPlanInput{
				Paid:                   s.in.Amount,
				Subsidy:                s.subsidyPaid,
				Refunded:               s.refunded,
				Rules:                  s.in.Commissions,
				MaxRatio:               s.in.Limits.MaxRatio,
				MaxReceiversPerRequest: s.in.Limits.MaxReceiversPerRequest,
				MaxRequests:            s.in.Limits.MaxRequests,
			},
		)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePlan, err)
		}
		s.plan = p
		return nil
	})
	batches := s.plan.Batches
	if workflow.GetVersion(ctx, "debt-netting", workflow.DefaultVersion, 1) == 1 {
		batches = s.netDebts(ctx)
	}
	for k, shares := range batches {
		s.batches = append(
			s.batches,
			SharingBatch{OutOrderNo: fmt.Sprintf("%s-share%d", s.in.Ref.SubOrderNo, k+1), Shares: shares},
		)
	}
	for k := range s.batches {
		s.shareBatch(ctx, &s.batches[k])
	}
}

// netDebts withholds from each person's share what it owes this merchant for earlier clawbacks, and answers
// the batches that pay the rest. The plan keeps each person's whole share: that is what it earned (and what a
// later clawback is measured against); the withheld part stays with the merchant, unfrozen at finish.
func (s *subOrder) netDebts(ctx workflow.Context) [][]PlannedShare {
	var persons []PlannedShare
	for _, p := range s.plan.Shares {
		if p.Type == ReceiverPersonal {
			persons = append(persons, p)
		}
	}
	if len(persons) == 0 {
		return s.plan.Batches
	}
	s.attempt(ctx, "net debts", func() error {
		net, err := ActivityNetCommissionDebts.Run(
			ledgerOptions(ctx),
			NetDebtsInput{SubOrderRef: s.in.Ref, Shares: persons},
		)
		s.nettings = net.Nettings
		return err
	})
	if len(s.nettings) == 0 {
		return s.plan.Batches
	}
	var cash []PlannedShare
	for _, p := range s.plan.Shares {
		p.Amount -= s.netted(p.ReceiverID)
		if p.Amount > 0 {
			cash = append(cash, p)
		}
	}
	for _, n := range s.nettings {
		s.note(
			ctx,
			"%s of %s's commission withheld against its debt to the merchant (%s)",
			n.Amount,
			n.ReceiverID,
			n.NettingID,
		)
	}
	return batch(cash, s.in.Limits.MaxReceiversPerRequest)
}

func (s *subOrder) shareBatch(ctx workflow.Context, b *SharingBatch) {
	cctx := channelOptions(ctx)
	in := ShareInput{SubOrderRef: s.in.Ref, OutOrderNo: b.OutOrderNo, Shares: b.Shares}
	var st ShareStatus
	finished := func(st ShareStatus) bool { b.Status = st.Status; return st.Status == "FINISHED" }
	s.attempt(ctx, "share "+b.OutOrderNo, func() (err error) {
		if st, err = ActivityShare.Run(cctx, in); err != nil {
			return err
		}
		b.OrderID = st.OrderID
		if !finished(st) { // PROCESSING can last: ask again with backoff
			st, err = poll(
				ctx,
				s.sharePoll(),
				nil,
				func() (ShareStatus, error) { return ActivityQueryShare.Run(cctx, in) },
				finished,
			)
		}
		return err
	})
	b.Results = st.Receivers
	succeeded, failed := splitResults(b.Shares, st.Receivers)
	b.Failed = failed
	for _, f := range failed {
		s.note(
			ctx,
			"receiver %s closed by the channel (%s): its %s stays with the merchant",
			f.Account,
			f.FailReason,
			f.Amount,
		)
	}
	if len(succeeded) == 0 {
		return
	}
	lctx := ledgerOptions(ctx)
	s.attempt(ctx, "post "+b.OutOrderNo, func() error {
		return ActivityPostSharing.Start(lctx, PostSharingInput{SubOrderRef: s.in.Ref, SharingOrderID: st.OrderID,
			Shares: succeeded}).Get(ctx, nil)
	})
	for _, p := range succeeded {
		s.shared += p.Amount
	}
	s.note(ctx, "%s settled: %d receiver(s) paid, %d closed", b.OutOrderNo, len(succeeded), len(failed))
}

// sharePoll is the schedule for asking about sharing requests and returns.
func (s *subOrder) sharePoll() *backoff {
	return newBackoff(s.in.Settings.SharePollFirst, s.in.Settings.SharePollMax)
}

// splitResults splits a finished request's planned shares into those the channel paid and those it closed.
// Receivers are matched by account and amount, each result used once.
func splitResults(
	planned []PlannedShare,
	results []ShareReceiverStatus,
) (succeeded []PlannedShare, failed []ShareReceiverStatus) {
	used := make([]bool, len(results))
	for _, p := range planned {
		for i, r := range results {
			if used[i] || r.Account != p.Account || r.Amount != p.Amount {
				continue
			}
			used[i] = true
			if r.Result == "SUCCESS" {
				succeeded = append(succeeded, p)
			} else {
				failed = append(failed, r)
			}
			break
		}
	}
	return succeeded, failed
}

func (s *subOrder) finish(ctx workflow.Context) {
	s.processRefunds(ctx) // refunds asked during sharing, now that every request has settled
	s.finishing = true
	s.set(ctx, StatusFinishing, "channel:finish")
	if workflow.GetVersion(ctx, "finish-precheck", workflow.DefaultVersion, 1) == 1 {
		s.checkFrozen(ctx, "check frozen before finish") // what finish unfreezes must be what the books hold frozen
	}
	cctx, lctx := channelOptions(ctx), ledgerOptions(ctx)
	var res FinishResult
	s.attempt(ctx, "finish", func() error {
		return ActivityFinish.Start(cctx, FinishInput{SubOrderRef: s.in.Ref, OutOrderNo: s.in.Ref.SubOrderNo + "-finish",
			Description: "order completed"}).
			Get(ctx, &res)
	})
	if res.Amount > 0 {
		s.attempt(ctx, "post-finish", func() error {
			return ActivityPostFinished.Start(lctx, PostFinishedInput{SubOrderRef: s.in.Ref, FinishOrderID: res.OrderID,
				Amount: res.Amount}).Get(ctx, nil)
		})
	}
	s.settled, s.finished = res.Amount, true
	s.note(ctx, "finished: %s unfrozen to the merchant", res.Amount)
}
