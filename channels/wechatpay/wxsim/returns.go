package wxsim

import (
	"net/http"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

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
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no sharing %s", req.OutOrderNo)
	}
	left, e := s.returnable(sh, req)
	if e != nil {
		return 0, nil, e
	}
	if req.Amount <= 0 || req.Amount > left {
		return 0, nil, fail(http.StatusBadRequest, wire.CodeInvalidRequest,
			"return of %d fen exceeds the %d fen left to return", req.Amount, left)
	}
	ro := &returnOrder{body: key, state: wire.ReturnState{
		SubMchID:    req.SubMchID,
		OrderID:     sh.state.OrderID,
		OutOrderNo:  req.OutOrderNo,
		OutReturnNo: req.OutReturnNo,
		ReturnNo:    s.nextID("3005"),
		ReturnMchID: req.ReturnMchID,
		Amount:      req.Amount,
	}}
	s.settleReturn(sh, ro)
	s.returns[req.SubMchID+"/"+req.OutReturnNo] = ro
	return 0, ro.state, nil
}

// returnable is what the receiver a return names may still give back of a sharing request: what it received
// less its successful returns. Only merchant receivers can return.
func (s *Sim) returnable(sh *sharing, req wire.ReturnRequest) (int64, *apiError) {
	s.progressSharing(sh)
	var got int64
	found := false
	for _, rc := range sh.state.Receivers {
		if rc.ReceiverAccount != req.ReturnMchID {
			continue
		}
		found = true
		if rc.Type != channels.ReceiverMerchant {
			return 0, fail(http.StatusForbidden, wire.CodeRuleLimit, "money shared to a person cannot be returned")
		}
		if rc.Result == channels.ReceiverSuccess {
			got += rc.Amount
		}
	}
	if !found {
		return 0, paramError("return_mchid", "%s did not receive from sharing %s", req.ReturnMchID, req.OutOrderNo)
	}
	for _, ro := range s.returns {
		if ro.state.OutOrderNo == req.OutOrderNo && ro.state.ReturnMchID == req.ReturnMchID &&
			ro.state.Result == channels.ReturnSuccess {
			got -= ro.state.Amount
		}
	}
	return got, nil
}

// settleReturn moves the money back to the merchant (frozen while the order is pending split, else available)
// when the receiver has the balance; otherwise the return fails ACCOUNT_ABNORMAL.
func (s *Sim) settleReturn(sh *sharing, ro *returnOrder) {
	amount := ro.state.Amount
	recv := s.receiverAccount(channels.ReceiverMerchant, ro.state.ReturnMchID)
	if recv.balance-recv.spent < amount {
		ro.state.Result, ro.state.FailReason = channels.ReturnFailed, "ACCOUNT_ABNORMAL"
		return
	}
	recv.balance -= amount
	if s.platforms[ro.state.ReturnMchID] != nil {
		s.flow("", ro.state.ReturnNo, ro.state.OutReturnNo, wire.FundFlowReturn, -amount)
	}
	m := s.subs[ro.state.SubMchID]
	if sh.sub.finished {
		m.available += amount
	} else {
		m.frozen += amount
		sh.sub.unsplit += amount
	}
	sh.sub.sharedToOthers -= amount
	ro.state.Result, ro.state.FinishTime = channels.ReturnSuccess, s.now().Format(time.RFC3339)
	s.flow(ro.state.SubMchID, ro.state.ReturnNo, ro.state.OutReturnNo, wire.FundFlowReturn, amount)
}

func (s *Sim) queryReturn(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	ro := s.returns[q.Get("sub_mchid")+"/"+q.Get("out_return_no")]
	if ro == nil {
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no return %s", q.Get("out_return_no"))
	}
	return 0, ro.state, nil
}
