package wxsim

import (
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

func (s *Sim) paidSubOrder(subMchID, transactionID string) (*subOrder, *apiError) {
	so := s.byTx[transactionID]
	if so == nil || so.wire.SubMchID != subMchID {
		return nil, fail(
			http.StatusNotFound,
			wire.CodeOrderNotExist,
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
	if e := s.decryptReceiverNames(&req); e != nil {
		return 0, nil, e
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
	if e := s.checkSharable(so, req); e != nil {
		return 0, nil, e
	}
	total, e := s.checkReceivers(p, so, req)
	if e != nil {
		return 0, nil, e
	}
	return 0, s.acceptSharing(so, req, key, total).state, nil
}

// decryptReceiverNames decrypts the receivers' names, which arrive encrypted: to check the merchant used our
// key, and for the canonical form.
func (s *Sim) decryptReceiverNames(req *wire.SharingRequest) *apiError {
	for i := range req.Receivers {
		if req.Receivers[i].ReceiverName == "" {
			continue
		}
		name, err := s.decryptField(req.Receivers[i].ReceiverName)
		if err != nil {
			return paramError(
				"receivers.receiver_name",
				"cannot decrypt: encrypt it with the WeChat Pay public key",
			)
		}
		req.Receivers[i].ReceiverName = name
	}
	return nil
}

// checkSharable refuses a sharing request the order cannot take now.
func (s *Sim) checkSharable(so *subOrder, req wire.SharingRequest) *apiError {
	switch {
	case len(req.Receivers) == 0 || len(req.Receivers) > s.limits.MaxReceiversPerSharing:
		return paramError("receivers", "1..%d receivers per request", s.limits.MaxReceiversPerSharing)
	case so.wire.SettleInfo == nil || !so.wire.SettleInfo.ProfitSharing:
		return fail(http.StatusForbidden, wire.CodeNoAuth, "the order was not placed for profit sharing")
	case so.finished:
		return fail(http.StatusBadRequest, wire.CodeInvalidRequest, "the order's sharing is finished")
	case so.sharingCount >= s.limits.MaxSharingsPerOrder:
		return fail(
			http.StatusForbidden,
			wire.CodeRuleLimit,
			"at most %d sharing requests per order",
			s.limits.MaxSharingsPerOrder,
		)
	case s.faults.EnforceSharingDelay && s.now().Sub(so.paidAt) < 30*time.Second:
		return fail(http.StatusForbidden, wire.CodeRuleLimit, "sharing can start about 30 s after payment")
	case so.wire.SettleInfo.SubsidyAmount > 0 && !so.subsidised && !so.subsidyCanceled:
		return fail(
			http.StatusForbidden,
			wire.CodeRuleLimit,
			"pay or cancel the order's subsidy before sharing",
		)
	}
	return nil
}

// checkReceivers checks each receiver's amount and registration, and the total against what is left to share
// and the channel's cap; it answers the total.
func (s *Sim) checkReceivers(p *Platform, so *subOrder, req wire.SharingRequest) (int64, *apiError) {
	var total int64
	for i, rc := range req.Receivers {
		field := "receivers[" + itoa(i) + "]"
		if rc.Amount <= 0 {
			return 0, paramError(field+".amount", "must be positive")
		}
		if rc.ReceiverAccount != p.MchID && s.receivers[rc.Type+"/"+rc.ReceiverAccount] == nil {
			return 0, fail(
				http.StatusBadRequest,
				wire.CodeInvalidRequest,
				"receiver %s is not added",
				rc.ReceiverAccount,
			)
		}
		if rc.Type == channels.ReceiverPersonal && req.AppID == "" {
			return 0, paramError("appid", "required when a receiver is PERSONAL_OPENID")
		}
		total += rc.Amount
	}
	if total > so.unsplit {
		return 0, fail(
			http.StatusForbidden,
			wire.CodeNotEnough,
			"the order has %d fen left to share, asked %d",
			so.unsplit,
			total,
		)
	}
	if so.sharedToOthers+total > s.maxShareable(so) {
		return 0, fail(
			http.StatusForbidden,
			wire.CodeRuleLimit,
			"sharing %d fen would exceed %s of the order (cap %d fen)",
			so.sharedToOthers+total,
			s.limits.MaxSharingRatio.String(),
			s.maxShareable(so),
		)
	}
	return total, nil
}

// acceptSharing takes the money out of the order's frozen funds now; receivers get it when the request is
// processed.
func (s *Sim) acceptSharing(so *subOrder, req wire.SharingRequest, key []byte, total int64) *sharing {
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
	s.flow(req.SubMchID, sh.state.OrderID, req.OutOrderNo, wire.FundFlowSharing, -total)
	return sh
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
			s.flow(sh.state.SubMchID, sh.state.OrderID, sh.state.OutOrderNo, wire.FundFlowSharing, rc.Amount)
			continue
		}
		rc.Result = channels.ReceiverSuccess
		s.receiverAccount(rc.Type, rc.ReceiverAccount).balance += rc.Amount
		if s.platforms[rc.ReceiverAccount] != nil { // the platform's commission lands on its own account
			s.flow("", sh.state.OrderID, sh.state.OutOrderNo, wire.FundFlowSharing, rc.Amount)
		}
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
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no sharing %s", q.Get("out_order_no"))
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
			wire.CodeInvalidRequest,
			"the order's sharing is already finished",
		)
	}
	for _, sh := range s.sharings {
		if sh.sub == so && sh.state.Status == channels.SharingProcessing {
			return 0, nil, fail(
				http.StatusForbidden,
				wire.CodeRuleLimit,
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
			OutOrderNo: req.OutOrderNo, OrderID: s.nextID("3008"), Status: channels.SharingFinished, FinishAmount: rest,
			FinishDescription: req.Description},
	}
	s.sharings[req.SubMchID+"/"+req.OutOrderNo] = sh
	return 0, sh.state, nil
}

func (s *Sim) unsplit(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	tx := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, wire.PathSharingAmounts), "/amounts")
	so := s.byTx[tx]
	if so == nil {
		return 0, nil, fail(http.StatusNotFound, wire.CodeOrderNotExist, "transaction %s does not exist", tx)
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
