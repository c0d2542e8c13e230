package wxsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

type handler func(p *Platform, r *http.Request, body []byte) (int, any, *apiError)

// route dispatches an authenticated request. Each handler runs under the state lock.
func (s *Sim) route(p *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	path := r.URL.Path
	var h handler
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v3/combine-transactions/") && !strings.HasPrefix(path, wire.PathCombineQuery):
		h = s.createCombined
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathCombineQuery):
		h = s.queryCombined
	case r.Method == http.MethodPost && strings.HasPrefix(path, wire.PathCombineQuery) && strings.HasSuffix(path, wire.PathCombineClose):
		h = s.closeCombined
	case r.Method == http.MethodPost && path == wire.PathSharingOrders:
		h = s.share
	case r.Method == http.MethodGet && path == wire.PathSharingOrders:
		h = s.querySharing
	case r.Method == http.MethodPost && path == wire.PathSharingFinish:
		h = s.finish
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathSharingAmounts) && strings.HasSuffix(path, "/amounts"):
		h = s.unsplit
	case r.Method == http.MethodPost && (path == wire.PathReceiverAdd || path == wire.PathReceiverDelete):
		h = s.receiver
	case r.Method == http.MethodPost && path == wire.PathReturnOrders:
		h = s.returnOrder
	case r.Method == http.MethodGet && path == wire.PathReturnOrders:
		h = s.queryReturn
	case r.Method == http.MethodPost && path == wire.PathSubsidyCreate:
		h = s.subsidyCreate
	case r.Method == http.MethodPost && path == wire.PathSubsidyReturn:
		h = s.subsidyReturn
	case r.Method == http.MethodPost && path == wire.PathSubsidyCancel:
		h = s.subsidyCancel
	case r.Method == http.MethodPost && path == wire.PathRefundApply:
		h = s.refundApply
	case r.Method == http.MethodGet && (strings.HasPrefix(path, wire.PathRefundByOutNo) || strings.HasPrefix(path, wire.PathRefundByID)):
		h = s.refundQuery
	default:
		more, ok := s.routeMore(r)
		if !ok {
			return 0, nil, fail(http.StatusNotFound, "NOT_FOUND", "no such API: %s %s", r.Method, path)
		}
		h = more
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return h(p, r, body)
}

func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return fail(http.StatusBadRequest, channels.CodeParamError, "body is not valid JSON: %v", err)
	}
	return nil
}

func canonical(v any) []byte { b, _ := json.Marshal(v); return b }

// ---------------------------------------------------------------- combined payments

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
	seen := map[string]bool{}
	for i, so := range req.SubOrders {
		field := "sub_orders[" + itoa(i) + "]"
		if s.autoOpen && s.subs[so.SubMchID] == nil && so.SubMchID != "" {
			s.subs[so.SubMchID] = &subMerchant{id: so.SubMchID}
		}
		switch {
		case so.Amount.TotalAmount <= 0:
			return 0, nil, paramError(field+".amount.total_amount", "must be positive")
		case s.subs[so.SubMchID] == nil:
			return 0, nil, fail(
				http.StatusForbidden,
				channels.CodeNoAuth,
				"sub_mchid %s is not a sub-merchant of this platform",
				so.SubMchID,
			)
		case seen[so.OutTradeNo] || len(so.OutTradeNo) < 6 || len(so.OutTradeNo) > 32:
			return 0, nil, paramError(field+".out_trade_no", "6..32 characters, unique in the order")
		case so.SettleInfo != nil && so.SettleInfo.SubsidyAmount > 0 && !so.SettleInfo.ProfitSharing:
			return 0, nil, paramError(field+".settle_info", "subsidy_amount needs profit_sharing")
		}
		seen[so.OutTradeNo] = true
	}
	key := canonical(req)
	if o := s.combined[req.CombineOutTradeNo]; o != nil {
		if !sameRequest(o.body, key) {
			return 0, nil, fail(
				http.StatusForbidden,
				channels.CodeOutTradeNoUsed,
				"combine_out_trade_no reused with different parameters",
			)
		}
		return 0, s.payParams(scene, o), nil
	}
	o := &combinedOrder{platform: p, req: req, body: key, prepayID: s.nextID("wx")}
	for _, so := range req.SubOrders {
		o.subOrders = append(o.subOrders, &subOrder{order: o, wire: so, state: channels.TradeNotPay})
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
			TradeState: so.state, Attach: so.wire.Attach, SuccessTime: so.successTime, TransactionID: so.transactionID,
			OutTradeNo: so.wire.OutTradeNo, Amount: wire.Amount{TotalAmount: so.wire.Amount.TotalAmount, Currency: "CNY",
				PayerAmount: so.wire.Amount.TotalAmount, PayerCurrency: "CNY"}})
	}
	return st
}

