package wxsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

type withdrawal struct {
	body  []byte
	state wire.WithdrawState
}

type applyment struct {
	req            wire.ApplymentRequest // sensitive fields decrypted
	body           []byte
	id             int64
	submitted      time.Time
	verifiedAt     time.Time
	signed         bool
	rejected       []wire.AuditDetail
	subMchID       string
	accountOpened  bool
	accountPayment int64
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
	case r.Method == http.MethodGet && (path == wire.PathTradeBill || path == wire.PathSharingBill):
		return s.billRequest, true
	}
	return nil, false
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
			channels.CodeNotEnough,
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
	return 0, wire.WithdrawState{
		SubMchID:     req.SubMchID,
		WithdrawID:   w.state.WithdrawID,
		OutRequestNo: req.OutRequestNo,
	}, nil
}

func (s *Sim) queryWithdraw(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	w := s.withdrawals[r.URL.Query().Get("sub_mchid")+"/"+strings.TrimPrefix(r.URL.Path, wire.PathWithdrawByOutNo)]
	if w == nil {
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no such withdrawal")
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
		return fail(http.StatusNotFound, channels.CodeResourceNotExist, "no withdrawal %s", outRequestNo)
	}
	from := w.state.Status
	ok := (from == channels.WithdrawCreated && (status == channels.WithdrawSuccess || status == channels.WithdrawFail || status == channels.WithdrawClosed)) ||
		(from == channels.WithdrawSuccess && status == channels.WithdrawRefunded)
	if !ok {
		return fmt.Errorf("withdrawal %s cannot go from %s to %s", outRequestNo, from, status)
	}
	if status != channels.WithdrawSuccess {
		s.subs[subMchID].available += w.state.Amount
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

func (s *Sim) submitApplyment(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.ApplymentRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	if req.IDCardInfo == nil || req.AccountInfo == nil || req.ContactInfo == nil || req.SalesSceneInfo == nil {
		return 0, nil, paramError("id_card_info/account_info/contact_info/sales_scene_info", "required")
	}
	// Sensitive fields must arrive encrypted with our public key.
	for field, ptr := range map[string]*string{
		"id_card_info.id_card_name": &req.IDCardInfo.IDCardName, "id_card_info.id_card_number": &req.IDCardInfo.IDCardNumber,
		"account_info.account_name": &req.AccountInfo.AccountName, "account_info.account_number": &req.AccountInfo.AccountNumber,
		"contact_info.contact_name": &req.ContactInfo.ContactName, "contact_info.mobile_phone": &req.ContactInfo.MobilePhone,
		"contact_info.contact_id_card_number": &req.ContactInfo.ContactIDCardNumber, "contact_info.contact_email": &req.ContactInfo.ContactEmail,
	} {
		if *ptr == "" {
			continue
		}
		plain, err := s.decryptField(*ptr)
		if err != nil {
			return 0, nil, paramError(field, "cannot decrypt: encrypt it with the WeChat Pay public key")
		}
		*ptr = plain
	}
	switch {
	case req.OutRequestNo == "" || len(req.OutRequestNo) > 124:
		return 0, nil, paramError("out_request_no", "1..124 characters")
	case req.OrganizationType == "":
		return 0, nil, paramError("organization_type", "required")
	case req.OrganizationType != "2401" && req.OrganizationType != "2500" && req.BusinessLicenseInfo == nil:
		return 0, nil, paramError("business_license_info", "required for organization type %s", req.OrganizationType)
	case !idCardRe.MatchString(req.IDCardInfo.IDCardNumber):
		return 0, nil, paramError("id_card_info.id_card_number", "not an 18-character ID number")
	case req.AccountInfo.AccountNumber == "" || req.AccountInfo.AccountName == "":
		return 0, nil, paramError("account_info", "account name and number are required")
	case !mobileRe.MatchString(req.ContactInfo.MobilePhone):
		return 0, nil, paramError("contact_info.mobile_phone", "not an 11-digit mobile number")
	case req.SalesSceneInfo.StoreName == "" || req.MerchantShortname == "":
		return 0, nil, paramError("sales_scene_info.store_name/merchant_shortname", "required")
	}
	key := canonical(req)
	if a := s.applyments[req.OutRequestNo]; a != nil {
		if len(a.rejected) == 0 {
			if e := reused(a.body, key, "out_request_no"); e != nil {
				return 0, nil, e
			}
			return 0, wire.ApplymentResponse{ApplymentID: a.id, OutRequestNo: req.OutRequestNo}, nil
		}
		// After REJECTED the same number may be resubmitted with corrected data: a new attempt.
		a.req, a.body, a.rejected, a.submitted, a.verifiedAt = req, key, nil, s.now(), time.Time{}
		return 0, wire.ApplymentResponse{ApplymentID: a.id, OutRequestNo: req.OutRequestNo}, nil
	}
	s.seq++
	a := &applyment{req: req, body: key, id: 2000000000 + s.seq, submitted: s.now(), accountPayment: 1 + s.seq%99}
	s.applyments[req.OutRequestNo] = a
	return 0, wire.ApplymentResponse{ApplymentID: a.id, OutRequestNo: req.OutRequestNo}, nil
}

// Onboarding timings on the simulated clock.
const (
	applymentCheckTime    = time.Minute // CHECKING
	applymentAuditTime    = time.Minute // AUDITING, after the account is verified
	accountVerifyDeadline = 10 * 24 * time.Hour
)

// applymentState derives the state from the clock and what the shop has done, as the channel would report it.
func (s *Sim) applymentState(a *applyment) wire.ApplymentState {
	st := wire.ApplymentState{OutRequestNo: a.req.OutRequestNo, ApplymentID: a.id}
	now := s.now()
	deadline := a.submitted.Add(accountVerifyDeadline)
	switch {
	case len(a.rejected) > 0:
		st.ApplymentState, st.ApplymentStateDesc, st.AuditDetail = channels.ApplymentRejected, "已驳回", a.rejected
	case now.Before(a.submitted.Add(applymentCheckTime)):
		st.ApplymentState, st.ApplymentStateDesc = channels.ApplymentChecking, "资料校验中"
	case a.verifiedAt.IsZero() && now.After(deadline):
		a.rejected = []wire.AuditDetail{{ParamName: "account_info", RejectReason: "账户验证已过期"}}
		return s.applymentState(a)
	case a.verifiedAt.IsZero():
		st.ApplymentState, st.ApplymentStateDesc = channels.ApplymentAccountVerify, "待账户验证"
		st.AccountValidation = &wire.AccountValidation{AccountName: maskName(a.req.AccountInfo.AccountName),
			AccountNo: maskTail(a.req.AccountInfo.AccountNumber), PayAmount: a.accountPayment,
			DestinationAccountNumber: "7222223333322332", DestinationAccountName: "财付通支付科技有限公司",
			DestinationAccountBank: "招商银行深圳分行大冲支行", City: "深圳", Remark: fmt.Sprintf("%06d", a.id%1000000),
			Deadline: deadline.Format("2006-01-02 15:04:05")}
		st.LegalValidationURL = "https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=" + fmt.Sprint(a.id)
	case now.Before(a.verifiedAt.Add(applymentAuditTime)):
		st.ApplymentState, st.ApplymentStateDesc = channels.ApplymentAuditing, "审核中"
	default:
		if a.subMchID == "" {
			s.seq++
			a.subMchID = fmt.Sprintf("16%06d%04d", s.instance, s.seq%10000) // unique across simulators sharing a ledger
		}
		st.SubMchID = a.subMchID
		if !a.signed {
			st.ApplymentState, st.ApplymentStateDesc, st.SignState = channels.ApplymentNeedSign, "待签约", "UNSIGNED"
			st.SignURL = "https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=" + fmt.Sprint(a.id) + "&sign=1"
		} else {
			st.ApplymentState, st.ApplymentStateDesc, st.SignState = channels.ApplymentFinish, "完成", "SIGNED"
			if !a.accountOpened {
				a.accountOpened = true
				s.subs[a.subMchID] = &subMerchant{id: a.subMchID}
			}
		}
	}
	return st
}

func (s *Sim) queryApplyment(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	a := s.applyments[strings.TrimPrefix(r.URL.Path, wire.PathApplymentByOut)]
	if a == nil {
		return 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no such application")
	}
	return 0, s.applymentState(a), nil
}

// VerifyApplymentAccount records that the shop remitted the verification amount (or the legal person scanned).
func (s *Sim) VerifyApplymentAccount(outRequestNo string) error {
	return s.withApplyment(outRequestNo, func(a *applyment) { a.verifiedAt = s.now() })
}

// SignApplyment records that the shop's super-admin signed the agreement at the sign_url.
func (s *Sim) SignApplyment(outRequestNo string) error {
	return s.withApplyment(outRequestNo, func(a *applyment) { a.signed = true })
}

// RejectApplyment rejects the current attempt, naming the field and the reason.
func (s *Sim) RejectApplyment(outRequestNo, param, reason string) error {
	return s.withApplyment(outRequestNo, func(a *applyment) {
		a.rejected = []wire.AuditDetail{{ParamName: param, RejectReason: reason}}
	})
}

func (s *Sim) withApplyment(no string, f func(*applyment)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.applyments[no]
	if a == nil {
		return fail(http.StatusNotFound, channels.CodeResourceNotExist, "no application %s", no)
	}
	f(a)
	return nil
}

func maskName(name string) string {
	r := []rune(name)
	if len(r) == 0 {
		return ""
	}
	return "*" + string(r[len(r)-1:])
}

func maskTail(number string) string {
	if len(number) <= 4 {
		return number
	}
	return strings.Repeat("*", len(number)-4) + number[len(number)-4:]
}

// ---------------------------------------------------------------- bills

// billDay is the calendar day (China time) of a moment, as bills count days.
func billDay(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

func yuan(fen int64) string { return money.Amount(fen).String() }

func billLine(cells ...string) string {
	for i, c := range cells {
		cells[i] = "`" + c
	}
	return strings.Join(cells, ",")
}

func (s *Sim) billRequest(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	day, sub := q.Get("bill_date"), q.Get("sub_mchid")
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return 0, nil, paramError("bill_date", "YYYY-MM-DD")
	}
	var file string
	if r.URL.Path == wire.PathTradeBill {
		file = s.tradeBill(day, sub)
	} else {
		file = s.sharingBill(day, sub)
	}
	sum := sha1.Sum([]byte(file))
	token := s.nextID("BILL")
	s.bills[token] = []byte(file)
	return 0, wire.BillResponse{HashType: "SHA1", HashValue: hex.EncodeToString(sum[:]),
		DownloadURL: "http://" + r.Host + wire.PathBillDownload + "?token=" + token}, nil
}

func (s *Sim) tradeBill(day, sub string) string {
	lines := []string{wire.TradeBillHeader}
	var count, settled, refunded, total int64
	var subs []*subOrder
	for _, so := range s.byTx {
		if billDay(so.paidAt) == day && (sub == "" || so.wire.SubMchID == sub) {
			subs = append(subs, so)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].transactionID < subs[j].transactionID })
	for _, so := range subs {
		amt := so.wire.Amount.TotalAmount
		lines = append(
			lines,
			billLine(
				so.paidAt.Format("2006-01-02 15:04:05"),
				so.order.req.CombineAppID,
				so.wire.MchID,
				so.wire.SubMchID,
				so.transactionID,
				so.wire.OutTradeNo,
				"JSAPI",
				"SUCCESS",
				yuan(amt),
				"0",
				"0",
				"0.00",
				"",
				yuan(amt),
			),
		)
		count, settled, total = count+1, settled+amt, total+amt
	}
	var rfs []*refund
	for _, rf := range s.refundsByID {
		created, _ := time.Parse(time.RFC3339, rf.state.CreateTime)
		if billDay(created) == day && (sub == "" || rf.sub.wire.SubMchID == sub) {
			rfs = append(rfs, rf)
		}
	}
	sort.Slice(rfs, func(i, j int) bool { return rfs[i].state.RefundID < rfs[j].state.RefundID })
	for _, rf := range rfs {
		so := rf.sub
		lines = append(
			lines,
			billLine(
				rf.state.CreateTime[:10]+" "+rf.state.CreateTime[11:19],
				so.order.req.CombineAppID,
				so.wire.MchID,
				so.wire.SubMchID,
				so.transactionID,
				so.wire.OutTradeNo,
				"JSAPI",
				"REFUND",
				"0.00",
				rf.state.RefundID,
				rf.state.OutRefundNo,
				yuan(rf.state.Amount.Refund),
				rf.state.Status,
				yuan(so.wire.Amount.TotalAmount),
			),
		)
		count, refunded = count+1, refunded+rf.state.Amount.Refund
	}
	lines = append(
		lines,
		wire.TradeBillSummary,
		billLine(fmt.Sprint(count), yuan(settled), yuan(refunded), yuan(total)),
	)
	return strings.Join(lines, "\r\n") + "\r\n"
}

func (s *Sim) sharingBill(day, sub string) string {
	lines := []string{wire.SharingBillHeader}
	var shs []*sharing
	for _, sh := range s.sharings {
		if billDay(sh.created) == day && (sub == "" || sh.state.SubMchID == sub) &&
			sh.state.Status == channels.SharingFinished {
			shs = append(shs, sh)
		}
	}
	sort.Slice(shs, func(i, j int) bool { return shs[i].state.OrderID < shs[j].state.OrderID })
	for _, sh := range shs {
		for _, rc := range sh.state.Receivers {
			lines = append(
				lines,
				billLine(
					sh.created.Format("2006-01-02 15:04:05"),
					sh.state.SubMchID,
					sh.state.TransactionID,
					sh.state.OrderID,
					sh.state.OutOrderNo,
					"分账",
					rc.Type,
					rc.ReceiverAccount,
					yuan(rc.Amount),
					rc.Result,
				),
			)
		}
	}
	var rets []*returnOrder
	for _, ro := range s.returns {
		if ro.state.Result == channels.ReturnSuccess && (sub == "" || ro.state.SubMchID == sub) &&
			strings.HasPrefix(ro.state.FinishTime, day) {
			rets = append(rets, ro)
		}
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i].state.ReturnNo < rets[j].state.ReturnNo })
	for _, ro := range rets {
		lines = append(lines, billLine(
			ro.state.FinishTime[:10]+" "+ro.state.FinishTime[11:19],
			ro.state.SubMchID,
			"",
			ro.state.ReturnNo,
			ro.state.OutReturnNo,
			"回退",
			channels.ReceiverMerchant,
			ro.state.ReturnMchID,
			yuan(ro.state.Amount),
			ro.state.Result,
		))
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// serveBill answers a bill download: the request is signed, the answer is the raw file, not signed.
func (s *Sim) serveBill(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	file, ok := s.bills[r.URL.Query().Get("token")]
	s.mu.Unlock()
	if !ok {
		s.reply(w, 0, nil, fail(http.StatusNotFound, channels.CodeResourceNotExist, "no such bill"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(file)
}
