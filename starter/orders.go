package starter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// CreateOrderRequest is a buyer's checkout: one combined order of 1–50 sub-orders.
type CreateOrderRequest struct {
	OrderNo       string            `json:"order_no"`
	Channel       string            `json:"channel,omitempty"` // default wechatpay
	Scene         string            `json:"scene,omitempty"`   // jsapi | miniprogram | app | h5 | native (default)
	PayerOpenID   string            `json:"payer_openid,omitempty"`
	PayerClientIP string            `json:"payer_client_ip,omitempty"`
	H5Type        string            `json:"h5_type,omitempty"`
	SubOrders     []SubOrderRequest `json:"sub_orders"`
}

// SubOrderRequest is one shop's part of the checkout.
type SubOrderRequest struct {
	MerchantID  string              `json:"merchant_id"`
	Description string              `json:"description"`
	Amount      money.Amount        `json:"amount"`            // fen the buyer pays
	Subsidy     money.Amount        `json:"subsidy,omitempty"` // fen of platform coupon money paid to the shop before sharing
	Commissions []CommissionRequest `json:"commissions,omitempty"`
	// Items and Coupon, when given, price the sub-order (amount and subsidy follow from them) and let refunds
	// name items, with the coupon recomputed on what is kept.
	Items  []ItemRequest  `json:"items,omitempty"`
	Coupon *CouponRequest `json:"coupon,omitempty"`
}

// ItemRequest is a line of a sub-order.
type ItemRequest struct {
	SKU       string       `json:"sku"`
	UnitPrice money.Amount `json:"unit_price"` // fen
	Quantity  int          `json:"quantity"`
}

// CouponRequest is a threshold coupon (满减) on a sub-order.
type CouponRequest struct {
	Threshold money.Amount `json:"threshold"` // fen
	Discount  money.Amount `json:"discount"`  // fen
	FundedBy  string       `json:"funded_by"` // platform | merchant
}

// CommissionRequest gives a registered receiver a rate of the sub-order's sharing base.
type CommissionRequest struct {
	ReceiverID string `json:"receiver_id"` // "platform" for the platform's commission
	Rate       string `json:"rate"`        // e.g. "0.10"
}

// Order answers CreateOrder: what the buyer's client needs to pay.
type Order struct {
	OrderNo  string                  `json:"order_no"`
	Status   string                  `json:"status"`
	Payment  workflows.PaymentParams `json:"payment"`
	ExpireAt time.Time               `json:"expire_at"`
}

var scenes = map[string]bool{channels.SceneJSAPI: true, channels.SceneMiniProgram: true, channels.SceneApp: true,
	channels.SceneH5: true, channels.SceneNative: true}

// roles maps a receiver's relation at the channel to its role in the sharing plan.
var roles = map[string]string{"PLATFORM": workflows.RolePlatform, "DISTRIBUTOR": workflows.RoleDistributor, "SUPPLIER": workflows.RoleSupplier}

