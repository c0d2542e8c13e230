package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// Receiver types.
const (
	ReceiverMerchant = "MERCHANT_ID"
	ReceiverPersonal = "PERSONAL_OPENID"
)

// SharingReceiver is one receiver's amount in a sharing request.
type SharingReceiver struct {
	Type        string // ReceiverMerchant | ReceiverPersonal
	Account     string // merchant id or openid
	Name        string // optional for persons; sent encrypted
	Amount      money.Amount
	Description string
}

// SharingRequest shares part of one sub-order (分账).
type SharingRequest struct {
	AppID         string
	SubMchID      string
	TransactionID string // the sub-order's transaction id
	OutOrderNo    string // ours: <order>-sub<N>-share<K>
	Receivers     []SharingReceiver
	Finish        bool // unfreeze the rest after this sharing
}

// Sharing results.
const (
	SharingProcessing = "PROCESSING"
	SharingFinished   = "FINISHED"
	ReceiverPending   = "PENDING"
	ReceiverSuccess   = "SUCCESS"
	ReceiverClosed    = "CLOSED"
)

// SharingReceiverResult is one receiver's outcome.
type SharingReceiverResult struct {
	Type       string
	Account    string
	Amount     money.Amount
	Result     string // PENDING | SUCCESS | CLOSED
	FailReason string
	DetailID   string
}

// SharingState is a sharing (or finish) request as the channel reports it.
type SharingState struct {
	SubMchID      string
	TransactionID string
	OutOrderNo    string
	OrderID       string // the channel's id
	Status        string // PROCESSING | FINISHED
	Receivers     []SharingReceiverResult
	FinishAmount  money.Amount // for finish requests
}

// FinishRequest unfreezes what was not shared (完结分账).
type FinishRequest struct {
	SubMchID      string
	TransactionID string
	OutOrderNo    string
	Description   string
}

// ReturnRequest pulls shared money back from a merchant-type receiver (分账回退).
type ReturnRequest struct {
	SubMchID    string
	OutOrderNo  string // the sharing request's out number
	OutReturnNo string
	ReturnMchID string
	Amount      money.Amount
	Description string
}

// Return results.
const (
	ReturnProcessing = "PROCESSING"
	ReturnSuccess    = "SUCCESS"
	ReturnFailed     = "FAIL"
)

// ReturnState is a return as the channel reports it.
type ReturnState struct {
	SubMchID    string
	OutOrderNo  string
	OutReturnNo string
	ReturnNo    string
	ReturnMchID string
	Amount      money.Amount
	Result      string
	FailReason  string // ACCOUNT_ABNORMAL | TIME_OUT_CLOSED
}

// ReceiverRegistration adds or deletes a sharing receiver at platform level.
type ReceiverRegistration struct {
	AppID        string
	Type         string
	Account      string
	Name         string // merchant full name, or a person's name (sent encrypted)
	RelationType string // SUPPLIER | DISTRIBUTOR | SERVICE_PROVIDER | PLATFORM | OTHERS
	// Generation counts the receiver's registrations at the channel (1 for the first): registering it again
	// after a removal is a new request, where the channel numbers requests (Alipay's bind out_request_no).
	Generation int
}

// SettleRequest confirms a paid sub-order's settlement and freezes it for sharing, on a channel whose
// Limits.ConfirmBeforeSharing is set (Alipay's alipay.trade.settle.confirm with royalty_freeze).
type SettleRequest struct {
	SubMchID      string
	TransactionID string
	OutRequestNo  string // ours: <sub-order>-settle
	Amount        money.Amount
}

// SettleState is a confirmed settlement.
type SettleState struct {
	OutRequestNo string
	Amount       money.Amount
}

// Settlement confirms settlements, on channels that hold paid money unsettled until asked.
type Settlement interface {
	ConfirmSettlement(ctx context.Context, r SettleRequest) (SettleState, error)
}

// ProfitSharing shares, finishes, returns and manages receivers.
type ProfitSharing interface {
	Share(ctx context.Context, r SharingRequest) (SharingState, error)
	QuerySharing(ctx context.Context, subMchID, transactionID, outOrderNo string) (SharingState, error)
	Finish(ctx context.Context, r FinishRequest) (SharingState, error)
	UnsplitAmount(ctx context.Context, transactionID string) (money.Amount, error)
	AddReceiver(ctx context.Context, r ReceiverRegistration) error
	DeleteReceiver(ctx context.Context, r ReceiverRegistration) error
	Return(ctx context.Context, r ReturnRequest) (ReturnState, error)
	QueryReturn(ctx context.Context, subMchID, outOrderNo, outReturnNo string) (ReturnState, error)
}
