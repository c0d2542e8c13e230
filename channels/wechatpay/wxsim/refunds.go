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
			return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "the order was already subsidised with %d fen", so.subsidy)
		}
		return 0, s.subsidyState(so, req), nil // re-entrant with identical parameters
	}
	switch {
	case so.wire.SettleInfo == nil || so.wire.SettleInfo.SubsidyAmount == 0:
		return 0, nil, fail(http.StatusForbidden, channels.CodeNoAuth, "the order was not placed with settle_info.subsidy_amount")
	case so.sharingCount > 0 || so.finished:
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "subsidies must come before any sharing")
	case so.subsidyCanceled:
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "the order's subsidy was cancelled")
	case req.Amount <= 0 || req.Amount > so.wire.SettleInfo.SubsidyAmount:
		return 0, nil, paramError("amount", "1..%d fen (the order's subsidy_amount)", so.wire.SettleInfo.SubsidyAmount)
	case req.Amount < so.wire.SettleInfo.SubsidyAmount && req.RefundID == "":
		return 0, nil, paramError("refund_id", "a subsidy below the order's subsidy_amount needs the refund that lowered it")
	}
	so.subsidised, so.subsidy = true, req.Amount
	so.unsplit += req.Amount
	s.subs[req.SubMchID].frozen += req.Amount
	return 0, s.subsidyState(so, req), nil
}

func (s *Sim) subsidyState(so *subOrder, req wire.SubsidyRequest) wire.SubsidyState {
	return wire.SubsidyState{SubMchID: req.SubMchID, TransactionID: req.TransactionID, SubsidyID: "sub-" + so.transactionID,
		Description: req.Description, Amount: so.subsidy, Result: "SUCCESS", SuccessTime: so.successTime}
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
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "refund %s already had its subsidy return", req.RefundID)
	case req.Amount <= 0 || so.subsidyReturned+req.Amount > so.subsidy:
		return 0, nil, paramError("amount", "at most the %d fen of subsidy not yet returned", so.subsidy-so.subsidyReturned)
	}
	m := s.subs[req.SubMchID]
	if !so.finished && so.unsplit >= req.Amount {
		so.unsplit -= req.Amount
		m.frozen -= req.Amount
	} else if m.available >= req.Amount {
		m.available -= req.Amount
	} else {
		return 0, nil, fail(http.StatusForbidden, channels.CodeNotEnough, "the sub-merchant lacks %d fen", req.Amount)
	}
	rf.subsidyReturnUsed = true
	so.subsidyReturned += req.Amount
	st := wire.SubsidyState{SubMchID: req.SubMchID, TransactionID: req.TransactionID, SubsidyRefundID: s.nextID("sr"),
		RefundID: req.RefundID, OutOrderNo: req.OutOrderNo, Description: req.Description, Amount: req.Amount,
		Result: "SUCCESS", SuccessTime: s.now().Format(time.RFC3339)}
	s.subsidyReturns[req.SubMchID+"/"+req.OutOrderNo] = &subsidyReturnRec{body: key, state: st}
	return 0, st, nil
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
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "cancel only before subsidy and sharing")
	}
	so.subsidyCanceled = true
	return 0, wire.SubsidyCancelResponse{SubMchID: req.SubMchID, TransactionID: req.TransactionID, Result: "SUCCESS", Description: req.Description}, nil
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
	so, e := s.paidSubOrder(req.SubMchID, req.TransactionID)
	if e != nil {
		return 0, nil, e
	}
	total := so.wire.Amount.TotalAmount
	switch {
	case req.Amount.Total != total:
		return 0, nil, paramError("amount.total", "must be the order's %d fen", total)
	case req.Amount.Refund <= 0 || so.refunded+req.Amount.Refund > total:
		return 0, nil, fail(http.StatusBadRequest, channels.CodeInvalidRequest, "refund of %d fen exceeds the %d fen refundable", req.Amount.Refund, total-so.refunded)
	case so.refundCount >= int64(s.limits.MaxRefundsPerOrder):
		return 0, nil, fail(http.StatusForbidden, channels.CodeRuleLimit, "at most %d refunds per order", s.limits.MaxRefundsPerOrder)
	}
	for _, sh := range s.sharings {
		if sh.sub == so && s.progressSharing(sh).Status == channels.SharingProcessing {
			return 0, nil, fail(http.StatusForbidden, channels.CodeRuleLimit, "申请退款金额大于剩余未分账金额，请等待分账完成后再试")
		}
	}
	m := s.subs[req.SubMchID]
	switch {
	case !so.finished && so.unsplit >= req.Amount.Refund:
		so.unsplit -= req.Amount.Refund
		m.frozen -= req.Amount.Refund
	case m.available >= req.Amount.Refund:
		m.available -= req.Amount.Refund
	default:
		return 0, nil, fail(http.StatusForbidden, channels.CodeNotEnough, "the sub-merchant lacks %d fen to refund", req.Amount.Refund)
	}
	so.refunded += req.Amount.Refund
	so.refundCount++
	so.state = channels.TradeRefund
	rf := &refund{body: key, sub: so, notifyURL: req.NotifyURL, platform: p, state: wire.RefundState{
		RefundID: s.nextID("5030"), OutRefundNo: req.OutRefundNo, TransactionID: req.TransactionID, OutTradeNo: so.wire.OutTradeNo,
		CreateTime: s.now().Format(time.RFC3339), Status: channels.RefundProcessing,
		Amount: wire.RefundAmount{Refund: req.Amount.Refund, Total: total, PayerRefund: req.Amount.Refund, Currency: "CNY"}}}
	s.refunds[req.SubMchID+"/"+req.OutRefundNo] = rf
	s.refundsByID[rf.state.RefundID] = rf
	return 0, rf.state, nil
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
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no such refund")
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
		return fail(http.StatusNotFound, channels.CodeResourceNotExist, "no refund %s", outRefundNo)
	}
	event := "REFUND.SUCCESS"
	rf.state.Status = channels.RefundSuccess
	rf.state.SuccessTime = s.now().Format(time.RFC3339)
	if abnormal {
		event, rf.state.Status, rf.state.SuccessTime = "REFUND.ABNORMAL", channels.RefundAbnormal, ""
	}
	notice := wire.RefundNotice{SpMchID: rf.platform.MchID, SubMchID: subMchID, TransactionID: rf.state.TransactionID,
		OutTradeNo: rf.state.OutTradeNo, RefundID: rf.state.RefundID, OutRefundNo: outRefundNo, RefundStatus: rf.state.Status,
		SuccessTime: rf.state.SuccessTime, Amount: rf.state.Amount}
	url, p := rf.notifyURL, rf.platform
	s.mu.Unlock()
	if url != "" {
		s.notify(p, url, event, "refund", canonical(notice))
	}
	return nil
}