// resolve checks the request and turns it into the workflow's input: merchants' channel ids and receivers'
// accounts from the ledger's tables, every sharing plan checked against the channel's limits.
func (c *Client) resolve(ctx context.Context, req CreateOrderRequest) (workflows.OrderInput, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	if req.Scene == "" {
		req.Scene = channels.SceneNative
	}
	switch {
	case req.Channel != channels.WeChatPay:
		return workflows.OrderInput{}, &InputError{Field: "channel", Reason: "only wechatpay is available"}
	case !scenes[req.Scene]:
		return workflows.OrderInput{}, &InputError{Field: "scene", Reason: "one of jsapi, miniprogram, app, h5, native"}
	case (req.Scene == channels.SceneJSAPI || req.Scene == channels.SceneMiniProgram) && req.PayerOpenID == "":
		return workflows.OrderInput{}, &InputError{Field: "payer_openid", Reason: "required for " + req.Scene}
	case req.Scene == channels.SceneH5 && req.PayerClientIP == "":
		return workflows.OrderInput{}, &InputError{Field: "payer_client_ip", Reason: "required for h5"}
	case c.PublicURL == "":
		return workflows.OrderInput{}, errors.New("starter: PublicURL (where channels send notifications) is not configured")
	}
	lim := c.limits()
	in := workflows.OrderInput{OrderNo: req.OrderNo, Channel: req.Channel, Scene: req.Scene, PayerOpenID: req.PayerOpenID,
		PayerClientIP: req.PayerClientIP, H5Type: req.H5Type, NotifyURL: c.notifyURL(req.Channel, "transaction"),
		RefundNotifyURL: c.notifyURL(req.Channel, "refund"),
		Settings:        c.Settings, Fingerprint: fingerprint(req),
		Limits: workflows.PlanLimits{MaxSubOrders: lim.MaxSubOrders, MaxReceiversPerRequest: lim.MaxReceiversPerSharing,
			MaxRequests: lim.MaxSharingsPerOrder, MaxRatio: lim.MaxSharingRatio, MaxRefunds: lim.MaxRefundsPerOrder}}
	if len(req.SubOrders) > lim.MaxSubOrders {
		return in, &InputError{Field: "sub_orders", Reason: fmt.Sprintf("at most %d sub-orders in one combined order", lim.MaxSubOrders)}
	}
	if len(req.SubOrders) == 0 {
		return in, &InputError{Field: "sub_orders", Reason: "at least one sub-order"}
	}
	receivers := map[string]ledger.Receiver{}
	for i, s := range req.SubOrders {
		field := fmt.Sprintf("sub_orders[%d]", i)
		if s.Description == "" || len(s.Description) > 127 {
			return in, &InputError{Field: field + ".description", Reason: "required, at most 127 bytes"}
		}
		spec := workflows.SubOrderSpec{MerchantID: s.MerchantID, Description: s.Description, Amount: s.Amount, Subsidy: s.Subsidy}
		if err := priceItems(&spec, s, field); err != nil {
			return in, err
		}
		m, err := c.Ledger.GetMerchant(ctx, s.MerchantID)
		switch {
		case errors.Is(err, ledger.ErrNotFound) || s.MerchantID == "":
			return in, &InputError{Field: field + ".merchant_id", Reason: fmt.Sprintf("no merchant %q", s.MerchantID)}
		case err != nil:
			return in, err
		case m.Status != ledger.MerchantActive || m.Channel != req.Channel:
			return in, &InputError{Field: field + ".merchant_id", Reason: fmt.Sprintf("merchant %q is %s on %s, not active on %s", m.ID, m.Status, m.Channel, req.Channel)}
		}
		spec.SubMchID = m.SubMchID
		if spec.Subsidy > 0 && spec.Subsidy >= spec.Amount+spec.Subsidy {
			return in, &InputError{Field: field + ".subsidy", Reason: "must be less than the sub-order's value"}
		}
		for j, cr := range s.Commissions {
			cf := fmt.Sprintf("%s.commissions[%d]", field, j)
			rate, err := money.ParseRate(cr.Rate)
			if err != nil {
				return in, &InputError{Field: cf + ".rate", Reason: "a ratio between 0 and 1, e.g. \"0.10\""}
			}
			r, ok := receivers[cr.ReceiverID]
			if !ok {
				r, err = c.Ledger.GetReceiver(ctx, cr.ReceiverID)
				switch {
				case errors.Is(err, ledger.ErrNotFound) || cr.ReceiverID == "":
					return in, &InputError{Field: cf + ".receiver_id", Reason: fmt.Sprintf("no receiver %q: register it first", cr.ReceiverID)}
				case err != nil:
					return in, err
				}
				receivers[cr.ReceiverID] = r
			}
			if r.Status != ledger.ReceiverActive || r.Channel != req.Channel {
				return in, &InputError{Field: cf + ".receiver_id", Reason: fmt.Sprintf("receiver %q is not active on %s", r.ID, req.Channel)}
			}
			spec.Commissions = append(spec.Commissions, workflows.CommissionRule{ReceiverID: r.ID, Role: roles[r.Relation], Type: r.Type,
				Account: r.Account, Rate: rate})
		}
		in.SubOrders = append(in.SubOrders, spec)
	}
	return in, in.Validate()
}

