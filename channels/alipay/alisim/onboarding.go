package alisim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/splitpay/splitpay/channels/alipay/wire"
)

// Audit is how alisim plays Alipay's review of applications (二级商户进件).
type Audit struct {
	Time        time.Duration // from submission to the reviews' verdict, on the simulator's clock (default 1 minute)
	AutoConfirm bool          // the shop confirms at once; otherwise it waits in sub_confirm NOT_CONFIRM for Confirm
}

// application is one order (申请单) under an external_id; a rejected one is followed by a new order.
type application struct {
	req        wire.ZftCreate
	content    []byte
	orderID    string
	applied    time.Time
	status     string
	verdict    string // the review's: PASS, or REJECT with reason
	reason     string
	subConfirm string
	smid       string
	rejectWith string // a rejection planned by the test or operator for when the review ends
}

var (
	idNumberRe   = regexp.MustCompile(`^\d{17}[\dXx]$`)
	creditCodeRe = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)
	mobileRe     = regexp.MustCompile(`^1\d{10}$`)
	mccRe        = regexp.MustCompile(`^(\d{4}|[A-Z]\d{4}_[A-Z]\d{4})$`)
	certTypes    = map[string]string{"01": wire.CertLicence, "02": "218", "03": "204", "04": "206", "05": "219",
		wire.MerchantPerson: wire.CertIDCard, wire.MerchantSoleTrader: wire.CertLicence}
	services = []string{wire.ServiceFaceToFace, wire.ServiceJSAPI, wire.ServiceApp, wire.ServiceWap, wire.ServicePC,
		wire.ServicePreAuth, wire.ServiceWithhold, wire.ServiceMiniApp, wire.ServiceOrderCode}
)

// zftCreate is zft.create: the same content under an external_id in review answers the same order; other content
// is refused until the review ends; after a rejection the content opens a new order; after a finish, none.
func (s *Sim) zftCreate(biz []byte, _ url.Values) (any, *failure) {
	req, f := readApplication(biz)
	if f != nil {
		return nil, f
	}
	content, _ := json.Marshal(req)
	if orders := s.applications[req.ExternalID]; len(orders) > 0 {
		last := orders[len(orders)-1]
		switch {
		case last.status == wire.OrderFinished:
			return nil, fail(wire.SubExpandMerchantExists, "external_id %s 已进件成功 (smid %s)", req.ExternalID, last.smid)
		case last.status == wire.OrderAuditing && string(last.content) == string(content):
			return wire.ZftCreateResponse{Status: success, OrderID: last.orderID}, nil
		case last.status == wire.OrderAuditing:
			return nil, fail(wire.SubExpandInReview, "external_id %s 的申请单 %s 审核中", req.ExternalID, last.orderID)
		}
	}
	a := &application{req: req, content: content, orderID: s.nextNo("ZFT"), applied: s.now(),
		status: wire.OrderAuditing}
	s.applications[req.ExternalID] = append(s.applications[req.ExternalID], a)
	s.orders[a.orderID] = a
	time.AfterFunc(s.audit.Time+10*time.Millisecond, s.tickAudits) // the verdict comes without being asked
	return wire.ZftCreateResponse{Status: success, OrderID: a.orderID}, nil
}

// zftConsult is zft.consult: the same checks as create, and whether the account and risk reviews are manual.
func (s *Sim) zftConsult(biz []byte, _ url.Values) (any, *failure) {
	req, f := readApplication(biz)
	if f != nil {
		return nil, f
	}
	return wire.ZftConsultResponse{Status: success, OrderID: s.nextNo("ZFC"), AccountAudit: len(req.BizCards) > 0}, nil
}

// readApplication decodes zft.create's (or consult's) biz_content and checks it.
func readApplication(biz []byte) (wire.ZftCreate, *failure) {
	var req wire.ZftCreate
	if f := decode(biz, &req); f != nil {
		return req, f
	}
	return req, checkApplication(req)
}

