package alisim

import (
	"net/url"
	"strconv"

	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// paidTrade finds a paid trade by trade_no for the settle and royalty calls.
func (s *Sim) paidTrade(tradeNo string) (*trade, *failure) {
	t := s.byTradeNo[tradeNo]
	switch {
	case t == nil:
		return nil, fail(wire.SubTradeNotExist, "交易不存在")
	case t.status != wire.TradeSuccess:
		return nil, fail(wire.SubTradeStatusError, "交易状态不合法: %s", t.status)
	}
	return t, nil
}

// settleConfirm is alipay.trade.settle.confirm (确认结算): the unsettled money moves to the sub-merchant's
// account, frozen for royalty when extend_params.royalty_freeze is "true".
func (s *Sim) settleConfirm(biz []byte, _ url.Values) (any, *failure) {
	var req wire.SettleConfirm
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	if !wire.ValidOutNo(req.OutRequestNo, wire.MaxOutRequestNo) {
		return nil, invalid("out_request_no: 64 个字符以内，仅字母、数字、下划线")
	}
	t, f := s.paidTrade(req.TradeNo)
	if f != nil {
		return nil, f
	}
	if prior, same, seen := t.confirms.Seen(req.OutRequestNo, biz); seen {
		if !same {
			return nil, fail(wire.SubDiscordantRepeat, "out_request_no 已使用，请求内容不一致")
		}
		return prior.State, nil
	}
	if len(req.SettleInfo.SettleDetailInfos) != 1 {
		return nil, invalid("settle_info.settle_detail_infos 仅支持一条")
	}
	amount, err := money.ParseYuan(req.SettleInfo.SettleDetailInfos[0].Amount)
	switch {
	case t.confirmed:
		return nil, fail(wire.SubTradeStatusError, "交易已确认结算")
	case err != nil || amount != t.unsettled:
		return nil, invalid("settle_info 金额必须等于订单金额减去已退款金额 (%s)", t.unsettled)
	}
	m := s.merchants[t.detail.SubMerchant.MerchantID]
	if req.ExtendParams != nil && req.ExtendParams.RoyaltyFreeze == "true" {
		m.frozen += amount
		t.frozen, t.frozenAt = amount, s.now()
	} else {
		m.available += amount
	}
	t.unsettled, t.confirmed = 0, true
	s.move(t.detail.SubMerchant.MerchantID, "", t, req.OutRequestNo, amount, "收费结算")
	t.operations = append(t.operations, wire.TradeSettleDetail{OperationType: wire.OperationSettle,
		OperationSerialNo: req.OutRequestNo, OperationDt: s.now().Format(timeLayout), TransIn: t.detail.SubMerchant.MerchantID, Amount: amount.String()})
	out := wire.SettleConfirmResponse{Status: success, TradeNo: t.tradeNo, OutRequestNo: req.OutRequestNo,
		SettleAmount: amount.String()}
	t.confirms.Remember(req.OutRequestNo, biz, out)
	return out, nil
}

// orderSettle is alipay.trade.order.settle: transfers from the trade's frozen money to bound receivers within the
// cap and the per-request and per-order limits, replenishments (补差) from the platform into it, and with
// extend_params.royalty_finish the release of the rest to the sub-merchant.
func (s *Sim) orderSettle(biz []byte, _ url.Values) (any, *failure) {
	var req wire.OrderSettle
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	if !wire.ValidOutNo(req.OutRequestNo, wire.MaxSettleRequestNo) {
		return nil, invalid("out_request_no: 32 个字符以内，仅字母、数字、下划线")
	}
	finish := req.ExtendParams != nil && req.ExtendParams.RoyaltyFinish == "true"
	t, f := s.paidTrade(req.TradeNo)
	if f != nil && finish && len(req.RoyaltyParameters) == 0 && t == nil {
		// A trade refunded in full (TRADE_CLOSED) may still hold confirmed money frozen, when the refund came
		// from the balance: royalty_finish releases it. Alipay does not document this case (UNCONFIRMED).
		if c := s.byTradeNo[req.TradeNo]; c != nil && c.status == wire.TradeClosed && c.confirmed {
			t, f = c, nil
		}
	}
	if f != nil {
		return nil, f
	}
	if prior, same, seen := t.settles.Seen(req.OutRequestNo, biz); seen {
		if !same {
			return nil, fail(wire.SubDiscordantRepeat, "out_request_no 已使用，请求内容不一致")
		}
		return prior.State.response, nil
	}
	if f := s.checkSettle(t, req, finish); f != nil {
		return nil, f
	}
	rec := &settleRec{response: wire.OrderSettleResponse{Status: success, TradeNo: t.tradeNo, SettleNo: s.nextNo("SN")}}
	rec.query = wire.OrderSettleQueryResponse{Status: success, OutRequestNo: req.OutRequestNo,
		OperationDt: s.now().Format(timeLayout)}
	for i, leg := range req.RoyaltyParameters {
		amount, _ := money.ParseYuan(leg.Amount)
		op := wire.OperationTransfer
		if leg.RoyaltyType == wire.RoyaltyReplenish {
			op = wire.OperationReplenish
			t.frozen += amount
			s.merchants[t.detail.SubMerchant.MerchantID].frozen += amount
		} else {
			s.pay(t, leg.TransIn, req.OutRequestNo, amount)
		}
		t.operations = append(t.operations, wire.TradeSettleDetail{OperationType: op, OperationSerialNo: req.OutRequestNo,
			OperationDt: rec.query.OperationDt, TransOut: leg.TransOut, TransIn: leg.TransIn, Amount: leg.Amount})
		rec.query.RoyaltyDetailList = append(rec.query.RoyaltyDetailList, wire.RoyaltyDetailItem{OperationType: op,
			ExecuteDt: rec.query.OperationDt, TransOut: leg.TransOut, TransOutType: leg.TransOutType, TransIn: leg.TransIn,
			TransInType: leg.TransInType, Amount: leg.Amount, State: wire.DetailSuccess,
			DetailID: rec.response.SettleNo + strconv.Itoa(i+1)})
	}
	if finish {
		s.release(t)
		t.finished = true
	}
	t.settles.Remember(req.OutRequestNo, biz, rec)
	s.settleNos[rec.response.SettleNo] = rec
	return rec.response, nil
}

// checkSettle enforces order.settle's rules before anything moves (sync mode is all-or-nothing).
func (s *Sim) checkSettle(t *trade, req wire.OrderSettle, finish bool) *failure {
	n, perRequest := len(req.RoyaltyParameters), s.limits.MaxReceiversPerSharing
	total, _ := money.ParseYuan(t.detail.TotalAmount)
	if req.RoyaltyMode == "async" {
		perRequest = 50
	}
	switch {
	case !t.confirmed:
		return fail(wire.SubTradeStatusError, "交易未确认结算 (alipay.trade.settle.confirm)")
	case t.finished:
		return fail(wire.SubTradeStatusError, "交易已完结分账")
	case n == 0 && !finish:
		return invalid("royalty_parameters 不可为空")
	case n > perRequest:
		return fail(wire.SubSettleLimit, "每次请求最多 %d 个分账接收方", perRequest)
	case len(t.settles) >= s.limits.MaxSharingsPerOrder:
		return fail(wire.SubSettleLimit, "每笔交易最多 %d 次分账请求", s.limits.MaxSharingsPerOrder)
	}
	var transfers money.Amount
	for _, leg := range req.RoyaltyParameters {
		amount, err := money.ParseYuan(leg.Amount)
		switch {
		case err != nil || amount <= 0:
			return invalid("royalty_parameters.amount 必须大于 0")
		case leg.RoyaltyType == wire.RoyaltyReplenish:
			continue
		case leg.TransInType == wire.TransInUserID && !wire.IsUserID(leg.TransIn):
			return invalid("trans_in: userId 为 2088 开头的 16 位数字")
		case !s.relations[leg.TransIn]:
			return fail(wire.SubRoyaltyNotBound, "分账收入方 %s 未绑定分账关系", leg.TransIn)
		}
		transfers += amount
	}
	limit, _ := money.MaxShareable(total, s.limits.MaxSharingRatio)
	switch {
	case t.shared+transfers > limit:
		return fail(wire.SubAllocAmount, "分账金额超过最高可分比例 (%s)", limit)
	case transfers > t.frozen:
		return fail(wire.SubAllocAmount, "分账金额超过可分金额 (%s)", t.frozen)
	}
	return nil
}

// pay moves amount of the trade's frozen money to a receiver's available balance.
func (s *Sim) pay(t *trade, to, outRequestNo string, amount money.Amount) {
	smid := t.detail.SubMerchant.MerchantID
	s.move(smid, to, t, outRequestNo, -amount, "分账")
	s.move(to, smid, t, outRequestNo, amount, "分账")
	t.frozen -= amount
	t.shared += amount
	s.merchants[t.detail.SubMerchant.MerchantID].frozen -= amount
	a := s.accounts[to]
	if a == nil {
		a = &account{}
		s.accounts[to] = a
	}
	a.available += amount
}

// settleQuery is alipay.trade.order.settle.query, by settle_no or out_request_no + trade_no.
func (s *Sim) settleQuery(biz []byte, _ url.Values) (any, *failure) {
	var req wire.OrderSettleQuery
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	rec := s.settleNos[req.SettleNo]
	if t := s.byTradeNo[req.TradeNo]; rec == nil && t != nil && t.settles[req.OutRequestNo] != nil {
		rec = t.settles[req.OutRequestNo].State
	}
	if rec == nil {
		return nil, fail("ACQ.SETTLE_NOT_EXIST", "分账请求不存在")
	}
	return s.stuck(rec.query), nil
}

// stuck shows every leg PROCESSING while the StuckSettle fault is on.
func (s *Sim) stuck(q wire.OrderSettleQueryResponse) wire.OrderSettleQueryResponse {
	if !s.faults.StuckSettle {
		return q
	}
	legs := append([]wire.RoyaltyDetailItem(nil), q.RoyaltyDetailList...)
	for i := range legs {
		legs[i].State = wire.DetailProcessing
	}
	q.RoyaltyDetailList = legs
	return q
}

// bind and unbind are alipay.trade.royalty.relation.bind/unbind: ≤ 20 receivers per call, idempotent per
// out_request_no.
func (s *Sim) bind(biz []byte, _ url.Values) (any, *failure)   { return s.relate(biz, true) }
func (s *Sim) unbind(biz []byte, _ url.Values) (any, *failure) { return s.relate(biz, false) }

func (s *Sim) relate(biz []byte, bind bool) (any, *failure) {
	var req wire.RelationBind
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	key := strconv.FormatBool(bind) + "/" + req.OutRequestNo
	if prior, same, seen := s.binds.Seen(key, biz); seen {
		if !same {
			return nil, fail(wire.SubDiscordantRepeat, "out_request_no 已使用，请求内容不一致")
		}
		return prior.State, nil
	}
	if n := len(req.ReceiverList); n == 0 || n > 20 || !wire.ValidOutNo(req.OutRequestNo, wire.MaxSettleRequestNo) {
		return nil, invalid("receiver_list: 1..20 个；out_request_no 必填，32 个字符以内")
	}
	for _, r := range req.ReceiverList {
		switch {
		case r.Type == wire.TransInUserID && !wire.IsUserID(r.Account):
			return nil, invalid("receiver_list.account: userId 为 2088 开头的 16 位数字")
		case r.Type == wire.TransInLoginName && r.Name == "":
			return nil, invalid("receiver_list.name: loginName 类型必填")
		case r.Type != wire.TransInUserID && r.Type != wire.TransInLoginName && r.Type != "openId":
			return nil, invalid("receiver_list.type: userId | loginName | openId")
		}
	}
	for _, r := range req.ReceiverList {
		s.relations[r.Account] = bind
	}
	out := wire.RelationResponse{Status: success, ResultCode: "SUCCESS"}
	s.binds.Remember(key, biz, out)
	return out, nil
}

// rateQuery is alipay.trade.royalty.rate.query: the most that may be shared, in whole percent.
func (s *Sim) rateQuery(biz []byte, _ url.Values) (any, *failure) {
	var req wire.RoyaltyRateQuery
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	pct := s.limits.MaxSharingRatio.Shift(2).IntPart()
	return wire.RoyaltyRateResponse{Status: success, UserID: "2088000000000000", MaxRatio: int(pct)}, nil
}
