package channels

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/splitpay/splitpay/money"
)

// Applyment is a shop's onboarding application (二级商户进件). Fields marked sensitive are personal data: the
// adapter encrypts them with the channel's public key where the channel asks for it, and they are never logged.
// The fields after MerchantShortname only Alipay reads.
type Applyment struct {
	OutRequestNo          string
	OrganizationType      string // 2401 小微, 2500 个人卖家, 4 个体户, 2 企业, ...
	BusinessLicenseCopy   string // media id
	BusinessLicenseNumber string
	MerchantName          string
	LegalPerson           string
	IDCardCopy            string // media id
	IDCardNational        string // media id
	IDCardName            string // sensitive
	IDCardNumber          string // sensitive
	IDCardValidTimeBegin  string
	IDCardValidTime       string
	BankAccountType       string // 74 对公 / 75 对私
	AccountBank           string
	AccountName           string // sensitive
	BankAddressCode       string
	AccountNumber         string // sensitive
	ContactType           string // 65 法人 / 66 经办人
	ContactName           string // sensitive
	ContactIDNumber       string // sensitive
	MobilePhone           string // sensitive
	ContactEmail          string // sensitive
	StoreName             string
	StoreURL              string
	MerchantShortname     string
	ServicePhone          string
	MCC                   string // Alipay's merchant category
	SettleLogonID         string // sensitive: the Alipay account (e-mail or phone) the shop settles to
	BindingLogonID        string // sensitive: the real-name Alipay account that confirms the agreement
	CertImage             string // Alipay image ids (ant.merchant.expand.indirect.image.upload)
	LegalCertFrontImage   string
	LegalCertBackImage    string
}

// ApplicationID is the channel's id of an application: WeChat Pay's applyment_id (a number), Alipay's order_id.
// Histories recorded before Alipay hold it as a JSON number, which it still reads.
type ApplicationID string

// UnmarshalJSON reads a string, or the number older histories hold.
func (id *ApplicationID) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] != '"' {
		if string(t) == "null" {
			*id = ""
			return nil
		}
		var n json.Number
		if err := json.Unmarshal(t, &n); err != nil {
			return err
		}
		if n == "0" {
			n = ""
		}
		*id = ApplicationID(n)
		return nil
	}
	return json.Unmarshal(b, (*string)(id))
}

// Applyment states.
const (
	ApplymentChecking      = "CHECKING"
	ApplymentAccountVerify = "ACCOUNT_NEED_VERIFY"
	ApplymentAuditing      = "AUDITING"
	ApplymentNeedSign      = "NEED_SIGN"
	ApplymentFinish        = "FINISH"
	ApplymentRejected      = "REJECTED"
	ApplymentFrozen        = "FROZEN"
)

// AccountValidation tells the shop how to prove its bank account: remit PayAmount to the destination account
// before Deadline with Remark. Workflows carry it in histories, so its JSON names never change.
type AccountValidation struct {
	AccountName              string       `json:"account_name"` // masked by the channel
	AccountNo                string       `json:"account_no"`   // masked by the channel
	PayAmount                money.Amount `json:"pay_amount"`
	DestinationAccountNumber string       `json:"destination_account_number"`
	DestinationAccountName   string       `json:"destination_account_name"`
	DestinationAccountBank   string       `json:"destination_account_bank"`
	City                     string       `json:"city"`
	Remark                   string       `json:"remark"`
	Deadline                 string       `json:"deadline"`
}

// Rejection is one field the channel refused, and why (JSON names as recorded in histories).
type Rejection struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ApplymentState is an application as the channel reports it.
type ApplymentState struct {
	ApplymentID        ApplicationID
	OutRequestNo       string
	State              string
	StateDesc          string
	SignState          string
	SignURL            string
	SubMchID           string
	AccountValidation  *AccountValidation
	AuditDetail        []Rejection
	LegalValidationURL string
}

// Onboarding submits and tracks applications by their out request number. WeChat Pay sends no notification
// for them, so callers poll; Alipay notifies the result (an ApplicationNotice), and callers still confirm it by
// a query, the source of truth.
type Onboarding interface {
	SubmitApplyment(ctx context.Context, a Applyment) (ApplicationID, error)
	QueryApplyment(ctx context.Context, outRequestNo string) (ApplymentState, error)
}

// ApplicationNotice is a channel's word that an application's audit ended (Alipay's zft.passed or zft.rejected).
type ApplicationNotice struct {
	OutRequestNo  string // the application's out request number (Alipay's external_id)
	ApplicationID ApplicationID
	State         string // ApplymentFinish or ApplymentRejected
}