// checkApplication enforces zft.create's documented rules; each refusal names the parameter first.
func checkApplication(r wire.ZftCreate) *failure {
	person := r.MerchantType == wire.MerchantPerson
	bad := func(param, why string) *failure { return fail(wire.SubExpandInvalid, "%s: %s", param, why) }
	switch {
	case r.ExternalID == "" || len(r.ExternalID) > 64:
		return bad("external_id", "1 to 64 characters")
	case certTypes[r.MerchantType] == "":
		return bad("merchant_type", "01 to 07")
	case r.CertType != certTypes[r.MerchantType]:
		return bad("cert_type", "merchant_type "+r.MerchantType+" is certified by "+certTypes[r.MerchantType])
	case r.CertType == wire.CertIDCard && !idNumberRe.MatchString(r.CertNo),
		r.CertType == wire.CertLicence && !creditCodeRe.MatchString(r.CertNo):
		return bad("cert_no", "证件号码格式错误")
	case r.MerchantType == wire.MerchantSoleTrader && r.CertName == "":
		return bad("cert_name", "个体工商户 needs the licence's name")
	case r.Name == "" || r.AliasName == "":
		return bad(map[bool]string{true: "name", false: "alias_name"}[r.Name == ""], "required")
	case !mccRe.MatchString(r.MCC):
		return bad("mcc", "a merchant category code")
	case len(r.Service) == 0:
		return bad("service", "at least one")
	case r.CertImage == "":
		return bad("cert_image", "required")
	case !person && (r.LegalName == "" || !idNumberRe.MatchString(r.LegalCertNo)):
		return bad("legal_cert_no", "the legal person's name and ID number are required")
	case !person && (r.LegalCertFrontImage == "" || r.LegalCertBackImage == ""):
		return bad("legal_cert_front_image", "both sides of the legal person's ID card")
	case r.BindingAlipayLogonID == "":
		return bad("binding_alipay_logon_id", "the real-name Alipay account that confirms the agreement")
	}
	return first(checkContacts(r.ContactInfos), checkSettlement(r, person), checkServices(r))
}

func checkContacts(cs []wire.ContactInfo) *failure {
	if len(cs) == 0 {
		return fail(wire.SubExpandInvalid, "contact_infos: at least one")
	}
	for _, c := range cs {
		if c.Name == "" || !mobileRe.MatchString(c.Mobile) {
			return fail(wire.SubExpandInvalid, "contact_infos: a name and an 11-digit mobile each")
		}
	}
	return nil
}

func checkSettlement(r wire.ZftCreate, person bool) *failure {
	switch {
	case r.AlipayLogonID == "" && len(r.BizCards) == 0:
		return fail(wire.SubExpandInvalid, "alipay_logon_id: an Alipay account or a bank card (biz_cards) to settle to")
	case len(r.BizCards) > 1:
		return fail(wire.SubExpandInvalid, "biz_cards: one card only")
	case person && len(r.BizCards) > 0:
		return fail(wire.SubExpandInvalid, "biz_cards: a 个人商户 cannot settle to a bank card")
	case r.DefaultSettleRule != nil && (r.DefaultSettleRule.DefaultSettleTarget == "" ||
		(r.DefaultSettleRule.DefaultSettleType != wire.SettleToAlipay &&
			r.DefaultSettleRule.DefaultSettleType != wire.SettleToCard)):
		return fail(wire.SubExpandInvalid, "default_settle_rule: alipayAccount or bankCard, with a target")
	}
	return nil
}

