package workflows

import "github.com/splitpay/splitpay/money"

// Sharing activities: subsidy, profit sharing, finish, and their ledger postings.
const (
	ActivityPaySubsidy   = "PaySubsidy"
	ActivityShare        = "Share"
	ActivityQueryShare   = "QueryShare"
	ActivityFinish       = "Finish"
	ActivityPostSharing  = "PostSharing"
	ActivityPostFinished = "PostFinished"
)

// SubOrderRef names a paid sub-order at the channel and in the ledger.
type SubOrderRef struct {
	Channel       string
	OrderNo       string
	SubOrderNo    string
	MerchantID    string
	SubMchID      string
	TransactionID string
}

// SubsidyInput pays the platform's subsidy for a sub-order (补差); OutSubsidyNo is <sub-order>-subsidy.
type SubsidyInput struct {
	SubOrderRef
	OutSubsidyNo string
	Amount       money.Amount
	Description  string
	RefundID     string // when Amount is below the order's subsidy: the refund that lowered it
}

// ShareInput sends one batch of the sharing plan; OutOrderNo is <sub-order>-share<K>.
type ShareInput struct {
	SubOrderRef
	OutOrderNo string
	Shares     []PlannedShare
}

// ShareStatus is a sharing request's state: PROCESSING until every receiver is settled.
type ShareStatus struct {
	OrderID   string // the channel's sharing order id
	Status    string // PROCESSING | FINISHED
	Receivers []ShareReceiverStatus
}

// ShareReceiverStatus is one receiver's result.
type ShareReceiverStatus struct {
	Account    string
	Amount     money.Amount
	Result     string // PENDING | SUCCESS | CLOSED
	FailReason string
}

// FinishInput unfreezes the rest of a sub-order (完结分账); OutOrderNo is <sub-order>-finish.
type FinishInput struct {
	SubOrderRef
	OutOrderNo  string
	Description string
}

// FinishResult is what was unfrozen to the merchant.
type FinishResult struct {
	OrderID string
	Amount  money.Amount
}

// PostSharingInput posts a settled sharing request: each successful receiver's amount leaves the merchant's
// frozen funds. Platform shares are recognised by ReceiverID == PlatformReceiverID.
type PostSharingInput struct {
	SubOrderRef
	SharingOrderID string
	Shares         []PlannedShare // the successful ones
}

// PostFinishedInput posts the unfreeze.
type PostFinishedInput struct {
	SubOrderRef
	FinishOrderID string
	Amount        money.Amount
}

// PlatformReceiverID is the receiver id of the platform's own commission.
const PlatformReceiverID = "platform"
