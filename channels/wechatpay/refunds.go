package wechatpay

import (
	"context"
	"net/http"
	"net/url"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// CreateSubsidy pays the platform's subsidy to a sub-merchant (补差), after payment and before any sharing.
func (c *Client) CreateSubsidy(ctx context.Context, r channels.SubsidyRequest) (channels.SubsidyState, error) {
	if r.Amount <= 0 {
		return channels.SubsidyState{}, invalid("amount", "must be positive")
	}
	req := wire.SubsidyRequest{SubMchID: r.SubMchID, TransactionID: r.TransactionID, OutSubsidyNo: r.OutSubsidyNo,
		Amount: r.Amount.Fen(), Description: r.Description, RefundID: r.RefundID}
	var st wire.SubsidyState
	if err := c.do(ctx, http.MethodPost, wire.PathSubsidyCreate, nil, &req, &st); err != nil {
		return channels.SubsidyState{}, err
	}
	return channels.SubsidyState{SubsidyID: st.SubsidyID, Amount: money.Amount(st.Amount), Result: st.Result}, nil
}

// ReturnSubsidy gives a subsidy back to the platform after a refund voided the coupon (补差回退).
func (c *Client) ReturnSubsidy(ctx context.Context, r channels.SubsidyReturnRequest) (channels.SubsidyState, error) {
	if r.Amount <= 0 {
		return channels.SubsidyState{}, invalid("amount", "must be positive")
	}
	req := wire.SubsidyReturnRequest{SubMchID: r.SubMchID, OutOrderNo: r.OutOrderNo, TransactionID: r.TransactionID,
		RefundID: r.RefundID, Amount: r.Amount.Fen(), Description: r.Description}
	if r.From != "" {
		req.From = []wire.SubsidyReturnFrom{{Account: fundsAccount(r.From), Amount: r.Amount.Fen()}}
	}
	var st wire.SubsidyState
	if err := c.do(ctx, http.MethodPost, wire.PathSubsidyReturn, nil, &req, &st); err != nil {
		return channels.SubsidyState{}, err
	}
	return channels.SubsidyState{SubsidyID: st.SubsidyRefundID, Amount: money.Amount(st.Amount), Result: st.Result}, nil
}

// CancelSubsidy declares that a flagged order will not be subsidised, so it can be shared.
func (c *Client) CancelSubsidy(ctx context.Context, subMchID, transactionID, description string) error {
	req := wire.SubsidyCancelRequest{SubMchID: subMchID, TransactionID: transactionID, Description: description}
	var resp wire.SubsidyCancelResponse
	return c.do(ctx, http.MethodPost, wire.PathSubsidyCancel, nil, &req, &resp)
}

// ApplyRefund refunds part or all of a sub-order; the outcome arrives by notification or QueryRefund.
func (c *Client) ApplyRefund(ctx context.Context, r channels.RefundRequest) (channels.RefundState, error) {
	if r.Refund <= 0 || r.Refund > r.Total {
		return channels.RefundState{}, invalid("amount.refund", "must be positive and at most the order total")
	}
	appID := r.AppID
	if appID == "" {
		appID = c.cfg.SpAppID
	}
	req := wire.RefundRequest{
		SubMchID:      r.SubMchID,
		SpAppID:       appID,
		TransactionID: r.TransactionID,
		OutRefundNo:   r.OutRefundNo,
		Reason:        r.Reason,
		NotifyURL:     r.NotifyURL,
		Amount:        wire.RefundAmount{Refund: r.Refund.Fen(), Total: r.Total.Fen(), Currency: "CNY"},
	}
	if r.From == channels.FundsAvailable {
		req.FundsAccount = wire.FundsAvailable // the default source is the order's frozen money; only AVAILABLE is sent
	}
	var st wire.RefundState
	if err := c.do(ctx, http.MethodPost, wire.PathRefundApply, nil, &req, &st); err != nil {
		return channels.RefundState{}, err
	}
	return refundState(r.SubMchID, st), nil
}

// QueryRefund finds a refund by our out_refund_no.
func (c *Client) QueryRefund(ctx context.Context, subMchID, _, outRefundNo string) (channels.RefundState, error) {
	var st wire.RefundState
	path := wire.PathRefundByOutNo + url.PathEscape(outRefundNo)
	if err := c.do(ctx, http.MethodGet, path, url.Values{"sub_mchid": {subMchID}}, nil, &st); err != nil {
		return channels.RefundState{}, err
	}
	return refundState(subMchID, st), nil
}

// QueryRefundByID finds a refund by the channel's refund id.
func (c *Client) QueryRefundByID(ctx context.Context, subMchID, refundID string) (channels.RefundState, error) {
	var st wire.RefundState
	path := wire.PathRefundByID + url.PathEscape(refundID)
	if err := c.do(ctx, http.MethodGet, path, url.Values{"sub_mchid": {subMchID}}, nil, &st); err != nil {
		return channels.RefundState{}, err
	}
	return refundState(subMchID, st), nil
}

func refundState(subMchID string, st wire.RefundState) channels.RefundState {
	return channels.RefundState{
		SubMchID:      subMchID,
		RefundID:      st.RefundID,
		OutRefundNo:   st.OutRefundNo,
		TransactionID: st.TransactionID,
		OutTradeNo:    st.OutTradeNo,
		Status:        normaliseRefundStatus(st.Status),
		Refund:        money.Amount(st.Amount.Refund),
		SuccessTime:   st.SuccessTime,
		From:          fundsSource(st.FundsAccount),
	}
}

// fundsAccount and fundsSource translate between the neutral funds sources and the wire's funds accounts.
func fundsAccount(from string) string {
	if from == channels.FundsAvailable {
		return wire.FundsAvailable
	}
	return wire.FundsUnavailable
}

func fundsSource(account string) string {
	switch account {
	case wire.FundsAvailable:
		return channels.FundsAvailable
	case wire.FundsUnavailable:
		return channels.FundsFrozen
	}
	return "" // not reported
}

// normaliseRefundStatus maps the closed state's several spellings (REFUNDCLOSE, CLOSE, CLOSED) to one.
func normaliseRefundStatus(s string) string {
	switch s {
	case "REFUNDCLOSE", "CLOSE", "CLOSED":
		return channels.RefundClosed
	}
	return s
}
