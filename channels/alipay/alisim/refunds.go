package alisim

import (
	"net/url"

	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

type refundRequest struct {
	OutTradeNo              string               `json:"out_trade_no"`
	TradeNo                 string               `json:"trade_no"`
	RefundAmount            string               `json:"refund_amount"`
	RefundReason            string               `json:"refund_reason"`
	OutRequestNo            string               `json:"out_request_no"`
	RefundRoyaltyParameters []wire.RoyaltyDetail `json:"refund_royalty_parameters"`
}

// refund is alipay.trade.refund. The same out_request_no refunds at most once. Under 直付通 the caller must say
// which receivers give their royalty back (refund_royalty_parameters: trans_out is the receiver, the money goes
// back to the trade); the refund itself comes from the trade's unsettled or frozen money, or after the finish from
// the sub-merchant's available balance, and fails when that is short.
func (s *Sim) refund(biz []byte, _ url.Values) (any, *failure) {
	var req refundRequest
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	t, f := s.find(req.OutTradeNo, req.TradeNo)
	amount, err := money.ParseYuan(req.RefundAmount)
	switch {
	case f != nil:
		return nil, f
	case !wire.ValidOutNo(req.OutRequestNo, wire.MaxOutRequestNo):
		return nil, invalid("out_request_no: 部分退款必传，64 个字符以内")
	case err != nil || amount <= 0:
		return nil, invalid("refund_amount 必须大于 0")
	}
	if prior := t.refunds[req.OutRequestNo]; prior != nil {
		if prior.State.amount != amount {
			return nil, fail(wire.SubDiscordantRepeat, "out_request_no 已使用，退款金额不一致")
		}
		resp := copyMap(prior.State.response)
		resp["fund_change"] = "N"
		return resp, nil
	}
	total, _ := money.ParseYuan(t.detail.TotalAmount)
	switch {
	case t.status == wire.TradeClosed:
		return nil, fail(wire.SubTradeHasClose, "交易已关闭")
	case t.status != wire.TradeSuccess:
		return nil, fail(wire.SubTradeStatusError, "交易状态不合法: %s", t.status)
	case t.refunded+amount > total:
		return nil, fail(wire.SubRefundTooMuch, "退款金额超过订单可退金额 (%s)", total-t.refunded)
	}
	reversed, f := s.checkReversals(t, req)
	if f != nil {
		return nil, f
	}
	from, f := s.refundSource(t, amount, reversed)
	if f != nil {
		return nil, f
	}
	s.reverseRoyalties(t, req) // all or nothing: nothing moves before every check passed
	s.takeRefund(t, amount, from)
	if from != fromUnsettled { // before the confirm the money never reached the sub-merchant's account
		s.move(t.detail.SubMerchant.MerchantID, "", t, req.OutRequestNo, -amount, "交易退款")
	}
	return s.recordRefund(t, req, amount), nil
}

// checkReversals checks the royalty reversals — together no more than the trade shared, each receiver holding
// what it gives back — and answers their total.
func (s *Sim) checkReversals(t *trade, req refundRequest) (money.Amount, *failure) {
	var total money.Amount
	for _, leg := range req.RefundRoyaltyParameters {
		amount, err := money.ParseYuan(leg.Amount)
		a := s.accounts[leg.TransOut]
		total += amount
		switch {
		case err != nil || amount <= 0 || total > t.shared:
			return 0, invalid("refund_royalty_parameters.amount: 大于 0 且合计不超过已分账金额")
		case a == nil || a.available < amount:
			return 0, fail(wire.SubSellerBalance, "分账收入方 %s 余额不足", leg.TransOut)
		}
	}
	return total, nil
}

// reverseRoyalties moves each reversal from its receiver back into the trade: frozen while the trade holds its
// money frozen, else the sub-merchant's available balance.
func (s *Sim) reverseRoyalties(t *trade, req refundRequest) {
	for _, leg := range req.RefundRoyaltyParameters {
		amount, _ := money.ParseYuan(leg.Amount)
		s.move(leg.TransOut, t.detail.SubMerchant.MerchantID, t, req.OutRequestNo, -amount, "分账退回")
		s.move(t.detail.SubMerchant.MerchantID, leg.TransOut, t, req.OutRequestNo, amount, "分账退回")
		s.accounts[leg.TransOut].available -= amount
		t.shared -= amount
		m := s.merchants[t.detail.SubMerchant.MerchantID]
		if t.holdsFrozen() {
			t.frozen += amount
			m.frozen += amount
		} else {
			m.available += amount
		}
		t.operations = append(t.operations, wire.TradeSettleDetail{OperationType: wire.OperationTransferRefund,
			OperationSerialNo: req.OutRequestNo, OperationDt: s.now().Format(timeLayout), TransOut: leg.TransOut,
			TransIn: t.detail.SubMerchant.MerchantID, Amount: leg.Amount})
	}
}

// Where a refund's money comes from.
const (
	fromUnsettled = iota + 1
	fromFrozen
	fromAvailable
)

// refundSource says where the refund is taken, counting what the reversals bring back: the trade's unsettled
// money, or its frozen money when that covers it, else the sub-merchant's available balance (always, after the
// finish); it fails when that is short too. Whether Alipay draws a refund larger than the trade's frozen money
// from the available balance is not documented; SplitPay's workflow expects it, as WeChat's
// funds_account=AVAILABLE does.
func (s *Sim) refundSource(t *trade, amount, reversed money.Amount) (int, *failure) {
	m := s.merchants[t.detail.SubMerchant.MerchantID]
	toAvailable := reversed
	if t.holdsFrozen() {
		toAvailable = 0
	}
	switch {
	case !t.confirmed && t.unsettled >= amount:
		return fromUnsettled, nil
	case t.holdsFrozen() && t.frozen+reversed >= amount:
		return fromFrozen, nil
	case t.confirmed && m.available+toAvailable >= amount:
		return fromAvailable, nil
	}
	return 0, fail(wire.SubSellerBalance, "卖家余额不足")
}

func (s *Sim) takeRefund(t *trade, amount money.Amount, from int) {
	m := s.merchants[t.detail.SubMerchant.MerchantID]
	switch from {
	case fromUnsettled:
		t.unsettled -= amount
	case fromFrozen:
		t.frozen -= amount
		m.frozen -= amount
		t.operations = append(t.operations, wire.TradeSettleDetail{OperationType: wire.OperationSettleRefund,
			OperationSerialNo: t.detail.OutTradeNo, OperationDt: s.now().Format(timeLayout),
			TransOut: t.detail.SubMerchant.MerchantID, Amount: amount.String()})
	case fromAvailable:
		m.available -= amount
	}
}

func (s *Sim) recordRefund(t *trade, req refundRequest, amount money.Amount) map[string]any {
	t.refunded += amount
	total, _ := money.ParseYuan(t.detail.TotalAmount)
	if t.refunded == total {
		t.status = wire.TradeClosed
	}
	now := s.now()
	resp := map[string]any{"code": success.Code, "msg": success.Msg, "trade_no": t.tradeNo, "out_trade_no": t.detail.OutTradeNo,
		"buyer_logon_id": "sim***@alipay.com", "fund_change": "Y", "refund_fee": t.refunded.String(),
		"gmt_refund_pay": now.Format(timeLayout)}
	t.refunds.Remember(req.OutRequestNo, nil, &refundRec{amount: amount, at: now,
		royalty: req.RefundRoyaltyParameters, response: resp})
	form := s.tradeNotification(t, &refundNote{outRequestNo: req.OutRequestNo, at: now})
	s.notify(t.notifyURL, form) // asynchronous; counted by Wait before this returns
	return copyMap(resp)
}

// refundQuery is alipay.trade.fastpay.refund.query: refund_status REFUND_SUCCESS, or no refund_status when the
// request was never received.
func (s *Sim) refundQuery(biz []byte, _ url.Values) (any, *failure) {
	var req refundRequest
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	t, f := s.find(req.OutTradeNo, req.TradeNo)
	if f != nil {
		return nil, f
	}
	out := map[string]any{"code": success.Code, "msg": success.Msg, "trade_no": t.tradeNo, "out_trade_no": t.detail.OutTradeNo,
		"out_request_no": req.OutRequestNo, "total_amount": t.detail.TotalAmount}
	if r := t.refunds[req.OutRequestNo]; r != nil {
		out["refund_amount"] = r.State.amount.String()
		out["refund_status"] = wire.RefundSuccess
		out["gmt_refund_pay"] = r.State.at.Format(timeLayout)
		var legs []map[string]any
		for _, leg := range r.State.royalty {
			legs = append(legs, map[string]any{"refund_amount": leg.Amount, "royalty_type": wire.RoyaltyTransfer,
				"result_code": "SUCCESS", "trans_out": leg.TransOut, "trans_in": t.detail.SubMerchant.MerchantID})
		}
		if legs != nil {
			out["refund_royaltys"] = legs
		}
	}
	return out, nil
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