// checkServices: each service is one Alipay knows, and brings the fields it needs.
func checkServices(r wire.ZftCreate) *failure {
	site := func(kind string, ok func(wire.SiteInfo) bool) bool {
		return slices.ContainsFunc(r.Sites, func(s wire.SiteInfo) bool { return s.SiteType == kind && ok(s) })
	}
	for _, svc := range r.Service {
		switch {
		case !slices.Contains(services, svc):
			return fail(wire.SubExpandInvalid, "service: unknown %q", svc)
		case (svc == wire.ServicePC || svc == wire.ServiceWap) &&
			!site(wire.SiteWebsite, func(s wire.SiteInfo) bool { return s.SiteURL != "" }):
			return fail(wire.SubExpandInvalid, "sites: %s needs a website (site_type 01) with its site_url", svc)
		case svc == wire.ServiceApp && !site(wire.SiteApp, func(s wire.SiteInfo) bool { return s.SiteName != "" }):
			return fail(wire.SubExpandInvalid, "sites: app支付 needs an app (site_type 02) with its site_name")
		case svc == wire.ServiceMiniApp && !site(wire.SiteMiniApp, func(s wire.SiteInfo) bool { return s.TinyAppID != "" }):
			return fail(wire.SubExpandInvalid, "sites: 小程序支付 needs a mini-app (site_type 06) with its tiny_app_id")
		case svc == wire.ServiceFaceToFace && r.BusinessAddress == nil:
			return fail(wire.SubExpandInvalid, "business_address: required for 当面付")
		}
	}
	return nil
}

func first(fs ...*failure) *failure {
	for _, f := range fs {
		if f != nil {
			return f
		}
	}
	return nil
}

// zftOrderQuery is zftorder.query: by order_id, or every order under an external_id, oldest first.
func (s *Sim) zftOrderQuery(biz []byte, _ url.Values) (any, *failure) {
	var q wire.ZftOrderQuery
	if f := decode(biz, &q); f != nil {
		return nil, f
	}
	s.settleAudits()
	var found []*application
	switch {
	case q.OrderID != "":
		if a := s.orders[q.OrderID]; a != nil {
			found = []*application{a}
		}
	case q.ExternalID != "":
		found = s.applications[q.ExternalID]
	default:
		return nil, fail(wire.SubExpandInvalid, "order_id or external_id: one is required")
	}
	if len(found) == 0 {
		return nil, fail(wire.SubExpandOrderNotExist, "申请单不存在")
	}
	out := wire.ZftOrderQueryResponse{Status: success}
	for _, a := range found {
		out.Orders = append(out.Orders, a.order())
	}
	return out, nil
}

func (a *application) order() wire.ZftSubMerchantOrder {
	o := wire.ZftSubMerchantOrder{OrderID: a.orderID, ExternalID: a.req.ExternalID, MerchantName: a.req.Name,
		ApplyType: "ZHIFUTONG_CREATE", ApplyTime: a.applied.Format(timeLayout), Status: a.status, Smid: a.smid,
		FkAudit: wire.ReviewCreate, KzAudit: wire.ReviewCreate, SubConfirm: a.subConfirm}
	switch a.verdict {
	case wire.ReviewPass:
		o.FkAudit, o.KzAudit = wire.ReviewPass, wire.ReviewPass
	case wire.ReviewReject:
		o.FkAudit, o.KzAudit, o.KzAuditMemo, o.Reason = wire.ReviewPass, wire.ReviewReject, a.reason, a.reason
	}
	return o
}

// settleAudits ends every review whose time has come (callers hold s.mu): a planned rejection fails the order;
// otherwise the reviews pass and the shop confirms (at once with AutoConfirm), which finishes it with its smid.
// Each verdict is notified to the app gateway.
func (s *Sim) settleAudits() {
	for _, orders := range s.applications {
		a := orders[len(orders)-1]
		if a.status != wire.OrderAuditing || a.verdict != "" || s.now().Before(a.applied.Add(s.audit.Time)) {
			continue
		}
		if a.rejectWith != "" {
			a.verdict, a.reason, a.status = wire.ReviewReject, a.rejectWith, wire.OrderFailed
			s.auditNotify(a)
			continue
		}
		a.verdict, a.subConfirm = wire.ReviewPass, wire.ConfirmNotConfirmed
		if s.audit.AutoConfirm {
			s.finishApplication(a)
		}
	}
}

// finishApplication opens the sub-merchant the shop confirmed.
func (s *Sim) finishApplication(a *application) {
	s.seq++
	a.status, a.subConfirm = wire.OrderFinished, wire.ConfirmFinished
	a.smid = fmt.Sprintf("2088%06d%06d", s.Instance(), s.seq%1_000_000)
	if s.merchants[a.smid] == nil {
		s.merchants[a.smid] = &account{}
	}
	s.auditNotify(a)
}

