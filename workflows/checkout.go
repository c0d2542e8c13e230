package workflows

import (
	"errors"
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
	paid      *PaymentStatus
	paidAt    time.Time
	paidBy    string
	subs      []SubOrderSummary
	childDone int
	revision  int64
	notices   workflow.ReceiveChannel
}

func (o *checkout) setup(ctx workflow.Context) error {
	o.in.Settings = o.in.Settings.withDefaults()
	o.process = newProcess(ctx, StatusCreated)
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

func (o *checkout) createdOrder() CreatedOrder {
	return CreatedOrder{OrderNo: o.in.OrderNo, Status: o.status, Params: o.params, ExpireAt: o.expireAt}
}

// createPayment places the combined order at the channel once; a repeated create returns the same answer.
func (o *checkout) createPayment(ctx workflow.Context, _ CreatePaymentRequest) (CreatedOrder, error) {
	if err := workflow.Await(ctx, func() bool { return !o.creating }); err != nil {
		return CreatedOrder{}, err
	}
	switch {
	case o.created:
		return o.createdOrder(), nil
	case o.rejected != nil:
		return CreatedOrder{}, temporal.NewNonRetryableApplicationError(o.rejected.Message, o.rejected.Type, nil)
	case o.status != StatusCreated || !workflow.Now(ctx).Before(o.expireAt):
		return CreatedOrder{}, temporal.NewNonRetryableApplicationError(
			"the order's payment window has passed",
			ErrTypePaymentWindowPassed,
			nil,
		)
	}
	o.creating = true
	defer func() { o.creating = false }()
	var params PaymentParams
	err := ActivityCreateCombinedPayment.Start(callerWaitsOptions(ctx), o.paymentInput()).Get(ctx, &params)
	if err != nil {
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && ae.NonRetryable() {
			o.rejected = stepError(ctx, "create", err)
			o.note(ctx, "the channel refused the order: %s", ae.Type())
			o.set(ctx, StatusRejected, "")
		}
		return CreatedOrder{}, err
	}
	o.params, o.created = params, true
	o.note(ctx, "payment parameters issued; the buyer may pay until %s", o.expireAt.Format(time.RFC3339))
	o.set(ctx, StatusAwaitingPayment, "buyer")
	return o.createdOrder(), nil
}

func (o *checkout) paymentSubOrders() []PaymentSubOrder {
	out := make([]PaymentSubOrder, len(o.in.SubOrders))
	for i, s := range o.in.SubOrders {
		out[i] = PaymentSubOrder{
			MerchantID:    s.MerchantID,
			SubMchID:      s.SubMchID,
			OutTradeNo:    SubOrderNo(o.in.OrderNo, i+1),
			Description:   s.Description,
			Amount:        s.Amount,
			ProfitSharing: true,
			SubsidyAmount: s.Subsidy,
		}
	}
	return out
}

func (o *checkout) paymentInput() CreatePaymentInput {
	return CreatePaymentInput{
		Channel:       o.in.Channel,
		Scene:         o.in.Scene,
		OutTradeNo:    o.in.OrderNo,
		PayerOpenID:   o.in.PayerOpenID,
		PayerClientIP: o.in.PayerClientIP,
		H5Type:        o.in.H5Type,
		NotifyURL:     o.in.NotifyURL,
		ExpireAt:      o.expireAt,
		SubOrders:     o.paymentSubOrders(),
	}
}

func (o *checkout) run(ctx workflow.Context) (OrderResult, error) {
	o.saveView(ctx)
	if _, err := workflow.AwaitWithTimeout(ctx, o.expireAt.Sub(workflow.Now(ctx)), func() bool { return o.created || o.rejected != nil }); err != nil {
		return OrderResult{}, err
	}
	if o.rejected != nil {
		o.saveView(ctx)
		awaitHandlers(ctx)
		return OrderResult{}, temporal.NewNonRetryableApplicationError(
			"order rejected by the channel: "+o.rejected.Message,
			o.rejected.Type,
			nil,
		)
	}
	if o.created {
		o.saveView(ctx)
		o.awaitPayment(ctx)
	}
	if o.paid == nil {
		o.closeUnpaid(ctx)
	}
	if o.paid == nil {
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

// awaitPayment waits for a payment notification until the window passes, asking the channel whenever
// QueryAfter goes by without one (notifications get lost: 掉单).
func (o *checkout) awaitPayment(ctx workflow.Context) {
	queryCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
		ScheduleToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 10 * time.Second}})
	for o.paid == nil {
		remaining := o.expireAt.Sub(workflow.Now(ctx))
		if remaining <= 0 {
			return
		}
		timerCtx, cancel := workflow.WithCancel(ctx)
		timedOut := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(o.notices, func(c workflow.ReceiveChannel, _ bool) {
			var n PaymentNotice
			c.Receive(ctx, &n)
			o.acceptPayment(ctx, n.State, "notification")
		})
		sel.AddFuture(
			workflow.NewTimer(timerCtx, min(o.in.Settings.QueryAfter, remaining)),
			func(workflow.Future) { timedOut = true },
		)
		sel.Select(ctx)
		cancel()
		if timedOut {
			var st PaymentStatus
			err := ActivityQueryCombinedPayment.Start(queryCtx, QueryPaymentInput{Channel: o.in.Channel, OutTradeNo: o.in.OrderNo}).
				Get(ctx, &st)
			if err != nil {
				o.note(ctx, "payment query failed (%s); will ask again", errorType(err))
				continue
			}
			o.acceptPayment(ctx, st, "query")
		}
	}
}