// priceItems sets a sub-order's amount and subsidy from its items and coupon; an amount or subsidy the caller
// gave as well must agree.
func priceItems(spec *workflows.SubOrderSpec, s SubOrderRequest, field string) error {
	if len(s.Items) == 0 {
		if s.Coupon != nil {
			return &InputError{Field: field + ".coupon", Reason: "a coupon needs the items it applies to"}
		}
		return nil
	}
	seen := map[string]bool{}
	for i, it := range s.Items {
		if !validID(it.SKU) || seen[it.SKU] {
			return &InputError{Field: fmt.Sprintf("%s.items[%d].sku", field, i), Reason: "required, unique in the sub-order, 1 to 64 of A-Z a-z 0-9 _ -"}
		}
		if it.UnitPrice <= 0 || it.Quantity <= 0 || it.Quantity > 10000 {
			return &InputError{Field: fmt.Sprintf("%s.items[%d]", field, i), Reason: "unit_price must be positive fen and quantity 1..10000"}
		}
		seen[it.SKU] = true
		spec.Items = append(spec.Items, workflows.Item{SKU: it.SKU, UnitPrice: it.UnitPrice, Quantity: it.Quantity})
	}
	if c := s.Coupon; c != nil {
		spec.Coupon = &workflows.Coupon{Threshold: c.Threshold, Discount: c.Discount, FundedBy: c.FundedBy}
	}
	st, err := workflows.PriceItems(spec.Items, spec.Coupon)
	if err != nil {
		return &InputError{Field: field + ".coupon", Reason: err.Error()}
	}
	if (s.Amount != 0 && s.Amount != st.BuyerPays) || (s.Subsidy != 0 && s.Subsidy != st.Subsidy) {
		return &InputError{Field: field + ".amount", Reason: fmt.Sprintf("the items and coupon come to %s paid and %s subsidy; omit amount and subsidy or match them", st.BuyerPays, st.Subsidy)}
	}
	spec.Amount, spec.Subsidy = st.BuyerPays, st.Subsidy
	return nil
}

// fingerprint identifies a request's content, so a repeat under the same order number is recognised.
func fingerprint(req CreateOrderRequest) string {
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// CreateOrder starts the order's workflow and places the combined order at the channel in one round trip
// (Update-With-Start). Repeating the same request returns the same order and payment parameters; another cart
// under the same number is a *ConflictError.
func (c *Client) CreateOrder(ctx context.Context, req CreateOrderRequest) (Order, error) {
	in, err := c.resolve(ctx, req)
	if err != nil {
		return Order{}, err
	}
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.OrderWorkflowID(in.OrderNo),
		TaskQueue:                c.taskQueue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A rejected order may be tried again under its number; a closed or completed one may not.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrStatus.ValueSet(workflows.StatusCreated),
			workflows.AttrChannel.ValueSet(in.Channel), workflows.AttrMerchant.ValueSet(in.MerchantIDs()),
			workflows.AttrAmount.ValueSet(int64(in.Total())), workflows.AttrWaitingFor.ValueSet("channel:create")),
	}, workflows.Checkout, in)
	h, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.UpdateCreatePayment, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{workflows.CreatePaymentRequest{Fingerprint: in.Fingerprint}}},
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
	return Order{OrderNo: created.OrderNo, Status: created.Status, Payment: created.Params, ExpireAt: created.ExpireAt}, nil
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
	v, err := c.Ledger.GetOrder(ctx, orderNo)
	if errors.Is(err, ledger.ErrNotFound) {
		return OrderDetail{}, fmt.Errorf("order %s: %w", orderNo, ErrNotFound)
	}
	if err != nil {
		return OrderDetail{}, err
	}
	st := workflows.OrderState{OrderNo: v.OrderNo, Channel: v.Channel, Status: v.Status, Total: v.TotalAmount}
	if v.PaidAt != nil {
		st.PaidAt = *v.PaidAt
	}
	return OrderDetail{OrderState: st, Stale: true}, nil
}

// ListOrders lists orders from the ledger's read model, newest first; after is the last order number of the
// previous page.
func (c *Client) ListOrders(ctx context.Context, status, after string, limit int) ([]ledger.OrderView, error) {
	return c.Ledger.ListOrders(ctx, status, after, limit)
}

