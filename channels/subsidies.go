package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// SubsidyRequest pays (补差) the platform's coupon money to a sub-merchant for a sub-order.
type SubsidyRequest struct {
	SubMchID      string
	TransactionID string
	OutSubsidyNo  string
	Amount        money.Amount
	Description   string
	RefundID      string // needed when the amount is below the order-time subsidy because of a refund
}

// SubsidyReturnRequest gives a subsidy back to the platform after a refund (补差回退).
type SubsidyReturnRequest struct {
	SubMchID      string
	OutOrderNo    string // a new number per return
	TransactionID string
	RefundID      string
	Amount        money.Amount
	Description   string
	From          string // FundsFrozen or FundsAvailable: the sub-merchant account it comes from
}

// SubsidyState is a subsidy or subsidy return's outcome.
type SubsidyState struct {
	SubsidyID string // subsidy_id, or subsidy_refund_id for a return
	Amount    money.Amount
	Result    string // SUCCESS | FAIL | REFUND
}

// Subsidies pays, returns and cancels subsidies.
type Subsidies interface {
	CreateSubsidy(ctx context.Context, r SubsidyRequest) (SubsidyState, error)
	ReturnSubsidy(ctx context.Context, r SubsidyReturnRequest) (SubsidyState, error)
	CancelSubsidy(ctx context.Context, subMchID, transactionID, description string) error
}
