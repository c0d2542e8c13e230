package alipay

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// accountType is an Alipay account's trans_in_type: a 2088… user id, or a logon name (email or phone).
func accountType(account string) string {
	if wire.IsUserID(account) {
		return wire.TransInUserID
	}
	return wire.TransInLoginName
}

// ConfirmSettlement is alipay.trade.settle.confirm (确认结算) with royalty_freeze: the trade's money moves to the
// sub-merchant's account, frozen until shared or released by royalty_finish (or by Alipay after FreezeDays).
func (c *Client) ConfirmSettlement(ctx context.Context, r channels.SettleRequest) (channels.SettleState, error) {
	req := wire.SettleConfirm{OutRequestNo: wire.OutNo(r.OutRequestNo, wire.MaxOutRequestNo), TradeNo: r.TransactionID,
		SettleInfo: wire.SettleInfo{SettleDetailInfos: []wire.SettleDetail{{TransInType: wire.TransInDefaultSettle,
			SettleEntityType: wire.SettleEntitySecondMerch, SettleEntityID: r.SubMchID, Amount: r.Amount.String()}}},
		ExtendParams: &wire.ConfirmExtendParams{RoyaltyFreeze: "true"}}
	var out wire.SettleConfirmResponse
	if err := c.call(ctx, wire.MethodSettleConfirm, req, nil, &out); err != nil {
		return channels.SettleState{}, err
	}
	amount, _ := money.ParseYuan(out.SettleAmount)
	return channels.SettleState{OutRequestNo: r.OutRequestNo, Amount: amount}, nil
}

// Share is alipay.trade.order.settle in sync mode (all or nothing); its outcome is read back with the settle query.
func (c *Client) Share(ctx context.Context, r channels.SharingRequest) (channels.SharingState, error) {
	n := len(r.Receivers)
	if n == 0 || n > c.cfg.Limits.MaxReceiversPerSharing {
		return channels.SharingState{}, invalidRequest("receivers", "1..5 receivers per request")
	}
	req := wire.OrderSettle{OutRequestNo: wire.OutNo(r.OutOrderNo, wire.MaxSettleRequestNo), TradeNo: r.TransactionID,
		RoyaltyMode: wire.RoyaltyModeSync}
	for _, rc := range r.Receivers {
		req.RoyaltyParameters = append(req.RoyaltyParameters, wire.RoyaltyDetail{RoyaltyType: wire.RoyaltyTransfer,
			TransInType: accountType(rc.Account), TransIn: rc.Account, Amount: rc.Amount.String(), Desc: rc.Description})
	}
	if r.Finish {
		req.ExtendParams = &wire.SettleExtendParams{RoyaltyFinish: "true"}
	}
	if err := c.call(ctx, wire.MethodOrderSettle, req, nil, nil); err != nil {
		return channels.SharingState{}, err
	}
	return c.QuerySharing(ctx, r.SubMchID, r.TransactionID, r.OutOrderNo)
}

// legResults are a settle leg's states in the neutral words.
var legResults = map[string]string{wire.DetailSuccess: channels.ReceiverSuccess, wire.DetailFail: channels.ReceiverClosed,
	wire.DetailProcessing: channels.ReceiverPending}

// QuerySharing is alipay.trade.order.settle.query by out_request_no and trade_no.
func (c *Client) QuerySharing(ctx context.Context, subMchID, transactionID, outOrderNo string) (
	channels.SharingState, error,
) {
	var q wire.OrderSettleQueryResponse
	err := c.call(ctx, wire.MethodOrderSettleQuery, wire.OrderSettleQuery{
		OutRequestNo: wire.OutNo(outOrderNo, wire.MaxSettleRequestNo), TradeNo: transactionID}, nil, &q)
	if err != nil {
		return channels.SharingState{}, err
	}
	st := channels.SharingState{SubMchID: subMchID, TransactionID: transactionID, OutOrderNo: outOrderNo,
		OrderID: q.OutRequestNo, Status: channels.SharingFinished}
	for _, d := range q.RoyaltyDetailList {
		amount, _ := money.ParseYuan(d.Amount)
		res := legResults[d.State]
		if res == channels.ReceiverPending {
			st.Status = channels.SharingProcessing
		}
		st.Receivers = append(st.Receivers, channels.SharingReceiverResult{Type: channels.ReceiverPersonal,
			Account: d.TransIn, Amount: amount, Result: res, FailReason: d.ErrorCode, DetailID: d.DetailID})
	}
	return st, nil
}

