package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// BillFile is where a day's bill can be downloaded, and the hash its content must have.
type BillFile struct {
	HashType    string // SHA1
	HashValue   string
	DownloadURL string
}

// Bills requests and downloads the channel's daily bills; Download verifies the hash.
type Bills interface {
	TradeBill(ctx context.Context, billDate, subMchID string) (BillFile, error)
	ProfitSharingBill(ctx context.Context, billDate, subMchID string) (BillFile, error)
	DownloadBill(ctx context.Context, f BillFile) ([]byte, error)
}

// TradeBillLine is one line of a day's trade bill: a payment (RefundID empty) or a refund.
type TradeBillLine struct {
	Time          string
	SubMchID      string
	TransactionID string
	OutTradeNo    string
	TradeState    string // SUCCESS | REFUND
	Settled       money.Amount
	RefundID      string
	OutRefundNo   string
	Refund        money.Amount
	RefundStatus  string
	OrderAmount   money.Amount
}

// SharingBillLine is one line of a day's profit-sharing bill: a share to a receiver, or a return from one.
type SharingBillLine struct {
	Time          string
	SubMchID      string
	TransactionID string
	OrderID       string // the channel's sharing or return number
	OutOrderNo    string // ours
	Kind          string // 分账 (share) | 回退 (return)
	ReceiverType  string
	Receiver      string
	Amount        money.Amount
	Status        string
}
