package wxsim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// settlementAccount is the bank account a sub-merchant's withdrawals go to.
type settlementAccount struct {
	typ, bank, bankName, branch string
	number, name                string // in clear: the simulator is the channel
	since                       time.Time
}

// settlementApplication is a change of account under audit (受理模式): AUDITING for applymentAuditTime on the
// simulated clock, then AUDIT_SUCCESS, when the new account comes into force.
type settlementApplication struct {
	no, subMchID string
	account      settlementAccount
	submitted    time.Time
	done         bool
}

// settlementChangesPerDay is how many changes a sub-merchant may submit a day (每天仅能提交5次).
const settlementChangesPerDay = 5

var bankAccountRe = regexp.MustCompile(`^\d{8,30}$`)

// settlementRoute answers the three settlement-account APIs under /v3/apply4sub/sub_merchants/.
func (s *Sim) settlementRoute(r *http.Request) (handler, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, wire.PathSubMerchants)
	if !ok {
		return nil, false
	}
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "settlement":
		return s.querySettlement, true
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "modify-settlement":
		return s.modifySettlement, true
	case r.Method == http.MethodGet && len(parts) == 3 && parts[1] == "application":
		return s.querySettlementApplication, true
	}
	return nil, false
}

// settlementOf is the sub-merchant's account in force, after applying any change whose audit has passed.
func (s *Sim) settlementOf(m *subMerchant) settlementAccount {
	for _, a := range s.settlementApps {
		if a.subMchID == m.id && !a.done && !s.now().Before(a.submitted.Add(applymentAuditTime)) {
			a.done = true
			a.account.since = a.submitted.Add(applymentAuditTime)
			m.settlement = &a.account
		}
	}
	if m.settlement == nil { // opened before any account was given: a deterministic one per sub-merchant
		m.settlement = &settlementAccount{typ: wire.AccountTypeBusiness, bank: "工商银行",
			number: "62220200" + fmt.Sprintf("%010s", m.id), name: "商户" + m.id}
	}
	return *m.settlement
}

func (s *Sim) querySettlement(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	m, e := s.subFromPath(r)
	if e != nil {
		return 0, nil, e
	}
	rule := r.URL.Query().Get("account_number_rule")
	if rule != "" && rule != wire.AccountNumberMaskV1 && rule != wire.AccountNumberMaskV2 {
		return 0, nil, paramError("account_number_rule", "ACCOUNT_NUMBER_RULE_MASK_V1 or _V2")
	}
	a := s.settlementOf(m)
	verify := wire.VerifySuccess
	if s.now().Sub(a.since) < applymentCheckTime { // the 0.01-yuan check payment is on its way
		verify = wire.Verifying
	}
	return 0, a.wire(rule, verify), nil
}

// wire is the account as the APIs answer it, its number masked by rule.
func (a settlementAccount) wire(rule, verify string) wire.SettlementAccount {
	return wire.SettlementAccount{AccountType: a.typ, AccountBank: a.bank, BankName: a.bankName,
		BankBranchID: a.branch, AccountNumber: maskAccount(a.number, rule), VerifyResult: verify}
}

func (s *Sim) modifySettlement(_ *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	m, e := s.subFromPath(r)
	if e != nil {
		return 0, nil, e
	}
	var req wire.ModifySettlementRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	if e := s.checkSettlementChange(m, &req); e != nil {
		return 0, nil, e
	}
	s.seq++
	a := &settlementApplication{no: fmt.Sprintf("1023%012d", s.seq), subMchID: m.id, submitted: s.now(),
		account: settlementAccount{typ: req.AccountType, bank: req.AccountBank, bankName: req.BankName,
			branch: req.BankBranchID, number: req.AccountNumber, name: req.AccountName}}
	if a.account.name == "" {
		a.account.name = s.settlementOf(m).name
	}
	s.settlementApps = append(s.settlementApps, a)
	return 0, wire.ModifySettlementResponse{ApplicationNo: a.no}, nil
}