func (s *Sim) order(no string) (*combinedOrder, *apiError) {
	o := s.combined[no]
	if o == nil {
		return nil, fail(http.StatusNotFound, channels.CodeOrderNotExist, "order %s does not exist", no)
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
		if so.state == channels.TradeSuccess || so.state == channels.TradeRefund {
			return 0, nil, fail(http.StatusBadRequest, channels.CodeOrderPaid, "the order is paid; refund it instead")
		}
	}
	o.closed = true
	for _, so := range o.subOrders {
		so.state = channels.TradeClosed
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
		return fail(http.StatusNotFound, channels.CodeOrderNotExist, "order %s does not exist", outTradeNo)
	}
	if o.closed {
		s.mu.Unlock()
		return fail(http.StatusBadRequest, channels.CodeOrderClosed, "order %s is closed", outTradeNo)
	}
	if o.subOrders[0].state == channels.TradeSuccess {
		s.mu.Unlock()
		return nil // paid already; WeChat would not charge twice
	}
	now := s.now()
	for _, so := range o.subOrders {
		so.state, so.paidAt = channels.TradeSuccess, now
		so.successTime = now.Format(time.RFC3339)
		so.transactionID = s.nextID("4200")
		s.byTx[so.transactionID] = so
		amount, m := so.wire.Amount.TotalAmount, s.subs[so.wire.SubMchID]
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

// ---------------------------------------------------------------- profit sharing

func (s *Sim) paidSubOrder(subMchID, transactionID string) (*subOrder, *apiError) {
	so := s.byTx[transactionID]
	if so == nil || so.wire.SubMchID != subMchID {
		return nil, fail(
			http.StatusNotFound,
			channels.CodeOrderNotExist,
			"transaction %s of sub_mchid %s does not exist",
			transactionID,
			subMchID,
		)
	}
	return so, nil
}

// maxShareable is the cap on sharing to others: MaxSharingRatio of paid + subsidy, floored.
func (s *Sim) maxShareable(so *subOrder) int64 {
	base := decimal.NewFromInt(so.wire.Amount.TotalAmount + so.subsidy)
	return base.Mul(s.limits.MaxSharingRatio).Floor().IntPart()
}

func (s *Sim) share(p *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.SharingRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	// Names arrive encrypted; decrypt them to check the merchant used our key, and for the canonical form.
	for i := range req.Receivers {
		if req.Receivers[i].ReceiverName == "" {
			continue
		}
		name, err := s.decryptField(req.Receivers[i].ReceiverName)
		if err != nil {
			return 0, nil, paramError(
				"receivers.receiver_name",
				"cannot decrypt: encrypt it with the WeChat Pay public key",
			)
		}
		req.Receivers[i].ReceiverName = name
	}
	key := canonical(req)
	if sh := s.sharings[req.SubMchID+"/"+req.OutOrderNo]; sh != nil {
		if e := reused(sh.body, key, "out_order_no"); e != nil {
			return 0, nil, e
		}
		return 0, s.progressSharing(sh), nil
	}
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	switch {
	case len(req.Receivers) == 0 || len(req.Receivers) > s.limits.MaxReceiversPerSharing:
		return 0, nil, paramError("receivers", "1..%d receivers per request", s.limits.MaxReceiversPerSharing)
	case so.wire.SettleInfo == nil || !so.wire.SettleInfo.ProfitSharing:
		return 0, nil, fail(http.StatusForbidden, channels.CodeNoAuth, "the order was not placed for profit sharing")
	case so.finished:
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "the order's sharing is finished")
	case so.sharingCount >= s.limits.MaxSharingsPerOrder:
		return 0, nil, fail(
			http.StatusForbidden,
			channels.CodeRuleLimit,
			"at most %d sharing requests per order",
			s.limits.MaxSharingsPerOrder,
		)
	case s.faults.EnforceSharingDelay && s.now().Sub(so.paidAt) < 30*time.Second:
		return 0, nil, fail(http.StatusForbidden, channels.CodeRuleLimit, "sharing can start about 30 s after payment")
	case so.wire.SettleInfo.SubsidyAmount > 0 && !so.subsidised && !so.subsidyCanceled:
		return 0, nil, fail(
			http.StatusForbidden,
			channels.CodeRuleLimit,
			"pay or cancel the order's subsidy before sharing",
		)
	}
	var total int64
	for i, rc := range req.Receivers {
		field := "receivers[" + itoa(i) + "]"
		if rc.Amount <= 0 {
			return 0, nil, paramError(field+".amount", "must be positive")
		}
		if rc.ReceiverAccount != p.MchID && s.receivers[rc.Type+"/"+rc.ReceiverAccount] == nil {
			return 0, nil, fail(
				http.StatusBadRequest,
				channels.CodeInvalidRequest,
				"receiver %s is not added",
				rc.ReceiverAccount,
			)
		}
		if rc.Type == channels.ReceiverPersonal && req.AppID == "" {
			return 0, nil, paramError("appid", "required when a receiver is PERSONAL_OPENID")
		}
		total += rc.Amount
	}
	if total > so.unsplit {
		return 0, nil, fail(
			http.StatusForbidden,
			channels.CodeNotEnough,
			"the order has %d fen left to share, asked %d",
			so.unsplit,
			total,
		)
	}
	if so.sharedToOthers+total > s.maxShareable(so) {
		return 0, nil, fail(
			http.StatusForbidden,
			channels.CodeRuleLimit,
			"sharing %d fen would exceed %s of the order (cap %d fen)",
			so.sharedToOthers+total,
			s.limits.MaxSharingRatio.String(),
			s.maxShareable(so),
		)
	}
	// Accepted: the money leaves the order's frozen funds now; receivers get it when the request is processed.
	so.unsplit -= total
	so.sharedToOthers += total
	so.sharingCount++
	s.subs[req.SubMchID].frozen -= total
	sh := &sharing{body: key, sub: so, created: s.now(), finished: req.Finish,
		state: wire.SharingState{SubMchID: req.SubMchID, TransactionID: req.TransactionID, OutOrderNo: req.OutOrderNo,
			OrderID: s.nextID("3008"), Status: channels.SharingProcessing}}
	for _, rc := range req.Receivers {
		sh.state.Receivers = append(
			sh.state.Receivers,
			wire.SharingReceiverResult{Type: rc.Type, ReceiverAccount: rc.ReceiverAccount,
				Amount: rc.Amount, Description: rc.Description, Result: channels.ReceiverPending, DetailID: s.nextID("3600")},
		)
	}
	s.sharings[req.SubMchID+"/"+req.OutOrderNo] = sh
	return 0, sh.state, nil
}

// progressSharing settles a PROCESSING sharing request (unless the fault keeps it stuck): receivers are
// credited, and with finish=true the rest of the order is unfrozen.
func (s *Sim) progressSharing(sh *sharing) wire.SharingState {
	if sh.state.Status != channels.SharingProcessing || s.faults.StuckSharing {
		return sh.state
	}
	sh.state.Status = channels.SharingFinished
	for i := range sh.state.Receivers {
		rc := &sh.state.Receivers[i]
		rc.FinishTime = s.now().Format(time.RFC3339)
		if reason, closed := s.faults.ClosedReceivers[rc.ReceiverAccount]; closed {
			// A closed share's money goes back to the order's frozen funds, to be shared again or unfrozen.
			rc.Result, rc.FailReason = channels.ReceiverClosed, reason
			sh.sub.unsplit += rc.Amount
			sh.sub.sharedToOthers -= rc.Amount
			s.subs[sh.sub.wire.SubMchID].frozen += rc.Amount
			continue
		}
		rc.Result = channels.ReceiverSuccess
		s.receiverAccount(rc.Type, rc.ReceiverAccount).balance += rc.Amount
	}
	if sh.finished {
		s.unfreezeRest(sh.sub)
	}
	return sh.state
}

func (s *Sim) receiverAccount(typ, account string) *receiver {
	r := s.receivers[typ+"/"+account]
	if r == nil { // the platform itself receives without being added
		r = &receiver{typ: typ, account: account}
		s.receivers[typ+"/"+account] = r
	}
	return r
}

func (s *Sim) unfreezeRest(so *subOrder) int64 {
	rest := so.unsplit
	m := s.subs[so.wire.SubMchID]
	m.frozen -= rest
	m.available += rest
	so.unsplit, so.finished = 0, true
	return rest
}

func (s *Sim) querySharing(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	sh := s.sharings[q.Get("sub_mchid")+"/"+q.Get("out_order_no")]
	if sh == nil || sh.state.TransactionID != q.Get("transaction_id") {
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no sharing %s", q.Get("out_order_no"))
	}
	return 0, s.progressSharing(sh), nil
}

func (s *Sim) finish(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.FinishRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if sh := s.sharings[req.SubMchID+"/"+req.OutOrderNo]; sh != nil {
		if e := reused(sh.body, key, "out_order_no"); e != nil {
			return 0, nil, e
		}
		return 0, sh.state, nil
	}
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	if so.finished {
		return 0, nil, fail(
			http.StatusBadRequest,
			channels.CodeInvalidRequest,
			"the order's sharing is already finished",
		)
	}
	for _, sh := range s.sharings {
		if sh.sub == so && sh.state.Status == channels.SharingProcessing {
			return 0, nil, fail(
				http.StatusForbidden,
				channels.CodeRuleLimit,
				"a sharing request of this order is still processing",
			)
		}
	}
	rest := s.unfreezeRest(so)
	sh := &sharing{
		body:    key,
		sub:     so,
		created: s.now(),
		state: wire.SharingState{SubMchID: req.SubMchID, TransactionID: req.TransactionID,
			OutOrderNo: req.OutOrderNo, OrderID: s.nextID("3008"), Status: channels.SharingFinished, FinishAmount: rest, FinishDescription: req.Description},
	}
	s.sharings[req.SubMchID+"/"+req.OutOrderNo] = sh
	return 0, sh.state, nil
}

func (s *Sim) unsplit(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	tx := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, wire.PathSharingAmounts), "/amounts")
	so := s.byTx[tx]
	if so == nil {
		return 0, nil, fail(http.StatusNotFound, channels.CodeOrderNotExist, "transaction %s does not exist", tx)
	}
	return 0, wire.UnsplitAmount{TransactionID: tx, UnsplitAmount: so.unsplit}, nil
}

