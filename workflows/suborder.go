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
	settleConfirmed     bool // the channel confirmed settlement (channels that hold money until then)
	finishing, finished bool
	windowClosed        bool // the refund window has passed: no more refunds
	refundBook
}

func (s *subOrder) setup(ctx workflow.Context) error {
	s.in.Settings = s.in.Settings.withDefaults()
	s.process = newProcess(ctx, StatusAwaitingReceipt)
	s.adoptChanges(ctx)
	if s.version(ctx, "start-attrs-known") == 1 {
		s.waitingFor = waitingForReceipt // the order started it showing this (startSubOrder): no upsert to repeat it
	}
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
		workflow.UpdateHandlerOptions{
			Validator: func(_ workflow.Context, req RefundRequest) error { return s.validateRefund(req) },
		}); err != nil {
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
	s.confirmSettlement(ctx)
	s.paySubsidy(ctx)
	s.share(ctx)
	s.finish(ctx)
	s.attempt(ctx, "conservation-check", func() error {
		return ActivityCheckConservation.Start(s.ledger(ctx), s.in.Ref).Get(ctx, nil)
	})
	s.note(ctx, "completed: shared %s, settled %s to the merchant", s.shared, s.settled)
	s.complete(ctx)
	s.windowClosed = true
	awaitHandlers(ctx)
	return s.result(), nil
}

// complete shows the sub-order COMPLETED, tells its order, and keeps it open through its refund window. Since
// "quiet-completion", one upsert shows what it then waits for, and a sub-order with no window does not signal:
// the order sees it end a moment later.
func (s *subOrder) complete(ctx workflow.Context) {
	staysOpen := s.in.Settings.RefundWindow > 0
	quiet := s.version(ctx, "quiet-completion") == 1
	if quiet && staysOpen {
		s.set(ctx, StatusCompleted, waitingForRefunds)
	} else {
		s.set(ctx, StatusCompleted, "")
	}
	if s.version(ctx, "refund-window") == 1 {
		if staysOpen || !quiet {
			s.tellOrderDone(ctx)
		}
		s.refundWindow(ctx)
	}
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
	err := workflow.SignalExternalWorkflow(ctx, parent.ID, parent.RunID, SignalSubOrderDone, s.result()).Get(ctx, nil)
	if err != nil {
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
		s.set(ctx, StatusCompleted, waitingForRefunds)
		if ok, _ := workflow.AwaitWithTimeout(ctx, remaining, s.pendingRefunds); !ok {
			continue
		}
		s.processRefunds(ctx)
		s.attempt(ctx, "conservation-check", func() error {
			return ActivityCheckConservation.Start(s.ledger(ctx), s.in.Ref).Get(ctx, nil)
		})
	}
}

// awaitReceipt waits for the shop's confirmation until the confirm deadline: auto-confirm, or the freeze
// deadline when that comes first.
func (s *subOrder) awaitReceipt(ctx workflow.Context) {
	s.set(ctx, StatusAwaitingReceipt, waitingForReceipt)
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
