package workflows

import (
	"bytes"
	"encoding/json"

	"github.com/splitpay/splitpay/money"
)

// WithdrawInput is one call to the channel or the ledger about the withdrawal.
type WithdrawInput struct {
	Channel      string
	MerchantID   string
	SubMchID     string
	OutRequestNo string
	Amount       money.Amount
	Remark       string
	Status       string // PostWithdrawResult: SUCCESS | FAIL | CLOSE | REFUND
}

// WithdrawStatus is the channel's view of a withdrawal.
type WithdrawStatus struct {
	WithdrawID string
	Status     string // CREATE_SUCCESS | SUCCESS | FAIL | REFUND | CLOSE | INIT
	Reason     string
}

// ApplymentStatus is the channel's view of an application (activities answer it).
type ApplymentStatus struct {
	ApplymentID        int64
	State              string // CHECKING | ACCOUNT_NEED_VERIFY | AUDITING | NEED_SIGN | FINISH | REJECTED | FROZEN
	StateDesc          string
	SignURL            string
	SubMchID           string
	AccountValidation  *AccountValidation
	LegalValidationURL string
	Rejections         []FieldRejection
}

// AccountValidation tells the shop how to verify its bank account: remit PayAmount to the destination before
// the deadline, with the remark.
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

// FieldRejection is one field the channel refused, and why.
type FieldRejection struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// SubmitApplymentInput submits (or, after REJECTED, resubmits) the application under its out request number.
type SubmitApplymentInput struct {
	Channel     string
	Application Application
}

// ApplymentSubmitted is SubmitApplyment's answer: the channel's id of the application.
type ApplymentSubmitted struct {
	ApplymentID int64
}

// UnmarshalJSON also reads the bare number that SubmitApplyment answered before it answered a struct, so older
// histories replay.
func (a *ApplymentSubmitted) UnmarshalJSON(b []byte) error {
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] != '{' {
		return json.Unmarshal(b, &a.ApplymentID)
	}
	type plain ApplymentSubmitted
	return json.Unmarshal(b, (*plain)(a))
}

// QueryApplymentInput asks for the application's state.
type QueryApplymentInput struct {
	Channel      string
	OutRequestNo string
}

// ActivateMerchantInput marks the merchant active with its sub-merchant id and opens its ledger accounts.
type ActivateMerchantInput struct {
	Channel     string
	MerchantID  string
	SubMchID    string
	DisplayName string
}
