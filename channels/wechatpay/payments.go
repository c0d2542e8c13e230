package wechatpay

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

var scenePaths = map[string]string{
	channels.SceneJSAPI: wire.PathCombineJSAPI, channels.SceneMiniProgram: wire.PathCombineJSAPI,
	channels.SceneApp: wire.PathCombineApp, channels.SceneH5: wire.PathCombineH5,
	channels.SceneNative: wire.PathCombineNative,
}

// invalid is a request the adapter refuses before calling the channel: a business rejection naming the field.
func invalid(field, message string) error {
	return &channels.BusinessError{
		Channel: channels.WeChatPay,
		Code:    wire.CodeParamError,
		Field:   field,
		Message: message,
	}
}

// CreateCombined places a combined order (合单下单) and returns what the buyer's client needs to pay.
func (c *Client) CreateCombined(ctx context.Context, o channels.CombinedOrder) (channels.PaymentParams, error) {
	path, ok := scenePaths[o.Scene]
	if !ok {
		return channels.PaymentParams{}, invalid("scene", fmt.Sprintf("unknown payment scene %q", o.Scene))
	}
	if n := len(o.SubOrders); n == 0 || n > c.cfg.Limits.MaxSubOrders {
		return channels.PaymentParams{}, invalid(
			"sub_orders",
			fmt.Sprintf("%d sub-orders; 1..%d allowed", n, c.cfg.Limits.MaxSubOrders),
		)
	}
	req := wire.CombineRequest{
		CombineAppID: o.AppID, CombineMchID: c.cfg.SpMchID, CombineOutTradeNo: o.OutTradeNo,
		TimeExpire: o.TimeExpireRFC3339, NotifyURL: o.NotifyURL,
		SceneInfo: &wire.SceneInfo{PayerClientIP: o.PayerClientIP},
	}
	if req.CombineAppID == "" {
		req.CombineAppID = c.cfg.SpAppID
	}
	if o.Scene == channels.SceneH5 {
		req.SceneInfo.H5Info = &wire.H5Info{Type: o.H5Type}
	}
	if o.Scene == channels.SceneJSAPI || o.Scene == channels.SceneMiniProgram {
		if o.PayerOpenID == "" {
			return channels.PaymentParams{}, invalid(
				"combine_payer_info.openid",
				"required for JSAPI and mini-program payments",
			)
		}
		req.CombinePayerInfo = &wire.PayerInfo{OpenID: o.PayerOpenID}
	}
	for i, s := range o.SubOrders {
		if s.Amount <= 0 {
			return channels.PaymentParams{}, invalid(fmt.Sprintf("sub_orders[%d].amount", i), "must be positive")
		}
		sub := wire.SubOrder{MchID: c.cfg.SpMchID, SubMchID: s.SubMchID, Attach: s.Attach, OutTradeNo: s.OutTradeNo,
			Description: s.Description, Amount: wire.Amount{TotalAmount: s.Amount.Fen(), Currency: "CNY"}}
		if s.ProfitSharing || s.SubsidyAmount > 0 {
			sub.SettleInfo = &wire.SettleInfo{ProfitSharing: s.ProfitSharing, SubsidyAmount: s.SubsidyAmount.Fen()}
		}
		req.SubOrders = append(req.SubOrders, sub)
	}
	var resp wire.CombineResponse
	if err := c.do(ctx, http.MethodPost, path, nil, &req, &resp); err != nil {
		return channels.PaymentParams{}, err
	}
	return channels.PaymentParams{PrepayID: resp.PrepayID, H5URL: resp.H5URL, CodeURL: resp.CodeURL}, nil
}

// QueryCombined asks the channel for the combined order's state: the fallback for lost notifications (掉单).
func (c *Client) QueryCombined(
	ctx context.Context,
	outTradeNo string,
	_ []channels.SubOrder,
) (channels.CombinedOrderState, error) {
	var st wire.CombineState
	if err := c.do(ctx, http.MethodGet, wire.PathCombineQuery+url.PathEscape(outTradeNo), nil, nil, &st); err != nil {
		return channels.CombinedOrderState{}, err
	}
	return combineState(st), nil
}

func combineState(st wire.CombineState) channels.CombinedOrderState {
	out := channels.CombinedOrderState{OutTradeNo: st.CombineOutTradeNo}
	if st.CombinePayerInfo != nil {
		out.PayerOpenID = st.CombinePayerInfo.OpenID
	}
	for _, s := range st.SubOrders {
		out.SubOrders = append(out.SubOrders, channels.SubOrderState{
			SubMchID: s.SubMchID, OutTradeNo: s.OutTradeNo, TransactionID: s.TransactionID, TradeState: s.TradeState,
			Amount: money.Amount(
				s.Amount.TotalAmount,
			), PayerAmount: money.Amount(s.Amount.PayerAmount), SuccessTime: s.SuccessTime,
		})
	}
	return out
}

// CloseCombined closes the whole combined order; the channel wants every sub-order listed as created.
func (c *Client) CloseCombined(ctx context.Context, appID, outTradeNo string, subOrders []channels.SubOrder) error {
	if appID == "" {
		appID = c.cfg.SpAppID
	}
	req := wire.CloseRequest{CombineAppID: appID}
	for _, s := range subOrders {
		req.SubOrders = append(
			req.SubOrders,
			wire.CloseSubOrder{MchID: c.cfg.SpMchID, OutTradeNo: s.OutTradeNo, SubMchID: s.SubMchID},
		)
	}
	return c.do(
		ctx,
		http.MethodPost,
		wire.PathCombineQuery+url.PathEscape(outTradeNo)+wire.PathCombineClose,
		nil,
		&req,
		nil,
	)
}