// ConfirmReceiptRequest is the shop's delivery confirmation of sub-order N (1-based) of an order.
type ConfirmReceiptRequest struct {
	ConfirmedBy string `json:"confirmed_by" maxlen:"64"`
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
func (c *Client) ConfirmReceipt(ctx context.Context, orderNo string, n int, req ConfirmReceiptRequest) (workflows.SubOrderState, error) {
	var st workflows.SubOrderState
	if req.ConfirmedBy == "" {
		return st, &InputError{Field: "confirmed_by", Reason: "required"}
	}
	id, confirmation := workflows.SubOrderWorkflowID(orderNo, n), workflows.ConfirmReceiptRequest{ConfirmedBy: req.ConfirmedBy, Note: req.Note}
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
		order, oerr := c.orderState(ctx, orderNo)
		switch {
		case oerr != nil:
			return st, oerr
		case n < 1 || n > len(order.SubOrders):
			return st, &InputError{Field: "sub_order", Reason: fmt.Sprintf("order %s has sub-orders 1..%d", orderNo, len(order.SubOrders))}
		default:
			return st, &ConflictError{Reason: fmt.Sprintf("order %s is %s: receipt can be confirmed once it is paid and its sub-orders run", orderNo, order.Status)}
		}
	}
	return st, fromTemporal(err, "confirm receipt")
}

// PaymentNotified records a verified payment notification in the inbox, then signals the order. The signal
// is sent for duplicates too (the inbox cannot tell whether an earlier delivery's signal got through), and the
// workflow ignores what it already knows: a duplicate has no second effect. It reports whether the
// notification was new. An order that no longer runs (finished, or unknown) is logged by the caller, not retried.
func (c *Client) PaymentNotified(ctx context.Context, channel string, n channels.Notification, st channels.CombinedOrderState) (isNew bool, err error) {
	isNew, err = c.Ledger.RecordNotification(ctx, ledger.Notification{Channel: channel, EventID: n.ID, EventType: n.EventType, Resource: n.Plaintext})
	if err != nil {
		return false, fmt.Errorf("record notification: %w", err)
	}
	err = c.Temporal.SignalWorkflow(ctx, workflows.OrderWorkflowID(st.OutTradeNo), "", workflows.SignalPaymentNotified,
		workflows.PaymentNotice{NotificationID: n.ID, State: activities.PaymentStatusOf(st)})
	return isNew, fromTemporal(err, "signal order "+st.OutTradeNo)
}

// notifyURL is where the channel sends notifications of a kind (transaction, refund): the API's notify endpoint.
func (c *Client) notifyURL(channel, kind string) string {
	return strings.TrimRight(c.PublicURL, "/") + "/notify/" + channel + "/" + kind
}

// RefundNotified records a verified refund notification in the inbox, then signals the sub-order that is
// waiting for the refund's result. ErrNotFound: no running sub-order has that number.
func (c *Client) RefundNotified(ctx context.Context, channel string, n channels.Notification, st channels.RefundState) (isNew bool, err error) {
	orderNo, sub, ok := workflows.ParseSubOrderNo(st.OutTradeNo)
	if !ok {
		return false, fmt.Errorf("%w: out_trade_no %q is not a sub-order of ours", ErrNotFound, st.OutTradeNo)
	}
	isNew, err = c.Ledger.RecordNotification(ctx, ledger.Notification{Channel: channel, EventID: n.ID, EventType: n.EventType, Resource: n.Plaintext})
	if err != nil {
		return false, fmt.Errorf("record notification: %w", err)
	}
	err = c.Temporal.SignalWorkflow(ctx, workflows.SubOrderWorkflowID(orderNo, sub), "", workflows.SignalRefundNotified,
		workflows.RefundNotice{NotificationID: n.ID, OutRefundNo: st.OutRefundNo, Status: st.Status})
	return isNew, fromTemporal(err, "signal sub-order "+st.OutTradeNo)
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
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.SubOrderWorkflowID(orderNo, n),
		UpdateName: workflows.UpdateRequestRefund, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{wreq}})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if _, oerr := c.orderState(ctx, orderNo); oerr != nil {
			return st, oerr
		}
		return st, &ConflictError{Reason: fmt.Sprintf("sub-order %d of %s is not running: unpaid, or completed (refunds after completion come with the clawback work)", n, orderNo)}
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
	err := c.Temporal.SignalWorkflow(ctx, workflows.SubOrderWorkflowID(orderNo, n), "", workflows.SignalReceiverToppedUp,
		workflows.ReceiverToppedUp{ReceiverID: receiverID})
	return fromTemporal(err, "sub-order")
}
