package starter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// CreateOrderRequest is a buyer's checkout (see package cart).
type CreateOrderRequest = cart.Request

// Order answers CreateOrder: what the buyer's client needs to pay.
type Order struct {
	OrderNo  string                  `json:"order_no"`
	Status   string                  `json:"status"`
	Payment  workflows.PaymentParams `json:"payment"`
	ExpireAt time.Time               `json:"expire_at"`
}

// CreateOrder starts the order's workflow and places the combined order at the channel in one round trip
// (Update-With-Start). Repeating the same request returns the same order and payment parameters; another cart
// under the same number is a *ConflictError.
func (c *Client) CreateOrder(ctx context.Context, req CreateOrderRequest) (Order, error) {
	if c.PublicURL == "" {
		return Order{}, errors.New("starter: PublicURL (where channels send notifications) is not configured")
	}
	in, err := cart.Resolve(
		ctx,
		c.Records,
		cart.Config{Limits: c.Limits, Settings: c.Settings, NotifyURL: c.notifyURL},
		req,
	)
	if err != nil {
		return Order{}, err
	}
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.OrderWorkflowID(in.OrderNo),
		TaskQueue:                c.taskQueue(),
		StaticSummary:            in.Summary(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A rejected order may be tried again under its number; a closed or completed one may not.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrStatus.ValueSet(workflows.StatusCreated),
			workflows.AttrChannel.ValueSet(in.Channel), workflows.AttrMerchant.ValueSet(in.MerchantIDs()),
			workflows.AttrAmount.ValueSet(int64(in.Total())), workflows.AttrWaitingFor.ValueSet("channel:create")),
	}, workflows.Checkout, in)
	h, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   workflows.UpdateCreatePayment,
			WaitForStage: client.WorkflowUpdateStageCompleted,
			Args:         []any{workflows.CreatePaymentRequest{Fingerprint: in.Fingerprint}},
		},
	})
	var created workflows.CreatedOrder
	if err == nil {
		err = h.Get(ctx, &created)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return c.repeatOfClosedOrder(ctx, in)
	}
	if err != nil {
		return Order{}, fromTemporal(err, "create order "+in.OrderNo)
	}
	return Order{
		OrderNo:  created.OrderNo,
		Status:   created.Status,
		Payment:  created.Params,
		ExpireAt: created.ExpireAt,
	}, nil
}

// repeatOfClosedOrder answers a create whose order's workflow has already ended: the same cart gets the
// order as it is; another cart is a conflict.
func (c *Client) repeatOfClosedOrder(ctx context.Context, in workflows.OrderInput) (Order, error) {
	st, err := c.orderState(ctx, in.OrderNo)
	if err != nil {
		return Order{}, err
	}
	if st.Fingerprint != in.Fingerprint {
		return Order{}, &ConflictError{Reason: "order " + in.OrderNo + " exists with a different cart"}
	}
	return Order{OrderNo: st.OrderNo, Status: st.Status, Payment: st.Params, ExpireAt: st.ExpireAt}, nil
}

func (c *Client) orderState(ctx context.Context, orderNo string) (workflows.OrderState, error) {
	var st workflows.OrderState
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.OrderWorkflowID(orderNo), "", workflows.QueryOrder)
	if err != nil {
		return st, fromTemporal(err, "order "+orderNo)
	}
	return st, v.Get(&st)
}

// OrderDetail is an order's live state with each started sub-order's own.
type OrderDetail struct {
	workflows.OrderState
	SubOrderStates []workflows.SubOrderState
	// Stale: no worker answered a live query in time. For the order, this is then the read model's last view
	// (status, amounts, times; no sub-order detail); for a sub-order, the order's summary of it.
	Stale bool
}

// readWait bounds how long a read waits for a worker to answer its query before the read model stands in.
const readWait = 5 * time.Second