// checkSettlementChange validates a change, decrypting its account number and name in place.
func (s *Sim) checkSettlementChange(m *subMerchant, req *wire.ModifySettlementRequest) *apiError {
	switch {
	case req.ModifyMode != "" && req.ModifyMode != wire.ModifyModeAsync:
		return paramError("modify_mode", "MODIFY_MODE_ASYNC")
	case req.AccountType != wire.AccountTypeBusiness && req.AccountType != wire.AccountTypePrivate:
		return paramError("account_type", "ACCOUNT_TYPE_BUSINESS or ACCOUNT_TYPE_PRIVATE")
	case req.AccountBank == "" || len(req.AccountBank) > 128:
		return paramError("account_bank", "required, at most 128 bytes")
	case req.AccountBank == "其他银行" && req.BankName == "" && req.BankBranchID == "":
		return paramError("bank_name", "bank_name or bank_branch_id is required for 其他银行")
	}
	for field, ptr := range map[string]*string{"account_number": &req.AccountNumber, "account_name": &req.AccountName} {
		if *ptr == "" {
			continue
		}
		plain, err := s.decryptField(*ptr)
		if err != nil {
			return paramError(field, "cannot decrypt: encrypt it with the WeChat Pay public key")
		}
		*ptr = plain
	}
	if !bankAccountRe.MatchString(req.AccountNumber) {
		return paramError("account_number", "a bank account number of 8 to 30 digits")
	}
	today, n := s.now().Truncate(24*time.Hour), 0
	for _, a := range s.settlementApps {
		if a.subMchID != m.id {
			continue
		}
		if !a.done && !s.now().Before(a.submitted.Add(applymentAuditTime)) {
			s.settlementOf(m)
		}
		if !a.done {
			return fail(http.StatusBadRequest, "INVALID_REQUEST", "a change of settlement account is under audit (%s)", a.no)
		}
		if !a.submitted.Before(today) {
			n++
		}
	}
	if n >= settlementChangesPerDay {
		return fail(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "at most %d changes a day", settlementChangesPerDay)
	}
	return nil
}

func (s *Sim) querySettlementApplication(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	m, e := s.subFromPath(r)
	if e != nil {
		return 0, nil, e
	}
	no := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	s.settlementOf(m)
	for _, a := range s.settlementApps {
		if a.no != no || a.subMchID != m.id {
			continue
		}
		out := wire.SettlementApplication{AccountName: maskName(a.account.name),
			SettlementAccount: a.account.wire(r.URL.Query().Get("account_number_rule"), wire.Auditing)}
		if a.done {
			out.VerifyResult, out.VerifyFinishTime = wire.AuditSuccess, a.account.since.Format(time.RFC3339)
		}
		return 0, out, nil
	}
	return 0, nil, fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "no application %s for %s", no, m.id)
}

// subFromPath is the sub-merchant the path names: one of ours (NO_AUTH otherwise, as for a stranger's).
func (s *Sim) subFromPath(r *http.Request) (*subMerchant, *apiError) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, wire.PathSubMerchants), "/")
	m := s.subs[id]
	if m == nil {
		return nil, fail(http.StatusForbidden, "NO_AUTH", "%s is not a sub-merchant this platform onboarded", id)
	}
	return m, nil
}

// maskAccount masks a bank account number: MASK_V1 (the default) keeps the first 2 and last 2 digits, MASK_V2 the
// first 6 and last 4.
func maskAccount(number, rule string) string {
	head, tail := 2, 2
	if rule == wire.AccountNumberMaskV2 {
		head, tail = 6, 4
	}
	if len(number) <= head+tail {
		return strings.Repeat("*", len(number))
	}
	return number[:head] + strings.Repeat("*", len(number)-head-tail) + number[len(number)-tail:]
}

// ChangeSettlementAccount changes a sub-merchant's account at once, as a shop would in the merchant platform
// itself (not through the platform's API): withdrawals go there from now on.
func (s *Sim) ChangeSettlementAccount(subMchID, number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.subs[subMchID]; m != nil {
		a := s.settlementOf(m)
		a.number, a.since = number, s.now()
		m.settlement = &a
	}
}
