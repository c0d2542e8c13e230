package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Checkout is a combined order's workflow (id OrderWorkflowID): it places the order at the channel when the
// caller's CreatePayment update arrives, waits for the buyer's payment (notification, or a query when none
// comes), closes the order when the payment window passes — keeping a payment that raced the close — posts
// each paid sub-order to the ledger, and runs one SubOrder child per sub-order to completion.
func Checkout(ctx workflow.Context, in OrderInput) (OrderResult, error) {
	o := &checkout{in: in}
	if err := o.setup(ctx); err != nil {
		return OrderResult{}, err
	}
	return o.run(ctx)
}

type checkout struct {
	process
	in        OrderInput
	expireAt  time.Time
	params    PaymentParams
	created   bool
	creating  bool
	rejected  *StepError
	risked    bool          // judged by the risk rules ("risk-controls"): its reservation is released if unpaid
	held      *RiskDecision // held for risk review
	review    *ReviewRequest
	paid      *PaymentStatus
	paidSubs  map[string]SubOrderPayment // sub-orders reported paid so far, by sub-order number
	paidAt    time.Time
	paidBy    string
	subs      []SubOrderSummary
	childDone int
	revision  int64
	notices   workflow.ReceiveChannel

	viewedPlaced bool // the read model's first record already shows the order created ("view-once-placed")
}

func (o *checkout) setup(ctx workflow.Context) error {
	o.in.Settings = o.in.Settings.withDefaults()
	o.process = newProcess(ctx, StatusCreated)
	o.adoptChanges(ctx)
	o.notices = workflow.GetSignalChannel(ctx, SignalPaymentNotified)
	if err := o.in.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidOrder, err)
	}
	o.expireAt = workflow.Now(ctx).Add(o.in.Settings.PaymentWindow)
	for i, s := range o.in.SubOrders {
		o.subs = append(
			o.subs,
			SubOrderSummary{N: i + 1, SubOrderNo: SubOrderNo(o.in.OrderNo, i+1), MerchantID: s.MerchantID,
				Amount: s.Amount, Subsidy: s.Subsidy},
		)
	}
	o.note(ctx, "order %s created: %d sub-order(s), %s yuan", o.in.OrderNo, len(o.in.SubOrders), o.in.Total())
	if err := workflow.SetQueryHandler(ctx, QueryOrder, func() (OrderState, error) { return o.state(), nil }); err != nil {
		return err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReview, o.reviewed,
		workflow.UpdateHandlerOptions{Validator: o.validateReview})
	if err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(
		ctx,
		UpdateCreatePayment,
		o.createPayment,
		workflow.UpdateHandlerOptions{
			Validator: func(_ workflow.Context, req CreatePaymentRequest) error {
				if req.Fingerprint != o.in.Fingerprint {
					return temporal.NewNonRetryableApplicationError(
						"order "+o.in.OrderNo+" exists with a different cart",
						ErrTypeDifferentCart,
						nil,
					)
				}
				return nil
			},
		},
	)
}

func (o *checkout) state() OrderState {
	return OrderState{
		OrderNo:      o.in.OrderNo,
		Channel:      o.in.Channel,
		Status:       o.status,
		WaitingFor:   o.waitingFor,
		Total:        o.in.Total(),
		Params:       o.params,
		ExpireAt:     o.expireAt,
		PaidAt:       o.paidAt,
		PaidBy:       o.paidBy,
		SubOrders:    append([]SubOrderSummary(nil), o.subs...),
		LastError:    o.lastError,
		Timeline:     append([]Event(nil), o.timeline...),
		Fingerprint:  o.in.Fingerprint,
		ChildrenDone: o.childDone,
	}
}