// GetOrder returns the order's live state from its workflow, with every paid sub-order's state. When no
// worker answers within readWait (a deploy, an outage), it answers the read model's view, marked Stale.
func (c *Client) GetOrder(ctx context.Context, orderNo string) (OrderDetail, error) {
	qctx, cancel := context.WithTimeout(ctx, readWait)
	defer cancel()
	st, err := c.orderState(qctx, orderNo)
	if noWorkerAnswered(ctx, qctx, err) {
		return c.storedOrder(ctx, orderNo)
	}
	if err != nil {
		return OrderDetail{}, err
	}
	out := OrderDetail{OrderState: st, SubOrderStates: make([]workflows.SubOrderState, len(st.SubOrders))}
	stale := make([]bool, len(st.SubOrders))
	var wg sync.WaitGroup
	errs := make([]error, len(st.SubOrders))
	for i, s := range st.SubOrders {
		if s.WorkflowID == "" {
			continue
		}
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, readWait)
			defer cancel()
			v, err := c.Temporal.QueryWorkflow(sctx, s.WorkflowID, "", workflows.QuerySubOrder)
			var nf *serviceerror.NotFound
			switch {
			case errors.As(err, &nf): // the order is starting it right now: its summary stands in
			case noWorkerAnswered(ctx, sctx, err): // its summary stands in, and the answer says so
				stale[i] = true
			case err != nil:
				errs[i] = err
			default:
				errs[i] = v.Get(&out.SubOrderStates[i])
			}
		})
	}
	wg.Wait()
	out.Stale = slices.Contains(stale, true)
	return out, fromTemporal(errors.Join(errs...), "sub-orders of "+orderNo)
}

// noWorkerAnswered: a query or update sent with the bounded context waited out its deadline (ours, or the
// server's own for a query no worker picked up) while the caller's context is still live.
func noWorkerAnswered(caller, bounded context.Context, err error) bool {
	if err == nil || caller.Err() != nil {
		return false
	}
	var de *serviceerror.DeadlineExceeded
	return bounded.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de)
}

// storedOrder is the read model's view of an order, for when its workflow cannot answer.
func (c *Client) storedOrder(ctx context.Context, orderNo string) (OrderDetail, error) {
	st, err := c.Records.StoredOrder(ctx, orderNo)
	return OrderDetail{OrderState: st, Stale: true}, err
}

// ConfirmReceiptRequest is the shop's delivery confirmation of sub-order N (1-based) of an order.
type ConfirmReceiptRequest struct {
	ConfirmedBy string `json:"confirmed_by"   maxlen:"64"`
	Note        string `json:"note,omitempty" maxlen:"256" text:"free"`
}

// receiptUpdateWait is how long a confirmation waits for a worker to apply it as an update before it is sent
// as a signal instead.
const receiptUpdateWait = 5 * time.Second

// ErrWillApply: the request was accepted by Temporal but not yet applied (no worker took it in time); the
// process applies it once a worker runs. Callers answer 202.
var ErrWillApply = errors.New("accepted: it will apply when a worker runs")

// ConfirmReceipt confirms delivery of one sub-order and answers its state. Repeating it is harmless; an order
// not yet paid is a *ConflictError. When no worker applies it within receiptUpdateWait (a deploy), the same
// confirmation goes as a signal, which the server keeps without a worker, and ErrWillApply is returned.
func (c *Client) ConfirmReceipt(
	ctx context.Context,
	orderNo string,
	n int,
	req ConfirmReceiptRequest,
) (workflows.SubOrderState, error) {
	var st workflows.SubOrderState
	if req.ConfirmedBy == "" {
		return st, &InputError{Field: "confirmed_by", Reason: "required"}
	}
	id, confirmation := workflows.SubOrderWorkflowID(
		orderNo,
		n,
	), workflows.ConfirmReceiptRequest{
		ConfirmedBy: req.ConfirmedBy,
		Note:        req.Note,
	}
	uctx, cancel := context.WithTimeout(ctx, receiptUpdateWait)
	defer cancel()
	h, err := c.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{WorkflowID: id,
		UpdateName: workflows.UpdateConfirmReceipt, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{confirmation}})
	if err == nil {
		err = h.Get(uctx, &st)
	}
	if noWorkerAnswered(ctx, uctx, err) {
		// No worker took it in time. The update may still apply later; the workflow applies either once.
		if serr := c.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalConfirmReceipt, confirmation); serr != nil {
			err = serr
		} else {
			return st, ErrWillApply
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return c.receiptForNoRunningSubOrder(ctx, orderNo, n)
	}
	return st, fromTemporal(err, "confirm receipt")
}

