package starter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/bridge"
	"github.com/splitpay/splitpay/workflows"
)

// Notified delivers a verified notification to the process it concerns: a payment to the order, a refund to
// its sub-order, an application's audit result to its onboarding.
func (c *Client) Notified(ctx context.Context, channel string, n channels.Notice) (isNew bool, err error) {
	switch {
	case n.Payment != nil:
		return c.PaymentNotified(ctx, channel, n.Notification, *n.Payment)
	case n.Refund != nil:
		return c.RefundNotified(ctx, channel, n.Notification, *n.Refund)
	case n.Application != nil:
		return c.ApplicationNotified(ctx, channel, n.Notification, *n.Application)
	}
	return false, fmt.Errorf("%w: notification %s says nothing we act on", ErrNotFound, n.ID)
}

// PaymentNotified records a verified payment notification in the inbox, then signals the order (through the
// relay when one runs). A duplicate is signalled again unless the inbox records that an earlier delivery's signal
// got through; the workflow ignores what it already knows, so a duplicate has no second effect. It reports
// whether the notification was new.
func (c *Client) PaymentNotified(
	ctx context.Context,
	channel string,
	n channels.Notification,
	st channels.CombinedOrderState,
) (isNew bool, err error) {
	notice := workflows.PaymentNotice{NotificationID: n.ID, State: bridge.PaymentStatusOf(st)}
	return c.recordAndSignal(ctx, channel, n, workflows.OrderWorkflowID(st.OutTradeNo), workflows.SignalPaymentNotified,
		notice)
}

// recordAndSignal keeps a verified notification in the inbox with the signal it becomes, then signals it to the
// process it concerns: at once, or through the relay when one runs (StartRelay).
func (c *Client) recordAndSignal(
	ctx context.Context,
	channel string,
	n channels.Notification,
	workflowID, signal string,
	payload any,
) (isNew bool, err error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return false, err
	}
	return c.record(ctx, channel, n, Signal{WorkflowID: workflowID, Name: signal, Payload: body})
}

// notifyURL is where the channel sends notifications of a kind (transaction, refund): the API's notify endpoint.
// Alipay has one for every kind: its form says what happened.
func (c *Client) notifyURL(channel, kind string) string {
	u := strings.TrimRight(c.PublicURL, "/") + "/notify/" + channel
	if channel == channels.Alipay {
		return u
	}
	return u + "/" + kind
}

// RefundNotified records a verified refund notification in the inbox, then signals the sub-order that is
// waiting for the refund's result. ErrNotFound: no running sub-order has that number.
func (c *Client) RefundNotified(
	ctx context.Context,
	channel string,
	n channels.Notification,
	st channels.RefundState,
) (isNew bool, err error) {
	orderNo, sub, ok := workflows.ParseSubOrderNo(st.OutTradeNo)
	if !ok {
		return false, fmt.Errorf("%w: out_trade_no %q is not a sub-order of ours", ErrNotFound, st.OutTradeNo)
	}
	notice := workflows.RefundNotice{NotificationID: n.ID, OutRefundNo: st.OutRefundNo, Status: st.Status}
	return c.recordAndSignal(ctx, channel, n, workflows.SubOrderWorkflowID(orderNo, sub), workflows.SignalRefundNotified,
		notice)
}
