package workflows

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/splitpay/splitpay/channels"
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

// SettlementCheck is CheckSettlementAccount's answer: when the account the withdrawal goes to last changed (nil:
// never seen to), and whether that is recent enough to raise an alert.
type SettlementCheck struct {
	ChangedAt *time.Time
	Recent    bool
}

// WithdrawStatus is the channel's view of a withdrawal.
type WithdrawStatus struct {
	WithdrawID string
	Status     string // CREATE_SUCCESS | SUCCESS | FAIL | REFUND | CLOSE | INIT
	Reason     string
}

// ApplymentStatus is the channel's view of an application (activities answer it).
type ApplymentStatus struct {
	ApplymentID        channels.ApplicationID
	State              string // a channels.Applyment* state
	StateDesc          string
	SignURL            string
	SubMchID           string
	AccountValidation  *channels.AccountValidation
	LegalValidationURL string
	Rejections         []channels.Rejection
}

// SubmitApplymentInput submits (or, after REJECTED, resubmits) the application under its out request number.
type SubmitApplymentInput struct {
	Channel     string
	Application Application
}

// ApplymentSubmitted is SubmitApplyment's answer: the channel's id of the application.
type ApplymentSubmitted struct {
	ApplymentID channels.ApplicationID
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
