package workflows

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/mask"
)

// Organisation types the channel knows (organization_type).
const (
	OrgMicro       = "2401" // 小微商户: a person without a licence
	OrgIndividual  = "2500" // 个人卖家
	OrgSoleTrader  = "4"    // 个体工商户
	OrgEnterprise  = "2"    // 企业
	AccountCompany = "74"   // 对公
	AccountPerson  = "75"   // 对私
	ContactLegal   = "65"   // the legal person is the contact
	ContactAgent   = "66"   // someone else is
)

// Application is a shop's onboarding application. Personal fields (names, ID numbers, bank account, phone,
// e-mail) travel only in sealed payloads (internal/codec) and to the channel encrypted with its public key;
// views and logs carry Masked().
type Application struct {
	OutRequestNo     string           `json:"out_request_no"`
	MerchantID       string           `json:"merchant_id"` // SplitPay's id of the shop-to-be
	DisplayName      string           `json:"display_name"`
	OrganizationType string           `json:"organization_type"`
	BusinessLicense  *BusinessLicense `json:"business_license,omitempty"` // required unless 2401 / 2500
	LegalPerson      IDCard           `json:"legal_person"`
	BankAccount      BankAccount      `json:"bank_account"`
	Contact          Contact          `json:"contact"`
	Store            Store            `json:"store"`
	ShortName        string           `json:"short_name"`
	Alipay           *AlipayProfile   `json:"alipay,omitempty"` // required to onboard on Alipay
}

// AlipayProfile is what only Alipay's 直付通 onboarding needs: the shop's merchant category, the Alipay account it
// settles to (and confirms the agreement with), and the images uploaded to Alipay (image.upload).
type AlipayProfile struct {
	MCC                 string `json:"mcc"`                        // e.g. 5499, or A0001_B0199
	SettleLogonID       string `json:"settle_logon_id"`            // personal: the account's e-mail or mobile
	BindingLogonID      string `json:"binding_logon_id,omitempty"` // personal; the settlement account when empty
	ServicePhone        string `json:"service_phone,omitempty"`
	CertImage           string `json:"cert_image"` // the licence, or a person's ID card (portrait side)
	LegalCertFrontImage string `json:"legal_cert_front_image,omitempty"`
	LegalCertBackImage  string `json:"legal_cert_back_image,omitempty"`
}

type BusinessLicense struct {
	CopyMediaID  string `json:"copy_media_id"`
	Number       string `json:"number"` // 18-character unified social credit code
	MerchantName string `json:"merchant_name"`
	LegalPerson  string `json:"legal_person"`
}

type IDCard struct {
	CopyMediaID     string `json:"copy_media_id"`     // portrait side
	NationalMediaID string `json:"national_media_id"` // emblem side
	Name            string `json:"name"`
	Number          string `json:"number"`
	ValidFrom       string `json:"valid_from"`  // 2006-01-02
	ValidUntil      string `json:"valid_until"` // 2006-01-02 or 长期
}

type BankAccount struct {
	Type        string `json:"type"` // 74 对公 | 75 对私
	Bank        string `json:"bank"`
	Name        string `json:"name"`
	Number      string `json:"number"`
	AddressCode string `json:"address_code"` // 6-digit region code
}

type Contact struct {
	Type     string `json:"type"` // 65 legal person | 66 agent
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"` // required for an agent
	Mobile   string `json:"mobile"`
	Email    string `json:"email"`
}

type Store struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// ValidIDNumber checks an 18-character mainland ID number: digits, a real birth date, and the GB 11643
// check character.
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return false
	}
	return "10X98765432"[sum%11] == s[17] || (s[17] == 'x' && sum%11 == 2)
}

// ValidateFor checks the application field by field for the channels it is sent to, naming the first bad field by
// its JSON path. The fields every channel reads are checked always; a channel's own only when it is asked for:
// WeChat Pay's media ids and bank account, Alipay's profile and the store's website.
func (a Application) ValidateFor(chans ...string) error {
	if len(chans) == 0 {
		return &InputError{"channels", "at least one of " + strings.Join(channels.Names, ", ")}
	}
	errs := []error{a.validateIdentity(), a.validateLicense(), a.validateLegalPerson(), a.validateContact()}
	for i, ch := range chans {
		switch ch {
		case channels.WeChatPay:
			errs = append(errs, a.validateWeChatMedia(), a.validateBankAccount())
		case channels.Alipay:
			errs = append(errs, a.validateAlipay())
		default:
			errs = append(errs, &InputError{fmt.Sprintf("channels[%d]", i), "one of " + strings.Join(channels.Names, ", ")})
		}
		if slices.Contains(chans[:i], ch) {
			errs = append(errs, &InputError{fmt.Sprintf("channels[%d]", i), ch + " is named twice"})
		}
	}
	return first(errs...)
}

