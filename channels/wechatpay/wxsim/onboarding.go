package wxsim

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

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

func (s *Sim) submitApplyment(_ *Platform, _ *http.Request, body []byte) (int, any, *apiError) {
	var req wire.ApplymentRequest
	if e := decode(body, &req); e != nil {
		return 0, nil, e
	}
	if req.IDCardInfo == nil || req.AccountInfo == nil || req.ContactInfo == nil || req.SalesSceneInfo == nil {
		return 0, nil, paramError("id_card_info/account_info/contact_info/sales_scene_info", "required")
	}
	if e := s.decryptApplyment(&req); e != nil {
		return 0, nil, e
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

// decryptApplyment decrypts the sensitive fields, which must arrive encrypted with our public key.
func (s *Sim) decryptApplyment(req *wire.ApplymentRequest) *apiError {
	for field, ptr := range map[string]*string{
		"id_card_info.id_card_name":           &req.IDCardInfo.IDCardName,
		"id_card_info.id_card_number":         &req.IDCardInfo.IDCardNumber,
		"account_info.account_name":           &req.AccountInfo.AccountName,
		"account_info.account_number":         &req.AccountInfo.AccountNumber,
		"contact_info.contact_name":           &req.ContactInfo.ContactName,
		"contact_info.mobile_phone":           &req.ContactInfo.MobilePhone,
		"contact_info.contact_id_card_number": &req.ContactInfo.ContactIDCardNumber,
		"contact_info.contact_email":          &req.ContactInfo.ContactEmail,
	} {
		if *ptr == "" {
			continue
		}
		plain, err := s.decryptField(*ptr)
		if err != nil {
			return paramError(field, "cannot decrypt: encrypt it with the WeChat Pay public key")
		}
		*ptr = plain
	}
	return nil
}

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
			a.subMchID = fmt.Sprintf("16%06d%04d", s.kit.Instance(), s.seq%10000) // unique across simulators sharing a ledger
		}
		st.SubMchID = a.subMchID
		if !a.signed {
			st.ApplymentState, st.ApplymentStateDesc, st.SignState = channels.ApplymentNeedSign, "待签约", "UNSIGNED"
			st.SignURL = "https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=" + fmt.Sprint(a.id) + "&sign=1"
		} else {
			st.ApplymentState, st.ApplymentStateDesc, st.SignState = channels.ApplymentFinish, "完成", "SIGNED"
			if !a.accountOpened {
				a.accountOpened = true
				m := &subMerchant{id: a.subMchID}
				if ai := a.req.AccountInfo; ai != nil { // withdrawals go to the account the application gave
					typ := wire.AccountTypeBusiness // the applyment's "74" (对公); "75" is a person's card
					if ai.BankAccountType == "75" {
						typ = wire.AccountTypePrivate
					}
					m.settlement = &settlementAccount{typ: typ, bank: ai.AccountBank,
						number: ai.AccountNumber, name: ai.AccountName, since: s.now()}
				}
				s.subs[a.subMchID] = m
			}
		}
	}
	return st
}

func (s *Sim) queryApplyment(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	a := s.applyments[strings.TrimPrefix(r.URL.Path, wire.PathApplymentByOut)]
	if a == nil {
		return 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no such application")
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
		return fail(http.StatusNotFound, wire.CodeResourceNotExist, "no application %s", no)
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
