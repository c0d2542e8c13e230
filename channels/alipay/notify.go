package alipay

import (
	"context"
	"fmt"
	"net/url"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// ParseNotification verifies a trade_status_sync form with the library (DecodeNotification: RSA2 over every
// field but sign and sign_type) and reads it: with out_biz_no it is a refund of that out_request_no, otherwise the
// payment state of one sub-order, whose combined order comes back in passback_params. The app_id must be ours.
func (c *Client) ParseNotification(ctx context.Context, in channels.Inbound) (channels.Notice, error) {
	form, err := url.ParseQuery(string(in.Body))
	if err != nil {
		return channels.Notice{}, fmt.Errorf("%w: not a form", channels.ErrNotificationRejected)
	}
	n, err := c.api.DecodeNotification(ctx, form)
	switch {
	case err != nil:
		return channels.Notice{}, fmt.Errorf("%w: %v", channels.ErrNotificationRejected, err)
	case n.AppId != c.cfg.AppID:
		return channels.Notice{}, fmt.Errorf("%w: app_id %q is not ours", channels.ErrNotificationRejected, n.AppId)
	case n.NotifyType != wire.NotifyTypeTradeStatus:
		return channels.Notice{}, fmt.Errorf("%w: notify_type %q", channels.ErrNotificationRejected, n.NotifyType)
	}
	out := channels.Notice{Notification: channels.Notification{ID: n.NotifyId + "/" + string(n.TradeStatus),
		EventType: n.NotifyType + "/" + string(n.TradeStatus), Plaintext: in.Body}}
	amount, _ := money.ParseYuan(n.TotalAmount)
	ours := wire.Ours(n.OutTradeNo)
	if n.OutBizNo != "" {
		out.ID += "/" + n.OutBizNo
		out.Refund = &channels.RefundState{RefundID: wire.Ours(n.OutBizNo), OutRefundNo: wire.Ours(n.OutBizNo),
			TransactionID: n.TradeNo, OutTradeNo: ours, Status: channels.RefundSucceeded, SuccessTime: n.GmtRefund}
		return out, nil
	}
	combined, err := url.QueryUnescape(n.PassbackParams)
	if err != nil || combined == "" || ours == "" {
		return out, fmt.Errorf("%w: no passback_params or out_trade_no of ours", channels.ErrNotificationRejected)
	}
	out.Payment = &channels.CombinedOrderState{OutTradeNo: combined, SubOrders: []channels.SubOrderState{{
		OutTradeNo: ours, TransactionID: n.TradeNo, TradeState: tradeStates[string(n.TradeStatus)], Amount: amount,
		PayerAmount: amount, SuccessTime: n.GmtPayment}}}
	return out, nil
}

// Acknowledgement is exactly "success": anything else makes Alipay deliver again.
func (c *Client) Acknowledgement() (string, []byte) { return "text/plain", []byte(wire.SuccessBody) }