func (s *Sim) tickAudits() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAudits()
}

// auditNotify posts zft.passed or zft.rejected to the app gateway (msgapi), signed as trade notifications are.
func (s *Sim) auditNotify(a *application) {
	method, biz := wire.MsgZftPassed, wire.ZftAudited{OrderID: a.orderID, ExternalID: a.req.ExternalID, Smid: a.smid,
		Memo: "审核通过"}
	if a.status == wire.OrderFailed {
		method, biz = wire.MsgZftRejected, wire.ZftAudited{OrderID: a.orderID, ExternalID: a.req.ExternalID,
			Reason: a.reason}
	}
	content, _ := json.Marshal(biz)
	f := url.Values{}
	for k, v := range map[string]string{"notify_id": s.nextNo("MSG"), "msg_method": method, "app_id": s.AppID,
		"msg_app_id": s.AppID, "msg_type": "sys", "msg_uid": s.platform, "version": "1.1", "charset": "utf-8",
		"sign_type": "RSA2", "biz_content": string(content),
		"utc_timestamp": strconv.FormatInt(s.now().UnixMilli(), 10)} {
		if v != "" {
			f.Set(k, v)
		}
	}
	s.signForm(f)
	s.notify(s.appGateway, f)
}

// SetAudit sets how reviews are played from now on.
func (s *Sim) SetAudit(a Audit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Time <= 0 {
		a.Time = time.Minute
	}
	s.audit = a
}

// SetAppGateway names the app's gateway URL (应用网关), where Alipay posts msgapi messages such as audit results.
func (s *Sim) SetAppGateway(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appGateway = u
}

// RejectApplication plans the rejection of the external_id's order in review, with the reviewer's reason; it
// takes effect when the review ends (at once if its time has passed).
func (s *Sim) RejectApplication(externalID, reason string) error {
	return s.withApplication(externalID, func(a *application) error {
		if a.status != wire.OrderAuditing || a.verdict != "" {
			return fmt.Errorf("application %s is %s: only one in review can be rejected", externalID, a.status)
		}
		a.rejectWith = reason
		return nil
	})
}

// ConfirmApplication is the shop confirming the agreement in the Alipay app after the reviews passed.
func (s *Sim) ConfirmApplication(externalID string) error {
	return s.withApplication(externalID, func(a *application) error {
		if a.subConfirm != wire.ConfirmNotConfirmed {
			return fmt.Errorf("application %s is not waiting for the shop's confirmation", externalID)
		}
		s.finishApplication(a)
		return nil
	})
}

// Application is the newest order under externalID as zftorder.query reports it.
func (s *Sim) Application(externalID string) (wire.ZftSubMerchantOrder, error) {
	var o wire.ZftSubMerchantOrder
	err := s.withApplication(externalID, func(a *application) error { o = a.order(); return nil })
	return o, err
}

func (s *Sim) withApplication(externalID string, f func(*application) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAudits()
	orders := s.applications[externalID]
	if len(orders) == 0 {
		return fmt.Errorf("no application under external_id %s", externalID)
	}
	err := f(orders[len(orders)-1])
	s.settleAudits()
	return err
}

// imageUpload is image.upload: image_type names the format (jpg, jpeg, png, bmp, gif), image_content is the
// file (10 MB at most); the answer is the id the application names.
func (s *Sim) imageUpload(_ []byte, form url.Values) (any, *failure) {
	content := form.Get(uploadField)
	switch kind := form.Get("image_type"); {
	case !slices.Contains([]string{"jpg", "jpeg", "png", "bmp", "gif"}, kind):
		return nil, fail(wire.SubImageInvalid, "image_type: jpg, jpeg, png, bmp or gif")
	case content == "" || len(content) > 10<<20:
		return nil, fail(wire.SubImageInvalid, "image_content: an image of 1 byte to 10 MB")
	}
	id := s.nextNo("IMG")
	return wire.ImageUploadResponse{Status: success, ImageID: id}, nil
}