// acceptPayment takes the channel's state as the payment when every sub-order succeeded with its amount.
func (o *checkout) acceptPayment(ctx workflow.Context, st PaymentStatus, how string) bool {
	if o.paid != nil {
		return true
	}
	if len(st.SubOrders) != len(o.subs) {
		return false
	}
	byNo := map[string]SubOrderPayment{}
	for _, s := range st.SubOrders {
		byNo[s.OutTradeNo] = s
	}
	for _, s := range o.subs {
		p, ok := byNo[s.SubOrderNo]
		if !ok || p.TradeState != "SUCCESS" || p.TransactionID == "" {
			return false
		}
		if p.Amount != s.Amount {
			o.note(ctx, "channel reports %s paid %s, ordered %s: not accepted", s.SubOrderNo, p.Amount, s.Amount)
			return false
		}
	}
	for i := range o.subs {
		o.subs[i].TransactionID = byNo[o.subs[i].SubOrderNo].TransactionID
	}
	o.paid, o.paidAt, o.paidBy = &st, workflow.Now(ctx), how
	o.note(ctx, "paid (learned by %s)", how)
	return true
}

// closeUnpaid closes the order at the channel, then asks once more: a payment that raced the close (the close
// answered ORDERPAID, or the buyer paid between our last look and the close) is kept, never lost.
func (o *checkout) closeUnpaid(ctx workflow.Context) {
	o.set(ctx, StatusClosing, "channel:close")
	o.note(ctx, "payment window passed; closing at the channel")
	ctx = channelOptions(ctx)
	alreadyPaid := false
	o.attempt(ctx, "close", func() error {
		err := ActivityCloseCombinedPayment.Start(ctx, ClosePaymentInput{Channel: o.in.Channel,
			OutTradeNo: o.in.OrderNo, SubOrders: o.paymentSubOrders()}).Get(ctx, nil)
		switch t := errorType(err); {
		case err == nil:
		case t == ChannelRejectedType("ORDERPAID"):
			alreadyPaid = true
		case t == ChannelRejectedType("ORDER_NOT_EXIST") || t == ChannelRejectedType("ORDERNOTEXIST"):
			// never placed (every create attempt failed): nothing to close
		default:
			return err
		}
		return nil
	})
	if !o.created && !alreadyPaid {
		return
	}
	o.attempt(ctx, "query-after-close", func() error {
		var st PaymentStatus
		err := ActivityQueryCombinedPayment.Start(ctx, QueryPaymentInput{Channel: o.in.Channel, OutTradeNo: o.in.OrderNo}).
			Get(ctx, &st)
		if err == nil && o.acceptPayment(ctx, st, "query-after-close") {
			o.note(ctx, "the payment raced the close: kept")
		}
		return err
	})
}

