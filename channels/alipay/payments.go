package alipay

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

var productCodes = map[string]string{
	channels.SceneAlipayApp: wire.ProductCodeApp, channels.SceneAlipayWap: wire.ProductCodeWap,
	channels.SceneAlipayPage: wire.ProductCodePage, channels.SceneAlipayQR: wire.ProductCodeFaceToFace,
}

// detail is one sub-order as a 直付通 trade: it names its sub-merchant and settles to the sub-merchant's
// default settlement target; passback_params carries the combined order number back in notifications.
func detail(o channels.CombinedOrder, s channels.SubOrder) wire.OrderDetail {
	return wire.OrderDetail{OutTradeNo: wire.OutNo(s.OutTradeNo, wire.MaxOutTradeNo),
		ProductCode: productCodes[o.Scene], TotalAmount: s.Amount.String(), Subject: s.Description,
		PassbackParams: url.QueryEscape(o.OutTradeNo), SubMerchant: &wire.SubMerchant{MerchantID: s.SubMchID},
		SettleInfo: &wire.SettleInfo{SettleDetailInfos: []wire.SettleDetail{{TransInType: wire.TransInDefaultSettle,
			SettleEntityType: wire.SettleEntitySecondMerch, SettleEntityID: s.SubMchID, Amount: s.Amount.String()}}}}
}

// CreateCombined places the order. app, wap and page use merged payment (合并支付: one trade per sub-order
// under one pre_order_no) and answer the order string or pay URL; qr takes one sub-order and answers its QR code.
func (c *Client) CreateCombined(ctx context.Context, o channels.CombinedOrder) (channels.PaymentParams, error) {
	n := len(o.SubOrders)
	switch {
	case productCodes[o.Scene] == "":
		return channels.PaymentParams{}, invalidRequest("scene", "one of app, wap, page, qr")
	case n == 0 || n > c.cfg.Limits.MaxSubOrders:
		return channels.PaymentParams{}, invalidRequest("sub_orders",
			fmt.Sprintf("%d sub-orders; 1..%d allowed", n, c.cfg.Limits.MaxSubOrders))
	case o.Scene == channels.SceneAlipayQR && n != 1:
		return channels.PaymentParams{}, invalidRequest("scene", "qr takes exactly one sub-order")
	}
	params := map[string]string{"notify_url": o.NotifyURL}
	expire := ""
	if t, err := time.Parse(time.RFC3339, o.TimeExpireRFC3339); err == nil {
		expire = t.In(shanghai).Format("2006-01-02 15:04:05")
	}
	if o.Scene == channels.SceneAlipayQR {
		d := detail(o, o.SubOrders[0])
		d.TimeExpire = expire
		var out struct {
			QRCode string `json:"qr_code"`
		}
		err := c.call(ctx, wire.MethodTradePrecreate, d, params, &out)
		return channels.PaymentParams{CodeURL: out.QRCode}, err
	}
	req := wire.MergePrecreate{OutMergeNo: wire.OutNo(o.OutTradeNo, wire.MaxOutTradeNo), TimeExpire: expire}
	for _, s := range o.SubOrders {
		req.OrderDetails = append(req.OrderDetails, detail(o, s))
		req.OrderDetails[len(req.OrderDetails)-1].AppID = c.cfg.AppID
	}
	var pre wire.MergePrecreateResponse
	if err := c.call(ctx, wire.MethodMergePrecreate, req, params, &pre); err != nil {
		return channels.PaymentParams{}, err
	}
	return c.payParams(o.Scene, pre.PreOrderNo)
}