// need refuses an empty value of a required field.
func need(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return &InputError{field, "required"}
	}
	return nil
}

func (a Application) licensed() bool {
	return a.OrganizationType == OrgSoleTrader || a.OrganizationType == OrgEnterprise
}

func (a Application) validateIdentity() error {
	switch {
	case !outReqRe.MatchString(a.OutRequestNo):
		return &InputError{"out_request_no", "6 to 32 letters and digits"}
	case !ValidKey(a.MerchantID, 1, 32):
		return &InputError{"merchant_id", "1 to 32 characters of A-Z, a-z, 0-9, _ and -"}
	case a.OrganizationType != OrgMicro && a.OrganizationType != OrgIndividual && !a.licensed():
		return &InputError{"organization_type", "one of 2401 (小微), 2500 (个人卖家), 4 (个体户), 2 (企业)"}
	case a.licensed() && a.BusinessLicense == nil:
		return &InputError{"business_license", "required for organization type " + a.OrganizationType}
	case !a.licensed() && a.BusinessLicense != nil:
		return &InputError{"business_license", "not taken for organization type " + a.OrganizationType}
	}
	return nil
}

func (a Application) validateLicense() error {
	l := a.BusinessLicense
	switch {
	case l == nil:
		return nil
	case !creditCodeRe.MatchString(l.Number):
		return &InputError{"business_license.number", "an 18-character unified social credit code"}
	}
	return first(need("business_license.merchant_name", l.MerchantName),
		need("business_license.legal_person", l.LegalPerson))
}

func (a Application) validateLegalPerson() error {
	p := a.LegalPerson
	if err := first(need("display_name", a.DisplayName), need("legal_person.name", p.Name)); err != nil {
		return err
	}
	switch {
	case !ValidIDNumber(p.Number):
		return &InputError{
			"legal_person.number", "not a valid 18-character ID number (check character or birth date wrong)",
		}
	case !dateRe.MatchString(p.ValidFrom):
		return &InputError{"legal_person.valid_from", "a date, 2006-01-02"}
	case p.ValidUntil != "长期" && !dateRe.MatchString(p.ValidUntil):
		return &InputError{"legal_person.valid_until", "a date, 2006-01-02, or 长期"}
	}
	return nil
}

// validateWeChatMedia: WeChat Pay reads the images by the media ids its upload answered.
func (a Application) validateWeChatMedia() error {
	if l := a.BusinessLicense; l != nil && l.CopyMediaID == "" {
		return &InputError{"business_license.copy_media_id", "required: upload the licence image first"}
	}
	return first(need("legal_person.copy_media_id", a.LegalPerson.CopyMediaID),
		need("legal_person.national_media_id", a.LegalPerson.NationalMediaID))
}

// validateAlipay: Alipay settles the shop to its Alipay account, sells through its website, and reads the
// images by the ids its upload answered; a company's legal person shows both sides of the ID card.
func (a Application) validateAlipay() error {
	p := a.Alipay
	switch {
	case p == nil:
		return &InputError{"alipay", "required to onboard on Alipay: mcc, settle_logon_id and cert_image"}
	case !mccRe.MatchString(p.MCC):
		return &InputError{"alipay.mcc", "a merchant category code: 4 digits, or A0001_B0199"}
	case !logonRe.MatchString(p.SettleLogonID):
		return &InputError{"alipay.settle_logon_id", "the Alipay account the shop settles to: an e-mail or a mobile"}
	case p.BindingLogonID != "" && !logonRe.MatchString(p.BindingLogonID):
		return &InputError{"alipay.binding_logon_id", "a real-name Alipay account: an e-mail or a mobile"}
	case p.ServicePhone != "" && !phoneRe.MatchString(p.ServicePhone):
		return &InputError{"alipay.service_phone", "a phone number: digits and -, 5 to 20"}
	case !urlRe.MatchString(a.Store.URL):
		return &InputError{"store.url", "Alipay sells through the shop's website: an http(s) URL"}
	case a.licensed() && (p.LegalCertFrontImage == "" || p.LegalCertBackImage == ""):
		return &InputError{"alipay.legal_cert_front_image", "both sides of the legal person's ID card"}
	}
	return need("alipay.cert_image", p.CertImage)
}

