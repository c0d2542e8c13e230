package wxsim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

type withdrawal struct {
	body  []byte
	state wire.WithdrawState
}

// routeMore dispatches the funds, onboarding and bill endpoints (called under the state lock).
func (s *Sim) routeMore(r *http.Request) (handler, bool) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathBalance):
		return s.balance, true
	case r.Method == http.MethodPost && path == wire.PathWithdraw:
		return s.withdraw, true
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathWithdrawByOutNo):
		return s.queryWithdraw, true
	case r.Method == http.MethodPost && path == wire.PathApplyments:
		return s.submitApplyment, true
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathApplymentByOut):
		return s.queryApplyment, true
	case r.Method == http.MethodGet && (path == wire.PathTradeBill || path == wire.PathSharingBill ||
		path == wire.PathFundFlowBill):
		return s.billRequest, true
	case r.Method == http.MethodGet && (path == wire.PathSubFundFlowBill || path == wire.PathOneSubFundFlow):
		return s.subFundFlowBill, true
	}
	return s.settlementRoute(r)
}

// ---------------------------------------------------------------- balance and withdrawal

func (s *Sim) balance(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	id := strings.TrimPrefix(r.URL.Path, wire.PathBalance)
	m := s.subs[id]
	if m == nil {
		return 0, nil, fail(http.StatusNotFound, "MCH_NOT_EXISTS", "no sub-merchant %s", id)
	}
	return 0, wire.BalanceResponse{
		SubMchID:        id,
		AccountType:     "BASIC",
		AvailableAmount: m.available,
		PendingAmount:   m.frozen,
	}, nil
}

func (s *Sim) withdraw(p *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.WithdrawRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	key := canonical(req)
	if w := s.withdrawals[req.SubMchID+"/"+req.OutRequestNo]; w != nil {
		if e := reused(w.body, key, "out_request_no"); e != nil {
			return 0, nil, e
		}
		return 0, wire.WithdrawState{
			SubMchID:     req.SubMchID,
			WithdrawID:   w.state.WithdrawID,
			OutRequestNo: req.OutRequestNo,
		}, nil
	}
	m := s.subs[req.SubMchID]
	switch {
	case m == nil:
		return 0, nil, fail(http.StatusNotFound, "MCH_NOT_EXISTS", "no sub-merchant %s", req.SubMchID)
	case req.Amount <= 0:
		return 0, nil, paramError("amount", "must be positive")
	case !outRequestNoRe.MatchString(req.OutRequestNo):
		return 0, nil, paramError("out_request_no", "1..32 letters and digits")
	case req.Amount > m.available:
		return 0, nil, fail(
			http.StatusForbidden,
			wire.CodeNotEnough,
			"available balance %d fen, asked %d",
			m.available,
			req.Amount,
		)
	}
	m.available -= req.Amount
	now := s.now().Format(time.RFC3339)
	w := &withdrawal{
		body: key,
		state: wire.WithdrawState{SubMchID: req.SubMchID, SpMchID: p.MchID, Status: channels.WithdrawCreated,
			WithdrawID: s.nextID(
				"W",
			), OutRequestNo: req.OutRequestNo, Amount: req.Amount, CreateTime: now, UpdateTime: now},
	}
	s.withdrawals[req.SubMchID+"/"+req.OutRequestNo] = w
	s.flow(req.SubMchID, w.state.WithdrawID, req.OutRequestNo, wire.FundFlowWithdraw, -req.Amount)
	return 0, wire.WithdrawState{
		SubMchID:     req.SubMchID,
		WithdrawID:   w.state.WithdrawID,
		OutRequestNo: req.OutRequestNo,
	}, nil
}

func (s *Sim) queryWithdraw(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	w := s.withdrawals[r.URL.Query().Get("sub_mchid")+"/"+strings.TrimPrefix(r.URL.Path, wire.PathWithdrawByOutNo)]
	if w == nil {
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no such withdrawal")
	}
	return 0, w.state, nil
}

// SettleWithdrawal moves a withdrawal to SUCCESS, FAIL or CLOSE (money back to available) or, after SUCCESS,
// to REFUND: the bank bounced it and the money is available again.
func (s *Sim) SettleWithdrawal(subMchID, outRequestNo, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.withdrawals[subMchID+"/"+outRequestNo]
	if w == nil {
		return fail(http.StatusNotFound, wire.CodeResourceNotExist, "no withdrawal %s", outRequestNo)
	}
	from := w.state.Status
	settles := status == channels.WithdrawSuccess || status == channels.WithdrawFail || status == channels.WithdrawClosed
	ok := (from == channels.WithdrawCreated && settles) ||
		(from == channels.WithdrawSuccess && status == channels.WithdrawRefunded)
	if !ok {
		return fmt.Errorf("withdrawal %s cannot go from %s to %s", outRequestNo, from, status)
	}
	if status != channels.WithdrawSuccess {
		s.subs[subMchID].available += w.state.Amount
		kind := map[bool]string{true: wire.FundFlowBounced, false: wire.FundFlowWithdrawn}[status == channels.WithdrawRefunded]
		s.flow(subMchID, w.state.WithdrawID, outRequestNo, kind, w.state.Amount)
	}
	w.state.Status, w.state.UpdateTime = status, s.now().Format(time.RFC3339)
	return nil
}

// ---------------------------------------------------------------- onboarding

var (
	outRequestNoRe = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
	mobileRe       = regexp.MustCompile(`^1\d{10}$`)
	idCardRe       = regexp.MustCompile(`^\d{17}[\dXx]$`)
)

// Onboarding timings on the simulated clock.
const (
	applymentCheckTime    = time.Minute // CHECKING
	applymentAuditTime    = time.Minute // AUDITING, after the account is verified
	accountVerifyDeadline = 10 * 24 * time.Hour
)

// ---------------------------------------------------------------- bills
