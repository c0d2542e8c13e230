package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// Balance is a sub-merchant's money at the channel: available (withdrawable) and pending (frozen).
type Balance struct {
	SubMchID  string
	Available money.Amount
	Pending   money.Amount
}

// WithdrawRequest moves available money to the sub-merchant's bank account (提现).
type WithdrawRequest struct {
	SubMchID     string
	OutRequestNo string // ours; never changed after a SYSTEM_ERROR
	Amount       money.Amount
	Remark       string
	BankMemo     string
}

// Withdrawal states.
const (
	WithdrawCreated  = "CREATE_SUCCESS"
	WithdrawSuccess  = "SUCCESS"
	WithdrawFail     = "FAIL"
	WithdrawRefunded = "REFUND" // the bank bounced it after SUCCESS
	WithdrawClosed   = "CLOSE"
	WithdrawInit     = "INIT" // retry with the identical request
)

// WithdrawState is a withdrawal as the channel reports it.
type WithdrawState struct {
	SubMchID     string
	WithdrawID   string
	OutRequestNo string
	Status       string
	Amount       money.Amount
	Reason       string
}

// Funds reads balances and withdraws.
type Funds interface {
	Balance(ctx context.Context, subMchID string) (Balance, error)
	Withdraw(ctx context.Context, r WithdrawRequest) (WithdrawState, error)
	QueryWithdraw(ctx context.Context, subMchID, outRequestNo string) (WithdrawState, error)
	// SettlementAccount is the account withdrawals go to now (a shop can change it at the channel).
	SettlementAccount(ctx context.Context, subMchID string) (SettlementAccount, error)
}

// SettlementAccount is where a sub-merchant's withdrawals go, as the channel shows it: the number masked.
type SettlementAccount struct {
	Type, Bank   string
	NumberMasked string
	Verify       string // the channel's check of the account: VERIFY_SUCCESS, VERIFYING or VERIFY_FAIL
}
