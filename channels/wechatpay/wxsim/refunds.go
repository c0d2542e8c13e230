package wxsim

import (
	"net/http"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// subsidyCreate pays the platform's subsidy into the order's frozen funds: once, after payment, before sharing.
func (s *Sim) subsidyCreate(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.SubsidyRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	if so.subsidised {
		if so.subsidy != req.Amount {
			return 0, nil, fail(
				http.StatusBadRequest,
				wire.CodeInvalidRequest,
				"the order was already subsidised with %d fen",
				so.subsidy,
			)
		}
		return 0, s.subsidyState(so, req), nil // re-entrant with identical parameters
	}
	switch {
	case so.wire.SettleInfo == nil || so.wire.SettleInfo.SubsidyAmount == 0:
		return 0, nil, fail(
			http.StatusForbidden,
			wire.CodeNoAuth,
			"the order was not placed with settle_info.subsidy_amount",
		)
	case so.sharingCount > 0 || so.finished:
		return 0, nil, fail(
			http.StatusBadRequest,
			wire.CodeInvalidRequest,
			"subsidies must come before any sharing",
		)
	case so.subsidyCanceled:
		return 0, nil, fail(http.StatusBadRequest, wire.CodeInvalidRequest, "the order's subsidy was cancelled")
	case req.Amount <= 0 || req.Amount > so.wire.SettleInfo.SubsidyAmount:
		return 0, nil, paramError("amount", "1..%d fen (the order's subsidy_amount)", so.wire.SettleInfo.SubsidyAmount)
	case req.Amount < so.wire.SettleInfo.SubsidyAmount && req.RefundID == "":
		return 0, nil, paramError(
			"refund_id",
			"a subsidy below the order's subsidy_amount needs the refund that lowered it",
		)
	}
	so.subsidised, so.subsidy = true, req.Amount
	so.unsplit += req.Amount
	s.subs[req.SubMchID].frozen += req.Amount
	st := s.subsidyState(so, req)
	s.flow("", st.SubsidyID, "", wire.FundFlowSubsidy, -req.Amount)
	s.flow(req.SubMchID, st.SubsidyID, "", wire.FundFlowSubsidy, req.Amount)
	return 0, st, nil
}

func (s *Sim) subsidyState(so *subOrder, req wire.SubsidyRequest) wire.SubsidyState {
	return wire.SubsidyState{
		SubMchID:      req.SubMchID,
		TransactionID: req.TransactionID,
		SubsidyID:     "sub-" + so.transactionID,
		Description:   req.Description,
		Amount:        so.subsidy,
		Result:        "SUCCESS",
		SuccessTime:   so.successTime,
	}
}

// subsidyReturn gives (part of) the subsidy back after a refund: one return per refund, total ≤ the subsidy.
func (s *Sim) subsidyReturn(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.SubsidyReturnRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if prev := s.subsidyReturns[req.SubMchID+"/"+req.OutOrderNo]; prev != nil { // the same out_order_no is the same return
		if e := reused(prev.body, key, "out_order_no"); e != nil {
			return 0, nil, e
		}
		return 0, prev.state, nil
	}
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	rf := s.refundsByID[req.RefundID]
	switch {
	case rf == nil || rf.sub != so:
		return 0, nil, paramError("refund_id", "no refund %s of this order", req.RefundID)
	case rf.subsidyReturnUsed:
		return 0, nil, fail(
			http.StatusBadRequest,
			wire.CodeInvalidRequest,
			"refund %s already had its subsidy return",
			req.RefundID,
		)
	case req.Amount <= 0 || so.subsidyReturned+req.Amount > so.subsidy:
		return 0, nil, paramError(
			"amount",
			"at most the %d fen of subsidy not yet returned",
			so.subsidy-so.subsidyReturned,
		)
	}
	account, e := subsidyReturnSource(req)
	if e != nil {
		return 0, nil, e
	}
	if e := s.takeFunds(so, req.Amount, account, "subsidy return"); e != nil {
		return 0, nil, e
	}
	rf.subsidyReturnUsed = true
	so.subsidyReturned += req.Amount
	st := wire.SubsidyState{SubMchID: req.SubMchID, TransactionID: req.TransactionID, SubsidyRefundID: s.nextID("sr"),
		RefundID: req.RefundID, OutOrderNo: req.OutOrderNo, Description: req.Description, Amount: req.Amount,
		Result: "SUCCESS", SuccessTime: s.now().Format(time.RFC3339)}
	s.subsidyReturns[req.SubMchID+"/"+req.OutOrderNo] = &subsidyReturnRec{body: key, state: st}
	s.flow("", st.SubsidyRefundID, req.OutOrderNo, wire.FundFlowSubsidyReturn, req.Amount)
	s.flow(req.SubMchID, st.SubsidyRefundID, req.OutOrderNo, wire.FundFlowSubsidyReturn, -req.Amount)
	return 0, st, nil
}

// subsidyReturnSource is the account a subsidy return names (from), or "": the channel chooses the order's frozen
// money while it covers the return, else the available balance.
func subsidyReturnSource(req wire.SubsidyReturnRequest) (string, *apiError) {
	switch len(req.From) {
	case 0:
		return "", nil
	case 1:
		account := req.From[0].Account
		if account != wire.FundsAvailable && account != wire.FundsUnavailable {
			return "", paramError("from[0].account", "AVAILABLE or UNAVAILABLE")
		}
		if req.From[0].Amount != req.Amount {
			return "", paramError("from[0].amount", "must equal amount (one source account)")
		}
		return account, nil
	}
	return "", paramError("from", "a single source account")
}

func (s *Sim) subsidyCancel(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.SubsidyCancelRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	if so.sharingCount > 0 || so.subsidised {
		return 0, nil, fail(
			http.StatusBadRequest,
			wire.CodeInvalidRequest,
			"cancel only before subsidy and sharing",
		)
	}
	so.subsidyCanceled = true
	return 0, wire.SubsidyCancelResponse{
		SubMchID:      req.SubMchID,
		TransactionID: req.TransactionID,
		Result:        "SUCCESS",
		Description:   req.Description,
	}, nil
}

// refundApply accepts a refund from the order's frozen funds (before finish) or the available balance.
func (s *Sim) refundApply(p *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.RefundRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if rf := s.refunds[req.SubMchID+"/"+req.OutRefundNo]; rf != nil {
		if e := reused(rf.body, key, "out_refund_no"); e != nil {
			return 0, nil, e
		}
		return 0, rf.state, nil
	}
	so, e := s.refundedSubOrder(req)
	if e != nil {
		return 0, nil, e
	}
	if e := s.checkRefundable(so, req); e != nil {
		return 0, nil, e
	}
	account, e := s.refundFundsAccount(so, req)
	if e != nil {
		return 0, nil, e
	}
	if e := s.takeFunds(so, req.Amount.Refund, account, "refund"); e != nil {
		return 0, nil, e
	}
	return 0, s.newRefund(p, so, req, key, account).state, nil
}

// refundedSubOrder is the paid sub-order a refund names, by transaction_id or by its out_trade_no.
func (s *Sim) refundedSubOrder(req wire.RefundRequest) (*subOrder, *apiError) {
	if req.TransactionID == "" && req.OutTradeNo == "" {
		return nil, paramError("transaction_id", "transaction_id or out_trade_no is required")
	}
	txID := req.TransactionID
	if txID == "" {
		for id, so := range s.byTx {
			if so.wire.OutTradeNo == req.OutTradeNo && so.wire.SubMchID == req.SubMchID {
				txID = id
			}
		}
	}
	return s.paidSubOrder(req.SubMchID, txID)
}

// checkRefundable refuses a refund the order cannot take: the wrong total, more than is refundable, too many
// refunds, or a sharing request still processing.
func (s *Sim) checkRefundable(so *subOrder, req wire.RefundRequest) *apiError {
	total := so.wire.Amount.TotalAmount
	switch {
	case req.Amount.Total != total:
		return paramError("amount.total", "must be the order's %d fen", total)
	case req.Amount.Refund <= 0 || so.refunded+req.Amount.Refund > total:
		return fail(http.StatusBadRequest, wire.CodeInvalidRequest, "refund of %d fen exceeds the %d fen refundable",
			req.Amount.Refund, total-so.refunded)
	case so.refundCount >= int64(s.limits.MaxRefundsPerOrder):
		return fail(http.StatusForbidden, wire.CodeRuleLimit, "at most %d refunds per order", s.limits.MaxRefundsPerOrder)
	}
	for _, sh := range s.sharings {
		if sh.sub == so && s.progressSharing(sh).Status == channels.SharingProcessing {
			return fail(http.StatusForbidden, wire.CodeRuleLimit, "申请退款金额大于剩余未分账金额，请等待分账完成后再试")
		}
	}
	return nil
}

// refundFundsAccount is the account a refund comes from (CHANNELS.md §1.5): the order's unsplit money while it
// is pending split (refused when that is short), else, or when the request names it, AVAILABLE.
func (s *Sim) refundFundsAccount(so *subOrder, req wire.RefundRequest) (string, *apiError) {
	switch req.RefundAccount {
	case "", wire.RefundSourceSubMerchant:
	case wire.RefundSourcePartnerAdvance:
		return "", fail(http.StatusForbidden, wire.CodeNoAuth, "platform advance (垫付) is not activated for this platform")
	default:
		return "", paramError("refund_account", "REFUND_SOURCE_SUB_MERCHANT or REFUND_SOURCE_PARTNER_ADVANCE")
	}
	if req.FundsAccount != "" && req.FundsAccount != wire.FundsAvailable {
		return "", paramError("funds_account", "only AVAILABLE may be named")
	}
	account := req.FundsAccount
	if account == "" && s.pendingSplit(so) {
		account = wire.FundsUnavailable // the documented default while the order is pending split
	}
	if account == wire.FundsUnavailable && so.unsplit < req.Amount.Refund {
		return "", fail(http.StatusForbidden, wire.CodeRuleLimit,
			"申请退款金额大于剩余未分账金额 (%d fen unsplit, %d asked): "+
				"wait for sharing to finish, or refund from funds_account=AVAILABLE", so.unsplit, req.Amount.Refund)
	}
	if account == "" {
		account = wire.FundsAvailable // finished, or never frozen
	}
	return account, nil
}

// newRefund records an accepted refund, PROCESSING until the simulator's clock pays it.
func (s *Sim) newRefund(p *Platform, so *subOrder, req wire.RefundRequest, key []byte, account string) *refund {
	total := so.wire.Amount.TotalAmount
	so.refunded += req.Amount.Refund
	so.refundCount++
	so.state = channels.PaymentRefunded
	rf := &refund{body: key, sub: so, notifyURL: req.NotifyURL, platform: p, state: wire.RefundState{
		RefundID:            s.nextID("5030"),
		OutRefundNo:         req.OutRefundNo,
		TransactionID:       so.transactionID,
		OutTradeNo:          so.wire.OutTradeNo,
		Channel:             "ORIGINAL",
		UserReceivedAccount: "支付用户零钱",
		CreateTime:          s.now().Format(time.RFC3339),
		Status:              channels.RefundProcessing,
		RefundAccount:       wire.RefundSourceSubMerchant,
		FundsAccount:        account,
		PromotionDetail:     []any{},
		Amount: wire.RefundAmount{
			Refund:      req.Amount.Refund,
			Total:       total,
			PayerTotal:  total,
			PayerRefund: req.Amount.Refund,
			Currency:    "CNY",
		},
	}}
	s.refunds[req.SubMchID+"/"+req.OutRefundNo] = rf
	s.refundsByID[rf.state.RefundID] = rf
	s.flow(req.SubMchID, rf.state.RefundID, req.OutRefundNo, wire.FundFlowRefund, -req.Amount.Refund)
	return rf
}

func (s *Sim) refundQuery(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	sub := r.URL.Query().Get("sub_mchid")
	var rf *refund
	if no, ok := strings.CutPrefix(r.URL.Path, wire.PathRefundByOutNo); ok {
		rf = s.refunds[sub+"/"+no]
	} else if id, ok := strings.CutPrefix(r.URL.Path, wire.PathRefundByID); ok {
		if rf = s.refundsByID[id]; rf != nil && rf.sub.wire.SubMchID != sub {
			rf = nil
		}
	}
	if rf == nil {
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no such refund")
	}
	return 0, rf.state, nil
}

// SettleRefund completes a PROCESSING refund (SUCCESS, or ABNORMAL when abnormal: a closed card, say) and
// sends its REFUND.* notification, as the channel does when the bank answers.
func (s *Sim) SettleRefund(subMchID, outRefundNo string, abnormal bool) error {
	s.mu.Lock()
	rf := s.refunds[subMchID+"/"+outRefundNo]
	if rf == nil {
		s.mu.Unlock()
		return fail(http.StatusNotFound, wire.CodeResourceNotExist, "no refund %s", outRefundNo)
	}
	event := "REFUND.SUCCESS"
	rf.state.Status = channels.RefundSucceeded
	rf.state.SuccessTime = s.now().Format(time.RFC3339)
	if abnormal {
		event, rf.state.Status, rf.state.SuccessTime = "REFUND.ABNORMAL", channels.RefundAbnormal, ""
	}
	notice := wire.RefundNotice{SpMchID: rf.platform.MchID, SubMchID: subMchID, TransactionID: rf.state.TransactionID,
		OutTradeNo: rf.state.OutTradeNo, RefundID: rf.state.RefundID, OutRefundNo: outRefundNo,
		RefundStatus: rf.state.Status,
		SuccessTime:  rf.state.SuccessTime, Amount: rf.state.Amount, UserReceivedAccount: rf.state.UserReceivedAccount,
		RefundAccount: rf.state.RefundAccount, FundsAccount: rf.state.FundsAccount}
	url, p := rf.notifyURL, rf.platform
	s.mu.Unlock()
	if url != "" {
		s.notify(p, url, event, "refund", canonical(notice))
	}
	return nil
}

// pendingSplit: the order's money is still frozen for sharing (flagged for profit sharing and not finished).
func (s *Sim) pendingSplit(so *subOrder) bool {
	return !so.finished && so.wire.SettleInfo != nil && so.wire.SettleInfo.ProfitSharing
}

// takeFunds takes a refund's or subsidy return's money from the named account (UNAVAILABLE: the order's
// frozen money, AVAILABLE: the sub-merchant's balance), or from the frozen money while it covers the amount
// and else the balance when none is named. A source that cannot cover the amount refuses: the channel never
// mixes sources.
func (s *Sim) takeFunds(so *subOrder, amount int64, account, what string) *apiError {
	m := s.subs[so.wire.SubMchID]
	if account == "" {
		account = wire.FundsAvailable
		if s.pendingSplit(so) && so.unsplit >= amount {
			account = wire.FundsUnavailable
		}
	}
	switch {
	case account == wire.FundsUnavailable && !s.pendingSplit(so):
		return fail(
			http.StatusForbidden,
			wire.CodeRuleLimit,
			"the order is not pending split: no frozen money to take",
		)
	case account == wire.FundsUnavailable && so.unsplit < amount:
		return fail(
			http.StatusForbidden,
			wire.CodeNotEnough,
			"the order has %d fen unsplit, the %s needs %d",
			so.unsplit,
			what,
			amount,
		)
	case account == wire.FundsUnavailable:
		so.unsplit -= amount
		m.frozen -= amount
	case m.available < amount:
		return fail(
			http.StatusForbidden,
			wire.CodeNotEnough,
			"the sub-merchant lacks %d fen for the %s (available %d)",
			amount,
			what,
			m.available,
		)
	default:
		m.available -= amount
	}
	return nil
}
