package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

func (o *checkout) createdOrder() CreatedOrder {
	return CreatedOrder{OrderNo: o.in.OrderNo, Status: o.status, Params: o.params, ExpireAt: o.expireAt}
}

// createPayment places the combined order at the channel once; a repeated create returns the same answer.
func (o *checkout) createPayment(ctx workflow.Context, _ CreatePaymentRequest) (CreatedOrder, error) {
	if err := workflow.Await(ctx, func() bool { return !o.creating }); err != nil {
		return CreatedOrder{}, err
	}
	switch {
	case o.created, o.held != nil:
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
	if held, err := o.judgeRisk(ctx); held || err != nil {
		return o.createdOrder(), err
	}
	if err := o.place(callerWaitsOptions(ctx)); err != nil {
		return CreatedOrder{}, err
	}
	return o.createdOrder(), nil
}

// place creates the combined order at the channel with the activity options of ctx; a refusal for good rejects
// the order.
func (o *checkout) place(ctx workflow.Context) error {
	var params PaymentParams
	err := ActivityCreateCombinedPayment.Start(ctx, o.paymentInput()).Get(ctx, &params)
	if err != nil {
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && ae.NonRetryable() {
			o.rejected = stepError(ctx, "create", err)
			o.note(ctx, "the channel refused the order: %s", ae.Type())
			o.set(ctx, StatusRejected, "")
		}
		return err
	}
	o.params, o.created = params, true
	o.note(ctx, "payment parameters issued; the buyer may pay until %s", o.expireAt.Format(time.RFC3339))
	o.set(ctx, StatusAwaitingPayment, "buyer")
	return nil
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
		if o.version(ctx, "timers-when-waiting") == 1 && o.takeNotice(ctx) {
			continue // it came before the wait: no timer
		}
		timerCtx, cancel := workflow.WithCancel(ctx)
		timedOut := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(o.notices, func(c workflow.ReceiveChannel, _ bool) {
			var n PaymentNotice
			c.Receive(ctx, &n)
			o.acceptPayment(ctx, n.State, "notification")
		})
		sel.AddReceive(o.requeries, func(c workflow.ReceiveChannel, _ bool) {
			var r ResumeRequest
			c.Receive(ctx, &r)
			o.note(ctx, "%s asks to query the channel now: %s", r.By, r.Reason)
			timedOut = true
		})
		sel.AddFuture(
			workflow.NewTimer(timerCtx, min(o.in.Settings.QueryAfter, remaining)),
			func(workflow.Future) { timedOut = true },
		)
		sel.Select(ctx)
		cancel()
		if timedOut {
			var st PaymentStatus
			err := ActivityQueryCombinedPayment.Start(queryCtx, QueryPaymentInput{
				Channel: o.in.Channel, OutTradeNo: o.in.OrderNo, SubOrders: o.paymentSubOrders(),
			}).
				Get(ctx, &st)
			if err != nil {
				o.note(ctx, "payment query failed (%s); will ask again", errorType(err))
				continue
			}
			o.acceptPayment(ctx, st, "query")
		}
	}
}

// takeNotice accepts a payment notification that has already come, if one has.
func (o *checkout) takeNotice(ctx workflow.Context) bool {
	var n PaymentNotice
	if !o.notices.ReceiveAsync(&n) {
		return false
	}
	o.acceptPayment(ctx, n.State, "notification")
	return true
}

// acceptPayment takes the payment once every sub-order is reported paid with its amount. WeChat reports every
// sub-order in one state; Alipay notifies each trade of a merged payment on its own, so reports add up.
func (o *checkout) acceptPayment(ctx workflow.Context, st PaymentStatus, how string) bool {
	if o.paid != nil {
		return true
	}
	if o.paidSubs == nil {
		o.paidSubs = map[string]SubOrderPayment{}
	}
	for _, s := range o.subs {
		for _, p := range st.SubOrders {
			switch {
			case p.OutTradeNo != s.SubOrderNo || p.TradeState != channels.PaymentPaid || p.TransactionID == "":
			case p.Amount != s.Amount:
				o.note(ctx, "channel reports %s paid %s, ordered %s: not accepted", s.SubOrderNo, p.Amount, s.Amount)
				return false
			default:
				o.paidSubs[s.SubOrderNo] = p
			}
		}
	}
	if len(o.paidSubs) < len(o.subs) {
		return false
	}
	all := PaymentStatus{OutTradeNo: o.in.OrderNo}
	for i := range o.subs {
		p := o.paidSubs[o.subs[i].SubOrderNo]
		o.subs[i].TransactionID = p.TransactionID
		all.SubOrders = append(all.SubOrders, p)
	}
	o.paid, o.paidAt, o.paidBy = &all, workflow.Now(ctx), how
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
		rej, _ := channelRejection(err)
		switch {
		case err == nil:
		case rej.Reason == channels.ReasonAlreadyPaid:
			alreadyPaid = true
		case rej.Reason == channels.ReasonNotFound:
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
		err := ActivityQueryCombinedPayment.Start(ctx, QueryPaymentInput{
			Channel: o.in.Channel, OutTradeNo: o.in.OrderNo, SubOrders: o.paymentSubOrders(),
		}).
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
	if o.version(ctx, "one-paid-upsert") == 1 {
		o.set(ctx, StatusPaid, "sub-orders") // a posting that fails shows ops:post-payment instead
	} else {
		o.set(ctx, StatusPaid, "ledger")
	}
	lctx := o.ledger(ctx)
	payments := make([]PostPaymentInput, len(o.subs))
	var total money.Amount
	for i, s := range o.subs {
		payments[i] = PostPaymentInput{Channel: o.in.Channel, OrderNo: o.in.OrderNo, SubOrderNo: s.SubOrderNo,
			MerchantID: o.in.SubOrders[i].MerchantID, TransactionID: s.TransactionID, Amount: s.Amount}
		total += s.Amount
	}
	if o.version(ctx, "post-payments-once") == 1 { // the postings and the read model in one activity
		view := o.viewInput(ctx, o.status)
		o.attempt(ctx, "post-payment", func() error {
			return ActivityPostPayments.Start(lctx, PostPaymentsInput{Channel: o.in.Channel, Amount: total,
				Payments: payments, View: view}).Get(ctx, nil)
		})
		o.note(ctx, "payment posted to the ledger")
		return
	}
	o.attempt(ctx, "post-payment", func() error {
		var futures []Future[PostingResult]
		for _, p := range payments {
			futures = append(futures, ActivityPostPayment.Start(lctx, p))
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
