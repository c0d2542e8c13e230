package workflows

import "github.com/splitpay/splitpay/money"

// SubOrderRef names a paid sub-order at the channel and in the ledger.
type SubOrderRef struct {
	Channel       string
	OrderNo       string
	SubOrderNo    string
	MerchantID    string
	SubMchID      string
	TransactionID string
}

// SettleInput confirms settlement of a sub-order's money at the channel, asking it to stay frozen for sharing
// (Alipay's alipay.trade.settle.confirm with royalty_freeze); OutRequestNo is <sub-order>-settle.
type SettleInput struct {
	SubOrderRef
	OutRequestNo string
	Amount       money.Amount
}

// SettleStatus is what the channel confirmed.
type SettleStatus struct {
	Amount money.Amount
}

// SubsidyInput pays the platform's subsidy for a sub-order (补差); OutSubsidyNo is <sub-order>-subsidy.
type SubsidyInput struct {
	SubOrderRef
	OutSubsidyNo string
	Amount       money.Amount
	Description  string
	RefundID     string // when Amount is below the order's subsidy: the refund that lowered it
}

// SubsidyStatus is the channel's answer to a subsidy or a subsidy return: its id and amount.
type SubsidyStatus struct {
	SubsidyID string
	Amount    money.Amount
}

// PostSubsidyInput posts a subsidy the channel paid, or returned, once per channel id. FromFrozen says, for a
// return, which of the merchant's buckets gave the money back.
type PostSubsidyInput struct {
	SubOrderRef
	SubsidyID  string
	Amount     money.Amount
	FromFrozen bool
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
