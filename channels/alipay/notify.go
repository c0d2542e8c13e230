package alipay

import (
	"context"
	"encoding/json"
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
	if form.Has("msg_method") {
		return c.parseMessage(ctx, form, in.Body)
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

// parseMessage verifies and reads a msgapi message from the app gateway (VerifySign: RSA2 over every field but
// sign, sign_type and alipay_cert_sn). SplitPay acts on the audit results of applications, zft.passed and
// zft.rejected; any other message is refused, so Alipay's console shows it undelivered.
func (c *Client) parseMessage(ctx context.Context, form url.Values, body []byte) (channels.Notice, error) {
	method := form.Get("msg_method")
	switch {
	case c.api.VerifySign(ctx, form) != nil:
		return channels.Notice{}, fmt.Errorf("%w: %s: signature", channels.ErrNotificationRejected, method)
	case form.Get("app_id") != c.cfg.AppID:
		return channels.Notice{}, fmt.Errorf("%w: app_id %q is not ours", channels.ErrNotificationRejected,
			form.Get("app_id"))
	case method != wire.MsgZftPassed && method != wire.MsgZftRejected:
		return channels.Notice{}, fmt.Errorf("%w: msg_method %q", channels.ErrNotificationRejected, method)
	}
	var a wire.ZftAudited
	if err := json.Unmarshal([]byte(form.Get("biz_content")), &a); err != nil || a.ExternalID == "" {
		return channels.Notice{}, fmt.Errorf("%w: %s without external_id", channels.ErrNotificationRejected, method)
	}
	state := channels.ApplymentRejected
	if method == wire.MsgZftPassed {
		state = channels.ApplymentFinish
	}
	return channels.Notice{
		Notification: channels.Notification{ID: form.Get("notify_id"), EventType: method, Plaintext: body},
		Application: &channels.ApplicationNotice{OutRequestNo: a.ExternalID,
			ApplicationID: channels.ApplicationID(a.OrderID), State: state},
	}, nil
}