func (o *checkout) run(ctx workflow.Context) (OrderResult, error) {
	if err := o.awaitPlacement(ctx); err != nil {
		return OrderResult{}, err
	}
	if o.held != nil && !o.awaitReview(ctx) && o.rejected == nil {
		o.releaseRisk(ctx, "not approved in review")
		o.end(ctx, StatusClosed, "")
		awaitHandlers(ctx)
		return OrderResult{OrderNo: o.in.OrderNo, Status: StatusClosed}, nil
	}
	if o.rejected != nil {
		if o.rejected.Type != ErrTypeRiskRefused { // a refusal counted nothing
			o.releaseRisk(ctx, "rejected")
		}
		o.saveView(ctx)
		awaitHandlers(ctx)
		return OrderResult{}, temporal.NewNonRetryableApplicationError(
			"order rejected by the channel: "+o.rejected.Message,
			o.rejected.Type,
			nil,
		)
	}
	if o.created {
		if !o.viewedPlaced {
			o.saveView(ctx)
		}
		o.awaitPayment(ctx)
	}
	if o.paid == nil {
		o.closeUnpaid(ctx)
	}
	if o.paid == nil {
		o.releaseRisk(ctx, "closed unpaid")
		o.note(ctx, "closed unpaid")
		o.end(ctx, StatusClosed, "")
		awaitHandlers(ctx)
		return OrderResult{OrderNo: o.in.OrderNo, Status: StatusClosed}, nil
	}
	o.postPayments(ctx)
	o.runSubOrders(ctx)
	if o.childDone < len(o.subs) {
		o.end(ctx, StatusNeedsAttention, "ops:sub-orders")
		awaitHandlers(ctx)
		return OrderResult{}, temporal.NewNonRetryableApplicationError(
			"a sub-order workflow failed: see "+o.lastError.Step,
			ErrTypeSubOrderFailed,
			nil,
		)
	}
	o.note(ctx, "every sub-order completed")
	o.end(ctx, StatusCompleted, "")
	awaitHandlers(ctx)
	return OrderResult{OrderNo: o.in.OrderNo, Status: StatusCompleted}, nil
}

// awaitPlacement waits until the order is placed, refused or held, or its payment window passes. The read model
// shows the order from its start; since "view-once-placed", a create under way (Update-With-Start: nearly
// always) is waited for first, and the order is shown once, placed. A create ends within its own timeouts
// (callerWaitsOptions), so that wait needs no timer, and since "timers-when-waiting" neither does the window
// once the order is placed.
func (o *checkout) awaitPlacement(ctx workflow.Context) error {
	placed := func() bool { return o.created || o.rejected != nil || o.held != nil }
	if o.version(ctx, "view-once-placed") == 1 {
		_ = workflow.Await(ctx, func() bool { return !o.creating })
		o.viewedPlaced = placed()
		if o.version(ctx, "view-after-review") == 1 {
			o.viewedPlaced = o.created // a held order is shown again once approved and placed
		}
	}
	o.saveView(ctx)
	if o.version(ctx, "timers-when-waiting") == 1 && placed() {
		return nil
	}
	_, err := workflow.AwaitWithTimeout(ctx, o.expireAt.Sub(workflow.Now(ctx)), placed)
	return err
}

// runSubOrders starts one child per sub-order and waits for all of them. Children are abandoned, not
// terminated, if this workflow ends abnormally: they hold money and must finish on their own.
func (o *checkout) runSubOrders(ctx workflow.Context) {
	o.set(ctx, StatusPaid, "sub-orders")
	futures := make([]workflow.ChildWorkflowFuture, len(o.subs))
	for i := range o.subs {
		futures[i] = o.startSubOrder(ctx, i)
	}
	if o.version(ctx, "settled-signal") == workflow.DefaultVersion {
		for i, f := range futures {
			var res SubOrderResult
			err := f.Get(ctx, &res)
			o.recordChild(ctx, i, res, err)
		}
		return
	}
	o.awaitSubOrders(ctx, futures)
}

// startSubOrder starts sub-order i's child workflow.
func (o *checkout) startSubOrder(ctx workflow.Context, i int) workflow.ChildWorkflowFuture {
	s, spec := o.subs[i], o.in.SubOrders[i]
	id := SubOrderWorkflowID(o.in.OrderNo, s.N)
	o.subs[i].WorkflowID, o.subs[i].Status = id, StatusAwaitingReceipt
	in := o.subOrderInput(i)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        id,
		StaticSummary:     in.Summary(),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrStatus.ValueSet(StatusAwaitingReceipt),
			AttrChannel.ValueSet(o.in.Channel),
			AttrMerchant.ValueSet([]string{spec.MerchantID}),
			AttrAmount.ValueSet(int64(spec.Amount)),
			AttrWaitingFor.ValueSet(waitingForReceipt),
			AttrStatusSince.ValueSet(workflow.Now(ctx)),
		),
	})
	return workflow.ExecuteChildWorkflow(cctx, SubOrder, in)
}

