package wechatpay

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// parse verifies the signature (and its 5-minute timestamp window) and decrypts the resource with the SDK's
// notify handler; any failure is ErrNotificationRejected.
func (c *Client) parse(r *http.Request, content any) (channels.Notification, error) {
	req, err := c.notify.ParseNotifyRequest(r.Context(), r, content)
	if err != nil {
		// The SDK's message ends with a dump of the whole request; callers log the reason, not the request.
		reason, _, _ := strings.Cut(err.Error(), ", request: ")
		return channels.Notification{}, fmt.Errorf("%w: %s", channels.ErrNotificationRejected, reason)
	}
	return channels.Notification{ID: req.ID, EventType: req.EventType, Plaintext: []byte(req.Resource.Plaintext)}, nil
}

// ParsePaymentNotification verifies and decrypts a TRANSACTION.SUCCESS notification of a combined order.
func (c *Client) ParsePaymentNotification(r *http.Request) (channels.Notification, channels.CombinedOrderState, error) {
	var st wire.CombineState
	n, err := c.parse(r, &st)
	if err != nil {
		return n, channels.CombinedOrderState{}, err
	}
	if st.CombineOutTradeNo == "" {
		return n, channels.CombinedOrderState{}, fmt.Errorf(
			"%w: no combine_out_trade_no in %s",
			channels.ErrNotificationRejected,
			n.EventType,
		)
	}
	return n, combineState(st), nil
}

// ParseRefundNotification verifies and decrypts a REFUND.* notification.
func (c *Client) ParseRefundNotification(r *http.Request) (channels.Notification, channels.RefundState, error) {
	var rn wire.RefundNotice
	n, err := c.parse(r, &rn)
	if err != nil {
		return n, channels.RefundState{}, err
	}
	if rn.OutRefundNo == "" {
		return n, channels.RefundState{}, fmt.Errorf(
			"%w: no out_refund_no in %s",
			channels.ErrNotificationRejected,
			n.EventType,
		)
	}
	return n, channels.RefundState{SubMchID: rn.SubMchID, RefundID: rn.RefundID, OutRefundNo: rn.OutRefundNo,
		TransactionID: rn.TransactionID, OutTradeNo: rn.OutTradeNo, Status: normaliseRefundStatus(rn.RefundStatus),
		Refund: money.Amount(rn.Amount.Refund), SuccessTime: rn.SuccessTime, From: fundsSource(rn.FundsAccount)}, nil
}