func (s *Sim) receiver(_ *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	var req wire.ReceiverRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	if req.Type != channels.ReceiverMerchant && req.Type != channels.ReceiverPersonal {
		return 0, nil, paramError("type", "MERCHANT_ID or PERSONAL_OPENID")
	}
	if req.Account == "" {
		return 0, nil, paramError("account", "required")
	}
	key := req.Type + "/" + req.Account
	if r.URL.Path == wire.PathReceiverDelete {
		delete(s.receivers, key)
		return 0, wire.ReceiverResponse{Type: req.Type, Account: req.Account}, nil
	}
	if req.EncryptedName != "" {
		if _, err := s.decryptField(req.EncryptedName); err != nil {
			return 0, nil, paramError("encrypted_name", "cannot decrypt: encrypt it with the WeChat Pay public key")
		}
	}
	if req.Type == channels.ReceiverMerchant && req.Name == "" {
		return 0, nil, paramError("name", "a merchant receiver needs its full name")
	}
	if s.receivers[key] == nil {
		s.receivers[key] = &receiver{typ: req.Type, account: req.Account}
	}
	return 0, wire.ReceiverResponse{Type: req.Type, Account: req.Account}, nil
}

// returnOrder pulls money back from a merchant-type receiver of a finished sharing request.
func (s *Sim) returnOrder(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.ReturnRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if ro := s.returns[req.SubMchID+"/"+req.OutReturnNo]; ro != nil {
		if e := reused(ro.body, key, "out_return_no"); e != nil {
			return 0, nil, e
		}
		return 0, ro.state, nil
	}
	sh := s.sharings[req.SubMchID+"/"+req.OutOrderNo]
	if sh == nil {
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no sharing %s", req.OutOrderNo)
	}
	s.progressSharing(sh)
	var got int64
	found := false
	for _, rc := range sh.state.Receivers {
		if rc.ReceiverAccount == req.ReturnMchID {
			found = true
			if rc.Type != channels.ReceiverMerchant {
				return 0, nil, fail(
					http.StatusForbidden,
					channels.CodeRuleLimit,
					"money shared to a person cannot be returned",
				)
			}
			if rc.Result == channels.ReceiverSuccess {
				got += rc.Amount
			}
		}
	}
	if !found {
		return 0, nil, paramError("return_mchid", "%s did not receive from sharing %s", req.ReturnMchID, req.OutOrderNo)
	}
	var returned int64
	for _, ro := range s.returns {
		if ro.state.OutOrderNo == req.OutOrderNo && ro.state.ReturnMchID == req.ReturnMchID &&
			ro.state.Result == channels.ReturnSuccess {
			returned += ro.state.Amount
		}
	}
	if req.Amount <= 0 || returned+req.Amount > got {
		return 0, nil, fail(
			http.StatusBadRequest,
			channels.CodeInvalidRequest,
			"return of %d fen exceeds the %d fen left to return",
			req.Amount,
			got-returned,
		)
	}
	ro := &returnOrder{
		body: key,
		state: wire.ReturnState{SubMchID: req.SubMchID, OrderID: sh.state.OrderID, OutOrderNo: req.OutOrderNo,
			OutReturnNo: req.OutReturnNo, ReturnNo: s.nextID("3005"), ReturnMchID: req.ReturnMchID, Amount: req.Amount},
	}
	recv := s.receiverAccount(channels.ReceiverMerchant, req.ReturnMchID)
	if recv.balance-recv.spent < req.Amount {
		ro.state.Result, ro.state.FailReason = channels.ReturnFailed, "ACCOUNT_ABNORMAL"
	} else {
		recv.balance -= req.Amount
		m := s.subs[req.SubMchID]
		if sh.sub.finished {
			m.available += req.Amount
		} else {
			m.frozen += req.Amount
			sh.sub.unsplit += req.Amount
		}
		sh.sub.sharedToOthers -= req.Amount
		ro.state.Result, ro.state.FinishTime = channels.ReturnSuccess, s.now().Format(time.RFC3339)
	}
	s.returns[req.SubMchID+"/"+req.OutReturnNo] = ro
	return 0, ro.state, nil
}

func (s *Sim) queryReturn(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	ro := s.returns[q.Get("sub_mchid")+"/"+q.Get("out_return_no")]
	if ro == nil {
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no return %s", q.Get("out_return_no"))
	}
	return 0, ro.state, nil
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }
