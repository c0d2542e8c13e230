package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// RefundRequest refunds part or all of one sub-order.
type RefundRequest struct {
	SubMchID      string
	AppID         string
	TransactionID string
	OutRefundNo   string
	Reason        string
	Refund        money.Amount
	Total         money.Amount // the sub-order's amount
	NotifyURL     string
	// From is where the sub-merchant's money comes from: FundsFrozen (the default while the order is pending
	// split; the channel refuses a refund larger than what is left unsplit) or FundsAvailable.
	From string
	// Reversals are the royalties receivers give back with this refund, on a channel that reverses them inside
	// the refund (Alipay's refund_royalty_parameters) rather than by separate returns.
	Reversals []Reversal
}

// Reversal is one receiver giving back part of what it was shared.
type Reversal struct {
	Account string
	Amount  money.Amount
}

// Funds sources of a refund or subsidy return: the order's frozen (pending-split) money, or the sub-merchant's
// available balance. After finish every refund comes from available money.
const (
	FundsFrozen    = "FROZEN"
	FundsAvailable = "AVAILABLE"
)

// Refund states, common to every channel (values as recorded in histories).
const (
	RefundSucceeded  = "SUCCESS"
	RefundProcessing = "PROCESSING"
	RefundAbnormal   = "ABNORMAL"
	RefundClosed     = "CLOSED" // the channel may say REFUNDCLOSE or CLOSE; adapters normalise
)

// RefundState is a refund as the channel reports it.
type RefundState struct {
	SubMchID      string
	RefundID      string
	OutRefundNo   string
	TransactionID string
	OutTradeNo    string
	Status        string
	Refund        money.Amount
	SuccessTime   string
	From          string // FundsFrozen or FundsAvailable: where the channel took the money from
}

// Refunds applies and queries refunds.
type Refunds interface {
	ApplyRefund(ctx context.Context, r RefundRequest) (RefundState, error)
	// QueryRefund finds a refund by our out-number; transactionID names its trade (Alipay asks by trade).
	QueryRefund(ctx context.Context, subMchID, transactionID, outRefundNo string) (RefundState, error)
	QueryRefundByID(ctx context.Context, subMchID, refundID string) (RefundState, error)
}