// Finish releases what was not shared: order.settle with no receivers and royalty_finish. The amount released is
// read from the trade's settle operations before the call (settle + replenish − transfers + reversals − refunds).
func (c *Client) Finish(ctx context.Context, r channels.FinishRequest) (channels.SharingState, error) {
	rest, err := c.UnsplitAmount(ctx, r.TransactionID)
	if err != nil {
		return channels.SharingState{}, err
	}
	req := wire.OrderSettle{OutRequestNo: wire.OutNo(r.OutOrderNo, wire.MaxSettleRequestNo), TradeNo: r.TransactionID,
		RoyaltyParameters: []wire.RoyaltyDetail{}, ExtendParams: &wire.SettleExtendParams{RoyaltyFinish: "true"}}
	var out wire.OrderSettleResponse
	if err := c.call(ctx, wire.MethodOrderSettle, req, nil, &out); err != nil {
		return channels.SharingState{}, err
	}
	return channels.SharingState{SubMchID: r.SubMchID, TransactionID: r.TransactionID, OutOrderNo: r.OutOrderNo,
		OrderID: out.SettleNo, Status: channels.SharingFinished, FinishAmount: rest}, nil
}

// UnsplitAmount is what the trade still holds for sharing: its unsettled money before the confirm, then its
// settle operations.
func (c *Client) UnsplitAmount(ctx context.Context, transactionID string) (money.Amount, error) {
	q, err := c.queryTrade(ctx, "", transactionID, true)
	if err != nil || q.TradeSettleInfo == nil {
		return 0, err
	}
	rest, _ := money.ParseYuan(q.TradeSettleInfo.TradeUnsettledAmount) // before the confirm: all of it
	for _, op := range q.TradeSettleInfo.TradeSettleDetailList {
		a, _ := money.ParseYuan(op.Amount)
		rest += heldSign[op.OperationType] * a
	}
	return rest, nil
}

// heldSign says how each settle operation changes what a confirmed trade still holds for sharing.
var heldSign = map[string]money.Amount{wire.OperationSettle: 1, wire.OperationReplenish: 1,
	wire.OperationTransferRefund: 1, wire.OperationTransfer: -1, wire.OperationReplenishRefund: -1,
	wire.OperationSettleRefund: -1}

// AddReceiver binds a receiver to the platform (alipay.trade.royalty.relation.bind); the receiver does not confirm.
func (c *Client) AddReceiver(ctx context.Context, r channels.ReceiverRegistration) error {
	return c.relation(ctx, wire.MethodRelationBind, "bind", r)
}

// DeleteReceiver unbinds it.
func (c *Client) DeleteReceiver(ctx context.Context, r channels.ReceiverRegistration) error {
	return c.relation(ctx, wire.MethodRelationUnbind, "unbind", r)
}

// relation binds or unbinds one receiver. Its out_request_no comes from the operation, the account and the
// registration's generation, so a retry repeats it and a bind after an unbind is a new request.
func (c *Client) relation(ctx context.Context, method, op string, r channels.ReceiverRegistration) error {
	no := fmt.Sprintf("%s-%s-%d", op, r.Account, max(r.Generation, 1))
	req := wire.RelationBind{OutRequestNo: wire.OutNo(no, wire.MaxSettleRequestNo),
		ReceiverList: []wire.RoyaltyReceiver{{Type: accountType(r.Account), Account: r.Account, Name: r.Name,
			Memo: r.RelationType}}}
	return c.call(ctx, method, req, nil, nil)
}

// Return has no 直付通 form: receivers give royalties back inside the refund (RefundRequest.Reversals).
func (c *Client) Return(context.Context, channels.ReturnRequest) (channels.ReturnState, error) {
	return channels.ReturnState{}, unsupported("a return outside a refund")
}

// QueryReturn: see Return.
func (c *Client) QueryReturn(context.Context, string, string, string) (channels.ReturnState, error) {
	return channels.ReturnState{}, unsupported("a return outside a refund")
}

// LoadSharingCap asks Alipay how much of a trade the platform may share (alipay.trade.royalty.rate.query) and
// makes it the limit the adapter answers: the documented 30 % is confirmed only for 商家分账, so the contract's
// own figure wins. Call it once, before the client is shared; on an error the configured cap stays.
func (c *Client) LoadSharingCap(ctx context.Context) error {
	var out wire.RoyaltyRateResponse
	err := c.call(ctx, wire.MethodRoyaltyRateQuery,
		wire.RoyaltyRateQuery{OutRequestNo: "rate" + time.Now().In(shanghai).Format("20060102")}, nil, &out)
	if err != nil {
		return err
	}
	if out.MaxRatio <= 0 || out.MaxRatio > 100 {
		return fmt.Errorf("alipay: royalty rate query answered max_ratio %d", out.MaxRatio)
	}
	c.cfg.Limits.MaxSharingRatio = decimal.New(int64(out.MaxRatio), -2)
	return nil
}
