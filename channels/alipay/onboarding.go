package alipay

import (
	"context"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/smartwalle/alipay/v3"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
)

var _ channels.Onboarding = (*Client)(nil)

// merchantTypes maps the application's organisation type to Alipay's merchant type: a 小微 or 个人卖家 is a
// 个人商户 (certified by the ID card), a 个体户 a 个体工商户 and an 企业 an 企业 (both by the licence).
var merchantTypes = map[string]string{"2401": wire.MerchantPerson, "2500": wire.MerchantPerson,
	"4": wire.MerchantSoleTrader, "2": wire.MerchantEnterprise}

// SubmitApplyment is ant.merchant.expand.indirect.zft.create (证照进件). The out request number is the
// external_id, Alipay's key for the application: the same content under it answers the same order_id, and after a
// rejection the corrected content opens a new order under the same external_id. The shop settles to its Alipay
// account (alipay_logon_id, also the trades' defaultSettle target) and sells by website, wap and app, the scenes
// SplitPay's page, wap and app orders use.
func (c *Client) SubmitApplyment(ctx context.Context, a channels.Applyment) (channels.ApplicationID, error) {
	mt, ok := merchantTypes[a.OrganizationType]
	if !ok {
		return "", invalidRequest("organization_type", "Alipay takes 2401, 2500, 4 or 2")
	}
	req := wire.ZftCreate{ExternalID: a.OutRequestNo, MerchantType: mt, AliasName: a.MerchantShortname,
		CertImage: a.CertImage, LegalCertFrontImage: a.LegalCertFrontImage, LegalCertBackImage: a.LegalCertBackImage,
		MCC: a.MCC, Service: []string{wire.ServicePC, wire.ServiceWap, wire.ServiceApp},
		ContactInfos: []wire.ContactInfo{{Name: a.ContactName, Mobile: a.MobilePhone, Email: a.ContactEmail,
			IDCardNo: a.ContactIDNumber, Type: map[bool]string{true: "LEGAL_PERSON", false: "AGENT"}[a.ContactType == "65"]}},
		BindingAlipayLogonID: a.BindingLogonID, AlipayLogonID: a.SettleLogonID,
		DefaultSettleRule: &wire.DefaultSettleRule{DefaultSettleType: wire.SettleToAlipay,
			DefaultSettleTarget: a.SettleLogonID},
		Sites: []wire.SiteInfo{{SiteType: wire.SiteWebsite, SiteURL: a.StoreURL, SiteName: a.StoreName},
			{SiteType: wire.SiteApp, SiteName: a.StoreName}},
		ServicePhone: a.ServicePhone}
	if req.BindingAlipayLogonID == "" {
		req.BindingAlipayLogonID = a.SettleLogonID
	}
	if mt == wire.MerchantPerson {
		req.Name, req.CertType, req.CertNo = a.IDCardName, wire.CertIDCard, a.IDCardNumber
	} else {
		req.Name, req.CertType, req.CertNo = a.MerchantName, wire.CertLicence, a.BusinessLicenseNumber
		req.LegalName, req.LegalCertNo, req.LegalCertType = a.IDCardName, a.IDCardNumber, wire.CertIDCard
	}
	if mt == wire.MerchantSoleTrader {
		req.CertName = a.MerchantName
	}
	var out wire.ZftCreateResponse
	if err := c.call(ctx, wire.MethodZftCreate, req, nil, &out); err != nil {
		return "", withField(err, mt == wire.MerchantPerson)
	}
	return channels.ApplicationID(out.OrderID), nil
}

// QueryApplyment is zftorder.query by external_id: the newest order under it is the application's state.
func (c *Client) QueryApplyment(ctx context.Context, outRequestNo string) (channels.ApplymentState, error) {
	var out wire.ZftOrderQueryResponse
	if err := c.call(ctx, wire.MethodZftOrderQuery, wire.ZftOrderQuery{ExternalID: outRequestNo}, nil, &out); err != nil {
		return channels.ApplymentState{}, err
	}
	if len(out.Orders) == 0 {
		return channels.ApplymentState{}, &channels.BusinessError{Channel: channels.Alipay, Code: "ORDER_NOT_EXIST",
			Reason: channels.ReasonNotFound, Message: "no application under external_id " + outRequestNo}
	}
	orders := out.Orders
	sort.SliceStable(orders, func(i, j int) bool { return orders[i].ApplyTime < orders[j].ApplyTime })
	return applicationState(orders[len(orders)-1]), nil
}