// postPayments posts every paid sub-order to the ledger (frozen to its merchant), in parallel; each posting is
// idempotent on the channel's transaction id.
func (o *checkout) postPayments(ctx workflow.Context) {
	o.set(ctx, StatusPaid, "ledger")
	lctx := ledgerOptions(ctx)
	o.attempt(ctx, "post-payment", func() error {
		var futures []Future[PostingResult]
		for i, s := range o.subs {
			futures = append(futures, ActivityPostPayment.Start(lctx, PostPaymentInput{Channel: o.in.Channel,
				OrderNo: o.in.OrderNo, SubOrderNo: s.SubOrderNo, MerchantID: o.in.SubOrders[i].MerchantID,
				TransactionID: s.TransactionID, Amount: s.Amount}))
		}
		var errs []error
		for _, f := range futures {
			errs = append(errs, f.Get(ctx, nil))
		}
		return errors.Join(errs...)
	})
	o.note(ctx, "payment posted to the ledger")
	o.saveView(ctx)
}

// runSubOrders starts one child per sub-order and waits for all of them. Children are abandoned, not
// terminated, if this workflow ends abnormally: they hold money and must finish on their own.
func (o *checkout) runSubOrders(ctx workflow.Context) {
	o.set(ctx, StatusPaid, "sub-orders")
	futures := make([]workflow.ChildWorkflowFuture, len(o.subs))
	for i, s := range o.subs {
		spec := o.in.SubOrders[i]
		id := SubOrderWorkflowID(o.in.OrderNo, s.N)
		o.subs[i].WorkflowID, o.subs[i].Status = id, StatusAwaitingReceipt
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        id,
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				AttrStatus.ValueSet(StatusAwaitingReceipt),
				AttrChannel.ValueSet(
					o.in.Channel,
				),
				AttrMerchant.ValueSet([]string{spec.MerchantID}),
				AttrAmount.ValueSet(int64(spec.Amount)),
				AttrWaitingFor.ValueSet("shop:receipt"),
			),
		})
		futures[i] = workflow.ExecuteChildWorkflow(cctx, SubOrder, SubOrderInput{
			Ref: SubOrderRef{
				Channel:       o.in.Channel,
				OrderNo:       o.in.OrderNo,
				SubOrderNo:    s.SubOrderNo,
				MerchantID:    spec.MerchantID,
				SubMchID:      spec.SubMchID,
				TransactionID: s.TransactionID,
			},
			N: s.N, Amount: spec.Amount, Subsidy: spec.Subsidy, Description: spec.Description, Commissions: spec.Commissions,
			Items: spec.Items, Coupon: spec.Coupon,
			Limits: o.in.Limits, Settings: o.in.Settings, PaidAt: o.paidAt, RefundNotifyURL: o.in.RefundNotifyURL,
		})
	}
	if workflow.GetVersion(ctx, "settled-signal", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		for i, f := range futures {
			var res SubOrderResult
			err := f.Get(ctx, &res)
			o.recordChild(ctx, i, res, err)
		}
		return
	}
	// A sub-order signals when it settles, then stays open for refunds: the order completes on the signals
	// (or on a child's end, whichever comes first), not on the refund windows.
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
	if workflow.GetVersion(ctx, "view-before-status", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		o.set(ctx, status, waitingFor)
		o.saveView(ctx)
		return
	}
	o.saveViewAs(ctx, status)
	o.set(ctx, status, waitingFor)
}

// saveView writes the orders read model; a best effort, since the workflow's own state is the truth.
func (o *checkout) saveView(ctx workflow.Context) { o.saveViewAs(ctx, o.status) }

func (o *checkout) saveViewAs(ctx workflow.Context, status string) {
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
	if err := ActivitySaveOrderView.Start(ledgerOptions(ctx), v).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("orders read model not updated", "error", err)
	}
}
