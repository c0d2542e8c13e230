package wxsim

import (
	"net/http"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

func (s *Sim) createCombined(p *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	scene := strings.TrimPrefix(r.URL.Path, "/v3/combine-transactions/")
	var req wire.CombineRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	switch {
	case req.CombineMchID != p.MchID:
		return 0, nil, paramError("combine_mchid", "combine_mchid must be the caller's mchid")
	case len(req.CombineOutTradeNo) < 2 || len(req.CombineOutTradeNo) > 32:
		return 0, nil, paramError("combine_out_trade_no", "2..32 characters")
	case len(req.SubOrders) == 0 || len(req.SubOrders) > s.limits.MaxSubOrders:
		return 0, nil, paramError("sub_orders", "1..%d sub-orders", s.limits.MaxSubOrders)
	case scene == "jsapi" && (req.CombinePayerInfo == nil || req.CombinePayerInfo.OpenID == ""):
		return 0, nil, paramError("combine_payer_info.openid", "required for JSAPI")
	case scene == "h5" && (req.SceneInfo == nil || req.SceneInfo.H5Info == nil):
		return 0, nil, paramError("scene_info.h5_info", "required for H5")
	case req.NotifyURL == "":
		return 0, nil, paramError("notify_url", "required")
	}
	if e := s.checkSubOrders(req.SubOrders); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if o := s.combined[req.CombineOutTradeNo]; o != nil {
		if !sameRequest(o.body, key) {
			return 0, nil, fail(
				http.StatusForbidden,
				wire.CodeOutTradeNoUsed,
				"combine_out_trade_no reused with different parameters",
			)
		}
		return 0, s.payParams(scene, o), nil
	}
	o := &combinedOrder{platform: p, req: req, body: key, prepayID: s.nextID("wx"), tradeType: strings.ToUpper(scene)}
	if scene == "h5" {
		o.tradeType = "MWEB" // H5 payments are MWEB in answers and bills
	}
	for _, so := range req.SubOrders {
		o.subOrders = append(o.subOrders, &subOrder{order: o, wire: so, state: channels.PaymentNotPaid})
	}
	s.combined[req.CombineOutTradeNo] = o
	return 0, s.payParams(scene, o), nil
}

func (s *Sim) payParams(scene string, o *combinedOrder) wire.CombineResponse {
	switch scene {
	case "h5":
		return wire.CombineResponse{
			H5URL: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + o.prepayID,
		}
	case "native":
		return wire.CombineResponse{CodeURL: "weixin://wxpay/bizpayurl?pr=" + o.prepayID}
	}
	return wire.CombineResponse{PrepayID: o.prepayID}
}

func (s *Sim) combineState(o *combinedOrder) wire.CombineState {
	st := wire.CombineState{CombineAppID: o.req.CombineAppID, CombineMchID: o.req.CombineMchID,
		CombineOutTradeNo: o.req.CombineOutTradeNo, CombinePayerInfo: o.req.CombinePayerInfo}
	for _, so := range o.subOrders {
		st.SubOrders = append(st.SubOrders, wire.SubOrderState{MchID: so.wire.MchID, SubMchID: so.wire.SubMchID,
			TradeType: o.tradeType, BankType: bankType(so), TradeState: so.state, Attach: so.wire.Attach, SuccessTime: so.successTime, TransactionID: so.transactionID,
			OutTradeNo: so.wire.OutTradeNo, Amount: wire.Amount{TotalAmount: so.wire.Amount.TotalAmount, Currency: "CNY",
				PayerAmount: so.wire.Amount.TotalAmount, PayerCurrency: "CNY"}})
	}
	return st
}

func (s *Sim) order(no string) (*combinedOrder, *apiError) {
	o := s.combined[no]
	if o == nil || s.faults.UnknownOrders[no] {
		return nil, fail(http.StatusNotFound, wire.CodeOrderNotExist, "order %s does not exist", no)
	}
	return o, nil
}

func (s *Sim) queryCombined(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	o, e := s.order(strings.TrimPrefix(r.URL.Path, wire.PathCombineQuery))
	if e != nil {
		return 0, nil, e
	}
	return 0, s.combineState(o), nil
}

func (s *Sim) closeCombined(_ *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	no := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, wire.PathCombineQuery), wire.PathCombineClose)
	o, e := s.order(no)
	if e != nil {
		return 0, nil, e
	}
	var req wire.CloseRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	if len(req.SubOrders) != len(o.subOrders) {
		return 0, nil, paramError(
			"sub_orders",
			"list every sub-order of the combined order; partial close is not supported",
		)
	}
	for i, so := range req.SubOrders {
		if so.OutTradeNo != o.subOrders[i].wire.OutTradeNo || so.SubMchID != o.subOrders[i].wire.SubMchID {
			return 0, nil, paramError("sub_orders", "sub-orders must be listed exactly as created")
		}
	}
	for _, so := range o.subOrders {
		if so.state == channels.PaymentPaid || so.state == channels.PaymentRefunded {
			return 0, nil, fail(http.StatusBadRequest, wire.CodeOrderPaid, "the order is paid; refund it instead")
		}
	}
	o.closed = true
	for _, so := range o.subOrders {
		so.state = channels.PaymentClosed
	}
	return http.StatusNoContent, nil, nil
}