// applicationState maps an order to the neutral states: 031 is in review, or waiting for the shop's
// confirmation (sub_confirm NOT_CONFIRM: NEED_SIGN); 99 with its smid is FINISH; -1 is REJECTED with each
// review's reason.
func applicationState(o wire.ZftSubMerchantOrder) channels.ApplymentState {
	st := channels.ApplymentState{ApplymentID: channels.ApplicationID(o.OrderID), OutRequestNo: o.ExternalID}
	switch {
	case o.Status == wire.OrderFinished && o.Smid != "":
		st.State, st.StateDesc, st.SubMchID = channels.ApplymentFinish, "已完结", o.Smid
	case o.Status == wire.OrderFailed:
		st.State, st.StateDesc = channels.ApplymentRejected, "失败"
		for _, r := range []struct{ verdict, memo string }{{o.FkAudit, o.FkAuditMemo}, {o.KzAudit, o.KzAuditMemo},
			{wire.ReviewReject, o.Reason}} {
			rj := channels.Rejection{Field: fieldNamed(r.memo, nil), Reason: r.memo}
			if r.verdict == wire.ReviewReject && r.memo != "" && !slices.Contains(st.AuditDetail, rj) {
				st.AuditDetail = append(st.AuditDetail, rj) // reason often repeats a review's memo
			}
		}
	case o.SubConfirm == wire.ConfirmNotConfirmed || o.SubConfirm == wire.ReviewCreate:
		st.State, st.StateDesc = channels.ApplymentNeedSign,
			"待商户确认: the shop confirms in the Alipay app, logged in as its binding Alipay account"
		st.SignURL = o.SubSignShortChainURL
	default:
		st.State, st.StateDesc = channels.ApplymentAuditing, "审核中"
	}
	return st
}

// UploadImage is ant.merchant.expand.indirect.image.upload: an image (jpg, jpeg, png, bmp; up to 10 MB) for the
// application's *_image fields.
func (c *Client) UploadImage(ctx context.Context, imageType, name string, image io.Reader) (string, error) {
	p := alipay.NewPayload(wire.MethodImageUpload)
	p.AddParam("image_type", imageType)
	p.AddObject("image_content", name, image)
	var out wire.ImageUploadResponse
	if err := c.api.Request(ctx, p, &out); err != nil {
		return "", classify(err)
	}
	if !out.OK() {
		return "", businessError(out.Status)
	}
	return out.ImageID, nil
}

// fieldPaths names, for each zft.create parameter a refusal may name, the application field the shop corrects.
var fieldPaths = map[string]string{
	"binding_alipay_logon_id": "alipay.binding_logon_id", "alipay_logon_id": "alipay.settle_logon_id",
	"legal_cert_front_image": "alipay.legal_cert_front_image", "legal_cert_back_image": "alipay.legal_cert_back_image",
	"cert_image": "alipay.cert_image", "mcc": "alipay.mcc", "legal_cert_no": "legal_person.number",
	"legal_name": "legal_person.name", "contact_infos": "contact", "alias_name": "short_name", "sites": "store.url",
	"service_phone": "alipay.service_phone",
}

// certFields are the application fields behind cert_no and name: the ID card for a 个人商户, else the licence.
var certFields = map[bool][2]string{true: {"legal_person.number", "legal_person.name"},
	false: {"business_license.number", "business_license.merchant_name"}}

// fieldNamed finds the parameter a refusal's text names (the longest match: legal_cert_no, not cert_no) and
// answers the application field to correct; "application" when it names none it can place.
func fieldNamed(text string, cert *[2]string) string {
	paths := fieldPaths
	if cert != nil {
		paths = maps.Clone(fieldPaths)
		paths["cert_no"], paths["name"] = cert[0], cert[1]
	}
	best := ""
	for param := range paths {
		if len(param) > len(best) && strings.Contains(text, param) {
			best = param
		}
	}
	if best == "" {
		return "application"
	}
	return paths[best]
}

// withField names the field of a refusal of the application (INVALID_PARAMETER and its kind).
func withField(err error, person bool) error {
	if be := asBusiness(err); be != nil && be.Reason == channels.ReasonInvalid && be.Field == "" {
		cert := certFields[person]
		be.Field = fieldNamed(be.Message, &cert)
	}
	return err
}
