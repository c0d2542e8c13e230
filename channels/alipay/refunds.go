package alipay

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// ApplyRefund is alipay.trade.refund: synchronous, at most once per out_request_no. Receivers named in
// r.Reversals give their royalty back first (refund_royalty_parameters, which 直付通 requires to be explicit).
func (c *Client) ApplyRefund(ctx context.Context, r channels.RefundRequest) (channels.RefundState, error) {
	req := map[string]any{"trade_no": r.TransactionID, "refund_amount": r.Refund.String(),
		"out_request_no": wire.OutNo(r.OutRefundNo, wire.MaxOutRequestNo), "refund_reason": r.Reason}
	var legs []wire.RoyaltyDetail
	for _, rv := range r.Reversals {
		legs = append(legs, wire.RoyaltyDetail{RoyaltyType: wire.RoyaltyTransfer, TransOut: rv.Account,
			TransOutType: accountType(rv.Account), TransIn: r.SubMchID, Amount: rv.Amount.String()})
	}
	if legs != nil {
		req["refund_royalty_parameters"] = legs
	}
	if err := c.call(ctx, wire.MethodTradeRefund, req, nil, nil); err != nil {
		return channels.RefundState{}, err
	}
	st, err := c.QueryRefund(ctx, r.SubMchID, r.TransactionID, r.OutRefundNo)
	st.From = r.From // Alipay does not say; the trade's held money before the finish, the balance after
	return st, err
}

// QueryRefund is alipay.trade.fastpay.refund.query. REFUND_SUCCESS is the only state Alipay reports; an answer
// without it means the refund was never received, which SplitPay reads as not found.
func (c *Client) QueryRefund(ctx context.Context, subMchID, transactionID, outRefundNo string) (
	channels.RefundState, error,
) {
	var out struct {
		wire.Status
		TradeNo      string `json:"trade_no"`
		OutTradeNo   string `json:"out_trade_no"`
		RefundAmount string `json:"refund_amount"`
		RefundStatus string `json:"refund_status"`
		GMTRefundPay string `json:"gmt_refund_pay"`
	}
	err := c.call(ctx, wire.MethodRefundQuery, map[string]string{"trade_no": transactionID,
		"out_request_no": wire.OutNo(outRefundNo, wire.MaxOutRequestNo)}, nil, &out)
	if err != nil {
		return channels.RefundState{}, err
	}
	if out.RefundStatus != wire.RefundSuccess {
		return channels.RefundState{}, &channels.BusinessError{Channel: channels.Alipay, Code: "REFUND_NOT_EXIST",
			Reason: channels.ReasonNotFound, Message: "no refund " + outRefundNo}
	}
	amount, _ := money.ParseYuan(out.RefundAmount)
	return channels.RefundState{SubMchID: subMchID, RefundID: outRefundNo, OutRefundNo: outRefundNo,
		TransactionID: out.TradeNo, OutTradeNo: wire.Ours(out.OutTradeNo), Status: channels.RefundSucceeded,
		Refund: amount, SuccessTime: out.GMTRefundPay}, nil
}

// QueryRefundByID: Alipay's refunds have no id of their own; ours is the out-number.
func (c *Client) QueryRefundByID(context.Context, string, string) (channels.RefundState, error) {
	return channels.RefundState{}, unsupported("a refund query by refund id (ask by out_request_no)")
}