// subOrderInput is sub-order i's workflow input.
func (o *checkout) subOrderInput(i int) SubOrderInput {
	s, spec := o.subs[i], o.in.SubOrders[i]
	return SubOrderInput{
		Ref: SubOrderRef{
			Channel:       o.in.Channel,
			OrderNo:       o.in.OrderNo,
			SubOrderNo:    s.SubOrderNo,
			MerchantID:    spec.MerchantID,
			SubMchID:      spec.SubMchID,
			TransactionID: s.TransactionID,
		},
		N:               s.N,
		Amount:          spec.Amount,
		Subsidy:         spec.Subsidy,
		Description:     spec.Description,
		Commissions:     spec.Commissions,
		Items:           spec.Items,
		Coupon:          spec.Coupon,
		Limits:          o.in.Limits,
		Settings:        o.in.Settings,
		PaidAt:          o.paidAt,
		RefundNotifyURL: o.in.RefundNotifyURL,
	}
}

// awaitSubOrders waits until every sub-order is done. A sub-order signals when it settles, then stays open for
// refunds: the order completes on the signals (or on a child's end, whichever comes first), not on the refund
// windows.
func (o *checkout) awaitSubOrders(ctx workflow.Context, futures []workflow.ChildWorkflowFuture) {
	doneSignals := workflow.GetSignalChannel(ctx, SignalSubOrderDone)
	done := make([]bool, len(futures))
	for remaining := len(futures); remaining > 0; remaining-- {
		sel := workflow.NewSelector(ctx)
		for i, f := range futures {
			if done[i] {
				continue
			}
			sel.AddFuture(f, func(f workflow.Future) {
				var res SubOrderResult
				err := f.Get(ctx, &res)
				done[i] = true
				o.recordChild(ctx, i, res, err)
			})
		}
		sel.AddReceive(doneSignals, func(c workflow.ReceiveChannel, _ bool) {
			var res SubOrderResult
			c.Receive(ctx, &res)
			if i := res.N - 1; i >= 0 && i < len(done) && !done[i] {
				done[i] = true
				o.recordChild(ctx, i, res, nil)
			} else {
				remaining++ // a repeat: it does not count
			}
		})
		sel.Select(ctx)
	}
}

// recordChild records a sub-order's outcome.
func (o *checkout) recordChild(ctx workflow.Context, i int, res SubOrderResult, err error) {
	if err != nil {
		// A child fails only if its code does; the money steps inside it wait for ops instead of failing.
		o.lastError = stepError(ctx, "sub-order "+o.subs[i].SubOrderNo, err)
		o.note(ctx, "sub-order %s failed: %v", o.subs[i].SubOrderNo, err)
		o.subs[i].Status = "FAILED"
		return
	}
	o.subs[i].Status = res.Status
	o.childDone++
	o.note(ctx, "sub-order %s %s: shared %s, settled %s", res.SubOrderNo, res.Status, res.Shared, res.Settled)
}

// end sets the status the order ends in (or waits for ops in). The read model is written first, so a client
// that sees the status in the live state finds the order listed with it too.
func (o *checkout) end(ctx workflow.Context, status, waitingFor string) {
	if o.version(ctx, "view-before-status") == workflow.DefaultVersion {
		o.set(ctx, status, waitingFor)
		o.saveView(ctx)
		return
	}
	o.saveViewAs(ctx, status)
	o.set(ctx, status, waitingFor)
}

// viewInput is the orders read model's next revision of the order, in status.
func (o *checkout) viewInput(ctx workflow.Context, status string) OrderViewInput {
	o.revision++
	v := OrderViewInput{OrderNo: o.in.OrderNo, Channel: o.in.Channel, Status: status, Total: o.in.Total(),
		MerchantIDs: o.in.MerchantIDs(), Revision: o.revision}
	if o.paid != nil {
		v.Paid, v.PaidAt = o.in.Total(), &o.paidAt
	}
	if status == StatusCompleted {
		now := workflow.Now(ctx)
		v.CompletedAt = &now
	}
	return v
}

// saveView writes the orders read model; a best effort, since the workflow's own state is the truth.
func (o *checkout) saveView(ctx workflow.Context) { o.saveViewAs(ctx, o.status) }

func (o *checkout) saveViewAs(ctx workflow.Context, status string) {
	v := o.viewInput(ctx, status)
	if err := ActivitySaveOrderView.Start(o.ledger(ctx), v).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("orders read model not updated", "error", err)
	}
}
