package workflows

import (
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// SubOrderInput starts a paid sub-order's child workflow.
type SubOrderInput struct {
	Ref         SubOrderRef
	N           int
	Amount      money.Amount
	Subsidy     money.Amount
	Description string
	Commissions []CommissionRule
	Items       []Item  // optional: refunds then name items, and the coupon is recomputed
	Coupon      *Coupon // optional, with Items
	Limits      PlanLimits
	Settings    OrderSettings
	PaidAt      time.Time
	// RefundNotifyURL is the refunds' notify_url; empty, the sub-order only queries.
	RefundNotifyURL string
}

// SharingBatch is one sharing request's progress.
type SharingBatch struct {
	OutOrderNo string
	Shares     []PlannedShare
	Status     string // "" until sent, then PROCESSING | FINISHED
	OrderID    string
	Failed     []ShareReceiverStatus // receivers the channel closed: their money stays with the merchant
	Results    []ShareReceiverStatus // every receiver's result, as the channel gave it
}

// SubOrderState is the GetSubOrder query's answer.
type SubOrderState struct {
	Ref             SubOrderRef
	N               int
	Status          string
	WaitingFor      string
	Amount          money.Amount
	Subsidy         money.Amount
	SubsidyPaid     bool
	PaidAt          time.Time
	ConfirmDeadline time.Time // auto-confirm, or earlier when the freeze deadline demands
	FinishDeadline  time.Time // the latest finish that stays clear of the channel's auto-unfreeze
	ConfirmedBy     string
	ConfirmedAt     time.Time
	Plan            SharingPlan
	Batches         []SharingBatch
	Shared          money.Amount // what receivers actually got
	Settled         money.Amount // what finish unfroze to the merchant
	Refunded        money.Amount // to the buyer, accepted so far
	Refunds         []RefundState
	Clawbacks       []ClawbackState
	Nettings        []DebtNetting // earlier debts withheld from persons' shares: the batches pay the rest
	LastError       *StepError
	Timeline        []Event
}

// SubOrderResult is how a sub-order's workflow ends, and what it tells the order when it settles.
type SubOrderResult struct {
	N          int
	SubOrderNo string
	Status     string
	Shared     money.Amount
	Settled    money.Amount
}

// Refund names: the update a caller sends to a sub-order, and the activities behind it.
const (
	UpdateRequestRefund = "RequestRefund"
	QueryRefund         = "GetRefund"
)

// SignalRefundNotified carries a verified refund notification to its sub-order: the wait for the refund's
// result ends at once and the refund is queried (the query, not the notification, decides).
const SignalRefundNotified = "RefundNotified"

// RefundNotice is SignalRefundNotified's payload.
type RefundNotice struct {
	NotificationID string
	OutRefundNo    string
	Status         string
}

// Refund statuses, as GetRefund and the API show them.
const (
	RefundAccepted   = "ACCEPTED"                // validated and queued; nothing has moved yet
	RefundProcessing = channels.RefundProcessing // applied at the channel, waiting for its result
	RefundSucceeded  = channels.RefundSucceeded  // the buyer has the money; posted to the ledger
	RefundAbnormal   = channels.RefundAbnormal   // the channel could not pay the buyer: ops resume it once fixed
	RefundClosed     = channels.RefundClosed
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
	OutRefundNo   string // at the channel: <sub-order>-rf-<refund_no> (-r2-, … after the channel closed one)
	Attempt       int    // 0 or 1: the first number; more after CLOSED results
	Status        string
	Request       RefundRequest
	BuyerRefund   money.Amount // what the buyer gets back
	SubsidyReturn money.Amount // subsidy the platform no longer owes, or gets back (补差回退)
	RefundID      string       // the channel's id, once applied
	From          string       // channels' funds source asked for: FROZEN (the order's unsplit money) or AVAILABLE
	Reversals     []Reversal   // shares given back within the refund, where the channel does that
	RequestedAt   time.Time
	CompletedAt   time.Time
	LastError     *StepError
}

// SignalReceiverToppedUp tells a sub-order that a merchant receiver whose return failed for lack of balance has
// money again: the return is tried at once with a new return number.
const SignalReceiverToppedUp = "ReceiverToppedUp"

// ReceiverToppedUp is SignalReceiverToppedUp's payload.
type ReceiverToppedUp struct {
	ReceiverID string
}

// ClawbackState is one receiver's give-back for one refund.
type ClawbackState struct {
	RefundNo   string
	ReceiverID string
	Type       string // ReceiverMerchant: a return order; ReceiverPersonal: a commission debt
	Account    string
	Amount     money.Amount
	Status     string // PENDING | RETURNED | DEBT_RECORDED | WAITING_FOR_BALANCE
	ReturnNo   string // the last out_return_no tried
	Attempts   int
}

// Clawback statuses.
const (
	ClawbackPending      = "PENDING"
	ClawbackReturned     = "RETURNED"
	ClawbackDebtRecorded = "DEBT_RECORDED"
	ClawbackWaiting      = "WAITING_FOR_BALANCE"
)
