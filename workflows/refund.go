package workflows

import (
	"time"

	"github.com/splitpay/splitpay/money"
)

// Refund names: the update a caller sends to a sub-order, and the activities behind it.
const (
	UpdateRequestRefund = "RequestRefund"
	QueryRefund         = "GetRefund"

	ActivityApplyRefund   = "ApplyRefund"
	ActivityQueryRefund   = "QueryRefundStatus"
	ActivityPostRefund    = "PostRefund"
	ActivityCancelSubsidy = "CancelSubsidy"

	ErrTypeRefundRejected = "RefundRejected" // the update's validator refused the request; the message names the field
)

// Refund statuses, as GetRefund and the API show them.
const (
	RefundAccepted   = "ACCEPTED"   // validated and queued; nothing has moved yet
	RefundProcessing = "PROCESSING" // applied at the channel, waiting for its result
	RefundSucceeded  = "SUCCESS"    // the buyer has the money; posted to the ledger
	RefundAbnormal   = "ABNORMAL"   // the channel could not pay the buyer (a closed card): ops resume it once fixed
	RefundClosed     = "CLOSED"
)

// RefundRequest asks for a refund of a sub-order: items (when the order carries them, so the coupon is
// recomputed on what is kept) or an amount.
type RefundRequest struct {
	RefundNo string       // the caller's refund number: the same number is the same refund
	Reason   string       // what the buyer is told
	Items    []ItemRefund // either items …
	Amount   money.Amount // … or an amount (orders without items)
}

// RefundState is one refund's progress.
type RefundState struct {
	RefundNo      string
	OutRefundNo   string // at the channel: <sub-order>-rf-<refund_no>
	Status        string
	Request       RefundRequest
	BuyerRefund   money.Amount // what the buyer gets back
	SubsidyReturn money.Amount // subsidy the platform no longer owes, or gets back (补差回退)
	RefundID      string       // the channel's id, once applied
	RequestedAt   time.Time
	CompletedAt   time.Time
	LastError     *StepError
}

// ApplyRefundInput refunds part of a sub-order at the channel.
type ApplyRefundInput struct {
	SubOrderRef
	OutRefundNo string
	Reason      string
	Refund      money.Amount
	Total       money.Amount // the sub-order's amount
	NotifyURL   string
}

// RefundStatus is the channel's view of a refund.
type RefundStatus struct {
	RefundID string
	Status   string // SUCCESS | PROCESSING | ABNORMAL | CLOSED
	Amount   money.Amount
}

// PostRefundInput posts a refund that succeeded: from frozen funds before finish, available ones after.
type PostRefundInput struct {
	SubOrderRef
	RefundID   string
	Amount     money.Amount
	FromFrozen bool
}

// CancelSubsidyInput gives up a sub-order's subsidy before it was paid (a refund voided the coupon).
type CancelSubsidyInput struct {
	SubOrderRef
	Description string
}