// payParams signs what the buyer's client opens. smartwalle's TradeAppMergePay signs a plain app payment, so
// the app's string is built from alipay.TradeAppMergePay with EncodeParam (ALIPAY-AND-BILLS.md §0).
func (c *Client) payParams(scene, preOrderNo string) (channels.PaymentParams, error) {
	switch scene {
	case channels.SceneAlipayApp:
		s, err := c.api.EncodeParam(alipay.TradeAppMergePay{PreOrderNo: preOrderNo})
		return channels.PaymentParams{OrderString: s}, err
	case channels.SceneAlipayWap:
		u, err := c.api.TradeWapMergePay(alipay.TradeWapMergePay{PreOrderNo: preOrderNo})
		return channels.PaymentParams{PayURL: urlString(u)}, err
	default:
		u, err := c.api.BuildURL(alipay.NewPayload(wire.MethodPageMergePay).AddBizField("pre_order_no", preOrderNo))
		return channels.PaymentParams{PayURL: urlString(u)}, err
	}
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// tradeQuery is alipay.trade.query's answer as SplitPay reads it.
type tradeQuery struct {
	wire.Status
	TradeNo         string                `json:"trade_no"`
	OutTradeNo      string                `json:"out_trade_no"`
	TradeStatus     string                `json:"trade_status"`
	TotalAmount     string                `json:"total_amount"`
	SendPayDate     string                `json:"send_pay_date"`
	PassbackParams  string                `json:"passback_params"`
	TradeSettleInfo *wire.TradeSettleInfo `json:"trade_settle_info"`
}

var tradeStates = map[string]string{
	wire.TradeWaitBuyerPay: channels.PaymentNotPaid, wire.TradeSuccess: channels.PaymentPaid,
	wire.TradeFinished: channels.PaymentPaid, wire.TradeClosed: channels.PaymentClosed,
}

func (c *Client) queryTrade(ctx context.Context, outTradeNo, tradeNo string, settleInfo bool) (tradeQuery, error) {
	req := map[string]any{}
	if tradeNo != "" {
		req["trade_no"] = tradeNo
	} else {
		req["out_trade_no"] = outTradeNo
	}
	if settleInfo {
		req["query_options"] = []string{"trade_settle_info"}
	}
	var out tradeQuery
	return out, c.call(ctx, wire.MethodTradeQuery, req, nil, &out)
}

// QueryCombined asks for each sub-order's trade: Alipay has no merged query. A trade the buyer never opened
// does not exist yet and counts as not paid.
func (c *Client) QueryCombined(ctx context.Context, outTradeNo string, subOrders []channels.SubOrder) (
	channels.CombinedOrderState, error,
) {
	st := channels.CombinedOrderState{OutTradeNo: outTradeNo}
	for _, s := range subOrders {
		q, err := c.queryTrade(ctx, wire.OutNo(s.OutTradeNo, wire.MaxOutTradeNo), "", false)
		state := tradeStates[q.TradeStatus]
		switch {
		case channels.IsReason(err, channels.ReasonNotFound):
			state = channels.PaymentNotPaid
		case err != nil:
			return st, err
		}
		amount, _ := money.ParseYuan(q.TotalAmount)
		st.SubOrders = append(st.SubOrders, channels.SubOrderState{SubMchID: s.SubMchID, OutTradeNo: s.OutTradeNo,
			TransactionID: q.TradeNo, TradeState: state, Amount: amount, PayerAmount: amount, SuccessTime: q.SendPayDate})
	}
	return st, nil
}

// CloseCombined closes every sub-order's trade. Alipay refuses to close a trade that is not waiting for the buyer
// (ACQ.TRADE_STATUS_ERROR); the adapter asks which it is, so the caller hears ALREADY_PAID or ALREADY_CLOSED.
func (c *Client) CloseCombined(ctx context.Context, _, _ string, subOrders []channels.SubOrder) error {
	for _, s := range subOrders {
		no := wire.OutNo(s.OutTradeNo, wire.MaxOutTradeNo)
		err := c.call(ctx, wire.MethodTradeClose, map[string]string{"out_trade_no": no}, nil, nil)
		if channels.IsReason(err, channels.ReasonNotFound) {
			continue // never opened by the buyer: nothing to close
		}
		if be := asBusiness(err); be != nil && be.Code == wire.SubTradeStatusError {
			q, qerr := c.queryTrade(ctx, no, "", false)
			if qerr != nil {
				return qerr
			}
			if tradeStates[q.TradeStatus] == channels.PaymentPaid {
				be.Reason = channels.ReasonAlreadyPaid
				return be
			}
			continue // closed already
		}
		if err != nil {
			return err
		}
	}
	return nil
}
