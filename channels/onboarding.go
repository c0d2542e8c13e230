package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// Applyment is a shop's onboarding application (二级商户进件). Fields marked sensitive are personal data: the
// adapter encrypts them with the channel's public key, and they must never be logged.
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
	ApplymentID        int64
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

// Onboarding submits and tracks applications. There is no notification: callers poll.
type Onboarding interface {
	SubmitApplyment(ctx context.Context, a Applyment) (applymentID int64, err error)
	QueryApplyment(ctx context.Context, outRequestNo string) (ApplymentState, error)
}
