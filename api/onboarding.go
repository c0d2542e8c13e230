package api

import (
	"log/slog"

	"github.com/splitpay/splitpay/workflows"
)

// OnboardingRequest is the body of POST /v1/onboardings and of …/corrections: the public JSON schema of an
// application, with the API's text limits. It is kept apart from workflows.Application (whose JSON is the form
// saved in Temporal's histories) so that either can change without the other; the fields match one to one.
type OnboardingRequest struct {
	Channels         []string           `json:"channels,omitempty"` // default ["wechatpay"]
	OutRequestNo     string             `json:"out_request_no"`
	MerchantID       string             `json:"merchant_id"`
	DisplayName      string             `json:"display_name"               maxlen:"128"`
	OrganizationType string             `json:"organization_type"`
	BusinessLicense  *LicenseRequest    `json:"business_license,omitempty"`
	LegalPerson      IDCardRequest      `json:"legal_person"`
	BankAccount      BankAccountRequest `json:"bank_account"`
	Contact          ContactRequest     `json:"contact"`
	Store            StoreRequest       `json:"store"`
	ShortName        string             `json:"short_name"                 maxlen:"64"`
	Alipay           *AlipayRequest     `json:"alipay,omitempty"`
}

// AlipayRequest is what only Alipay needs.
type AlipayRequest struct {
	MCC                 string `json:"mcc"`
	SettleLogonID       string `json:"settle_logon_id"            maxlen:"100"`
	BindingLogonID      string `json:"binding_logon_id,omitempty" maxlen:"100"`
	ServicePhone        string `json:"service_phone,omitempty"`
	CertImage           string `json:"cert_image"                 maxlen:"128"`
	LegalCertFrontImage string `json:"legal_cert_front_image,omitempty" maxlen:"128"`
	LegalCertBackImage  string `json:"legal_cert_back_image,omitempty"  maxlen:"128"`
}

type LicenseRequest struct {
	CopyMediaID  string `json:"copy_media_id"`
	Number       string `json:"number"`
	MerchantName string `json:"merchant_name" maxlen:"128"`
	LegalPerson  string `json:"legal_person"  maxlen:"64"`
}

type IDCardRequest struct {
	CopyMediaID     string `json:"copy_media_id"`
	NationalMediaID string `json:"national_media_id"`
	Name            string `json:"name"              maxlen:"64"`
	Number          string `json:"number"`
	ValidFrom       string `json:"valid_from"`
	ValidUntil      string `json:"valid_until"`
}

type BankAccountRequest struct {
	Type        string `json:"type"`
	Bank        string `json:"bank"         maxlen:"128"`
	Name        string `json:"name"         maxlen:"128"`
	Number      string `json:"number"`
	AddressCode string `json:"address_code"`
}

type ContactRequest struct {
	Type     string `json:"type"`
	Name     string `json:"name"                maxlen:"64"`
	IDNumber string `json:"id_number,omitempty"`
	Mobile   string `json:"mobile"`
	Email    string `json:"email"`
}

type StoreRequest struct {
	Name string `json:"name"          maxlen:"128"`
	URL  string `json:"url,omitempty" maxlen:"512"`
}

// application is the workflow's form of the request (Go converts between structs whose fields match).
func (r OnboardingRequest) application() workflows.Application {
	app := workflows.Application{
		OutRequestNo:     r.OutRequestNo,
		MerchantID:       r.MerchantID,
		DisplayName:      r.DisplayName,
		OrganizationType: r.OrganizationType,
		LegalPerson:      workflows.IDCard(r.LegalPerson),
		BankAccount:      workflows.BankAccount(r.BankAccount),
		Contact:          workflows.Contact(r.Contact),
		Store:            workflows.Store(r.Store),
		ShortName:        r.ShortName,
	}
	if r.BusinessLicense != nil {
		l := workflows.BusinessLicense(*r.BusinessLicense)
		app.BusinessLicense = &l
	}
	if r.Alipay != nil {
		p := workflows.AlipayProfile(*r.Alipay)
		app.Alipay = &p
	}
	return app
}

// LogValue keeps the applicant's personal data out of logs (slog.LogValuer): only the masked application (Application.String).
func (r OnboardingRequest) LogValue() slog.Value { return slog.StringValue(r.application().String()) }