// receiptForNoRunningSubOrder answers a receipt for sub-order n when no workflow of it runs. One that already
// ended (settled, with no refund window left) took its receipt: a repeat answers its final state, as a repeat to
// a running one does. Otherwise the sub-order does not exist (an *InputError), or the order is not paid yet (a
// *ConflictError).
func (c *Client) receiptForNoRunningSubOrder(ctx context.Context, orderNo string, n int) (workflows.SubOrderState,
	error) {
	var st workflows.SubOrderState
	qctx, cancel := context.WithTimeout(ctx, readWait)
	defer cancel()
	v, err := c.Temporal.QueryWorkflow(qctx, workflows.SubOrderWorkflowID(orderNo, n), "", workflows.QuerySubOrder)
	if err == nil {
		return st, v.Get(&st)
	}
	order, err := c.orderState(ctx, orderNo)
	switch {
	case err != nil:
		return st, err
	case n < 1 || n > len(order.SubOrders):
		return st, &InputError{Field: "sub_order",
			Reason: fmt.Sprintf("order %s has sub-orders 1..%d", orderNo, len(order.SubOrders))}
	default:
		return st, &ConflictError{Reason: fmt.Sprintf(
			"order %s is %s: receipt can be confirmed once it is paid and its sub-orders run", orderNo, order.Status)}
	}
}

// RefundRequest asks for a refund of one sub-order: items (when it was placed with items) or an amount.
type RefundRequest struct {
	RefundNo string              `json:"refund_no"`
	Reason   string              `json:"reason,omitempty" maxlen:"80" text:"free"`
	Items    []RefundItemRequest `json:"items,omitempty"`
	Amount   money.Amount        `json:"amount,omitempty"` // fen
}

// RefundItemRequest returns some of an item.
type RefundItemRequest struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Refund asks sub-order n of an order for a refund. The sub-order validates it (refundable amount, items
// left, the refund number's content) and answers at once; the refund then proceeds, and GetRefund follows it.
// The same refund number with the same content is the same refund.
func (c *Client) Refund(ctx context.Context, orderNo string, n int, req RefundRequest) (workflows.RefundState, error) {
	var st workflows.RefundState
	wreq := workflows.RefundRequest{RefundNo: req.RefundNo, Reason: req.Reason, Amount: req.Amount}
	for _, it := range req.Items {
		wreq.Items = append(wreq.Items, workflows.ItemRefund{SKU: it.SKU, Quantity: it.Quantity})
	}
	h, err := c.Temporal.UpdateWorkflow(
		ctx,
		client.UpdateWorkflowOptions{WorkflowID: workflows.SubOrderWorkflowID(orderNo, n),
			UpdateName: workflows.UpdateRequestRefund, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{wreq}},
	)
	if err == nil {
		err = h.Get(ctx, &st)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if _, oerr := c.orderState(ctx, orderNo); oerr != nil {
			return st, oerr
		}
		return st, &ConflictError{
			Reason: fmt.Sprintf(
				"sub-order %d of %s is not running: unpaid, or completed (refunds after completion come with the clawback work)",
				n,
				orderNo,
			),
		}
	}
	return st, fromTemporal(err, "refund")
}

// GetRefund returns one refund's state from its sub-order.
func (c *Client) GetRefund(ctx context.Context, orderNo string, n int, refundNo string) (workflows.RefundState, error) {
	var st workflows.SubOrderState
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.SubOrderWorkflowID(orderNo, n), "", workflows.QuerySubOrder)
	if err != nil {
		return workflows.RefundState{}, fromTemporal(err, "sub-order")
	}
	if err := v.Get(&st); err != nil {
		return workflows.RefundState{}, err
	}
	for _, r := range st.Refunds {
		if r.RefundNo == refundNo {
			return r, nil
		}
	}
	return workflows.RefundState{}, fmt.Errorf("refund %s: %w", refundNo, ErrNotFound)
}

// ReceiverToppedUp tells sub-order n that a merchant receiver whose return failed for lack of balance has
// money again: the return is tried at once.
func (c *Client) ReceiverToppedUp(ctx context.Context, orderNo string, n int, receiverID string) error {
	if receiverID == "" {
		return &InputError{Field: "receiver_id", Reason: "required"}
	}
	err := c.Temporal.SignalWorkflow(
		ctx,
		workflows.SubOrderWorkflowID(orderNo, n),
		"",
		workflows.SignalReceiverToppedUp,
		workflows.ReceiverToppedUp{ReceiverID: receiverID},
	)
	return fromTemporal(err, "sub-order")
}
