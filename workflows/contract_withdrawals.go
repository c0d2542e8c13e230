package workflows

import (
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