func (a Application) validateBankAccount() error {
	b := a.BankAccount
	switch {
	case b.Type != AccountCompany && b.Type != AccountPerson:
		return &InputError{"bank_account.type", "74 (对公) or 75 (对私)"}
	case a.OrganizationType == OrgEnterprise && b.Type != AccountCompany:
		return &InputError{"bank_account.type", "an enterprise settles to a company account (74)"}
	case (a.OrganizationType == OrgMicro || a.OrganizationType == OrgIndividual) && b.Type != AccountPerson:
		return &InputError{"bank_account.type", "a person settles to a personal account (75)"}
	case !bankNumberRe.MatchString(b.Number):
		return &InputError{"bank_account.number", "8 to 30 digits"}
	case !regionRe.MatchString(b.AddressCode):
		return &InputError{"bank_account.address_code", "a 6-digit region code"}
	}
	return first(need("bank_account.bank", b.Bank), need("bank_account.name", b.Name))
}

func (a Application) validateContact() error {
	c := a.Contact
	switch {
	case c.Type != ContactLegal && c.Type != ContactAgent:
		return &InputError{"contact.type", "65 (the legal person) or 66 (an agent)"}
	case c.Type == ContactAgent && !ValidIDNumber(c.IDNumber):
		return &InputError{"contact.id_number", "an agent needs a valid 18-character ID number"}
	case !mobileRe.MatchString(c.Mobile):
		return &InputError{"contact.mobile", "an 11-digit mainland mobile number"}
	case !emailRe.MatchString(c.Email):
		return &InputError{"contact.email", "an e-mail address"}
	}
	return first(need("contact.name", c.Name), need("store.name", a.Store.Name), need("short_name", a.ShortName))
}

func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Masked is the application with its personal data masked, for views: 张**, 1101**********002X, ****1234.
func (a Application) Masked() Application {
	m := a
	m.LegalPerson.Name, m.LegalPerson.Number = mask.Name(a.LegalPerson.Name), mask.Tail(a.LegalPerson.Number, 4)
	m.BankAccount.Name, m.BankAccount.Number = mask.Name(a.BankAccount.Name), mask.Tail(a.BankAccount.Number, 4)
	m.Contact.Name = mask.Name(a.Contact.Name)
	m.Contact.IDNumber, m.Contact.Mobile = mask.Tail(a.Contact.IDNumber, 4), mask.Tail(a.Contact.Mobile, 4)
	if a.BusinessLicense != nil {
		l := *a.BusinessLicense
		l.LegalPerson = mask.Name(l.LegalPerson)
		m.BusinessLicense = &l
	}
	if a.Alipay != nil {
		p := *a.Alipay
		p.SettleLogonID, p.BindingLogonID = maskLogon(p.SettleLogonID), maskLogon(p.BindingLogonID)
		m.Alipay = &p
	}
	m.Contact.Email = maskLogon(a.Contact.Email)
	return m
}

// maskLogon masks an e-mail to its first letter and domain (z***@example.com), a mobile to its last 4 digits.
func maskLogon(s string) string {
	if at := strings.IndexByte(s, '@'); at > 0 {
		return s[:1] + "***" + s[at:]
	}
	return mask.Tail(s, 4)
}

func invalidApplication(err error) error {
	ie, _ := err.(*InputError)
	if ie == nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidApplication, err)
	}
	return temporal.NewNonRetryableApplicationError(ie.Error(), ErrTypeInvalidApplication, nil, *ie)
}

// String keeps an application out of logs by accident: it prints masked.
func (a Application) String() string {
	m := a.Masked()
	return fmt.Sprintf("Application{%s %s %s contact %s}", m.OutRequestNo, m.MerchantID, m.LegalPerson.Name,
		m.Contact.Mobile)
}

var (
	mobileRe     = regexp.MustCompile(`^1[3-9]\d{9}$`)
	bankNumberRe = regexp.MustCompile(`^\d{8,30}$`)
	creditCodeRe = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)
	regionRe     = regexp.MustCompile(`^\d{6}$`)
	outReqRe     = regexp.MustCompile(`^[A-Za-z0-9]{6,32}$`)
	dateRe       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	emailRe      = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
	logonRe      = regexp.MustCompile(`^([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|1[3-9]\d{9})$`)
	mccRe        = regexp.MustCompile(`^(\d{4}|[A-Z]\d{4}_[A-Z]\d{4})$`)
	phoneRe      = regexp.MustCompile(`^[0-9-]{5,20}$`)
	urlRe        = regexp.MustCompile(`^https?://[^\s/]+(/\S*)?$`)
)
