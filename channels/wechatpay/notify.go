package wechatpay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// ParseNotification verifies the signature (and its 5-minute timestamp window) and decrypts the resource with
// the SDK's notify handler, then reads it by its event type: TRANSACTION.* is a combined order's payment,
// REFUND.* a refund. Any failure is ErrNotificationRejected.
func (c *Client) ParseNotification(ctx context.Context, in channels.Inbound) (channels.Notice, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(in.Body))
	if err != nil {
		return channels.Notice{}, err
	}
	r.Header = http.Header(in.Header)
	var raw json.RawMessage
	req, err := c.notify.ParseNotifyRequest(ctx, r, &raw)
	if err != nil {
		// The SDK's message ends with a dump of the whole request; callers log the reason, not the request.
		reason, _, _ := strings.Cut(err.Error(), ", request: ")
		return channels.Notice{}, fmt.Errorf("%w: %s", channels.ErrNotificationRejected, reason)
	}
	n := channels.Notice{Notification: channels.Notification{ID: req.ID, EventType: req.EventType,
		Plaintext: []byte(req.Resource.Plaintext)}}
	switch {
	case strings.HasPrefix(req.EventType, "TRANSACTION."):
		var st wire.CombineState
		if json.Unmarshal(raw, &st) != nil || st.CombineOutTradeNo == "" {
			return n, rejected("no combine_out_trade_no in " + req.EventType)
		}
		p := combineState(st)
		n.Payment = &p
	case strings.HasPrefix(req.EventType, "REFUND."):
		var rn wire.RefundNotice
		if json.Unmarshal(raw, &rn) != nil || rn.OutRefundNo == "" {
			return n, rejected("no out_refund_no in " + req.EventType)
		}
		n.Refund = &channels.RefundState{SubMchID: rn.SubMchID, RefundID: rn.RefundID, OutRefundNo: rn.OutRefundNo,
			TransactionID: rn.TransactionID, OutTradeNo: rn.OutTradeNo, Status: normaliseRefundStatus(rn.RefundStatus),
			Refund: money.Amount(rn.Amount.Refund), SuccessTime: rn.SuccessTime, From: fundsSource(rn.FundsAccount)}
	default:
		return n, rejected("unknown event type " + req.EventType)
	}
	return n, nil
}

// Acknowledgement is WeChat Pay's documented success answer.
func (c *Client) Acknowledgement() (string, []byte) {
	return "application/json", []byte(`{"code":"SUCCESS","message":"成功"}`)
}

func rejected(reason string) error {
	return fmt.Errorf("%w: %s", channels.ErrNotificationRejected, reason)
}