// Pay plays the buyer: every sub-order of the combined order succeeds, money lands (frozen when flagged for
// profit sharing), and the TRANSACTION.SUCCESS notification goes to the order's notify_url.
func (s *Sim) Pay(outTradeNo string) error {
	s.mu.Lock()
	o := s.combined[outTradeNo]
	if o == nil {
		s.mu.Unlock()
		return fail(http.StatusNotFound, wire.CodeOrderNotExist, "order %s does not exist", outTradeNo)
	}
	if o.closed {
		s.mu.Unlock()
		return fail(http.StatusBadRequest, wire.CodeOrderClosed, "order %s is closed", outTradeNo)
	}
	if o.subOrders[0].state == channels.PaymentPaid {
		s.mu.Unlock()
		return nil // paid already; WeChat would not charge twice
	}
	now := s.now()
	for _, so := range o.subOrders {
		so.state, so.paidAt = channels.PaymentPaid, now
		so.successTime = now.Format(time.RFC3339)
		so.transactionID = s.nextID("4200")
		s.byTx[so.transactionID] = so
		amount, m := so.wire.Amount.TotalAmount, s.subs[so.wire.SubMchID]
		s.flow(so.wire.SubMchID, so.transactionID, so.wire.OutTradeNo, wire.FundFlowPayment, amount)
		if so.wire.SettleInfo != nil && so.wire.SettleInfo.ProfitSharing {
			m.frozen += amount
			so.unsplit = amount
		} else {
			m.available += amount
			so.finished = true
		}
	}
	plaintext := canonical(s.combineState(o))
	url, p := o.req.NotifyURL, o.platform
	s.mu.Unlock()
	s.notify(p, url, "TRANSACTION.SUCCESS", "transaction", plaintext)
	return nil
}

// checkSubOrders checks each sub-order of a combined order: amount, sub-merchant, out_trade_no, settle_info.
func (s *Sim) checkSubOrders(subs []wire.SubOrder) *apiError {
	seen := map[string]bool{}
	for i, so := range subs {
		field := "sub_orders[" + itoa(i) + "]"
		if s.autoOpen && s.subs[so.SubMchID] == nil && so.SubMchID != "" {
			s.subs[so.SubMchID] = &subMerchant{id: so.SubMchID}
		}
		switch {
		case so.Amount.TotalAmount <= 0:
			return paramError(field+".amount.total_amount", "must be positive")
		case s.subs[so.SubMchID] == nil:
			return fail(
				http.StatusForbidden,
				wire.CodeNoAuth,
				"sub_mchid %s is not a sub-merchant of this platform",
				so.SubMchID,
			)
		case seen[so.OutTradeNo] || len(so.OutTradeNo) < 6 || len(so.OutTradeNo) > 32:
			return paramError(field+".out_trade_no", "6..32 characters, unique in the order")
		case so.SettleInfo != nil && so.SettleInfo.SubsidyAmount > 0 && !so.SettleInfo.ProfitSharing:
			return paramError(field+".settle_info", "subsidy_amount needs profit_sharing")
		}
		seen[so.OutTradeNo] = true
	}
	return nil
}

// bankType is the paying bank of a paid sub-order (付款银行), as the channel reports it; the simulator's buyers pay
// from their WeChat balance (OTHERS).
func bankType(so *subOrder) string {
	if so.state != channels.PaymentPaid {
		return ""
	}
	return "OTHERS"
}
