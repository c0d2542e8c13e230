package workflows

import (
	"time"

	"github.com/splitpay/splitpay/money"
)

// PaymentSubOrder is one shop's part of a combined order, as the workflow plans it.
type PaymentSubOrder struct {
	MerchantID    string // SplitPay's merchant id
	SubMchID      string // the channel's sub-merchant id
	OutTradeNo    string // <order>-<n>
	Description   string
	Amount        money.Amount
	ProfitSharing bool
	SubsidyAmount money.Amount
}

// CreatePaymentInput places a combined order at the channel.
type CreatePaymentInput struct {
	Channel       string
	Scene         string // jsapi | miniprogram | app | h5 | native
	OutTradeNo    string // the combined order number
	PayerOpenID   string
	PayerClientIP string
	H5Type        string
	NotifyURL     string
	ExpireAt      time.Time
	SubOrders     []PaymentSubOrder
}

// PaymentParams is what the buyer's client needs: exactly one field is set.
type PaymentParams struct {
	PrepayID    string `json:"prepay_id,omitempty"`
	H5URL       string `json:"h5_url,omitempty"`
	CodeURL     string `json:"code_url,omitempty"`
	OrderString string `json:"order_string,omitempty"`
	PayURL      string `json:"pay_url,omitempty"`
}

// QueryPaymentInput asks the channel for a combined order's state.
type QueryPaymentInput struct {
	Channel    string
	OutTradeNo string
	SubOrders  []PaymentSubOrder // as created; a channel with no combined query asks for each
}

// SubOrderPayment is a sub-order's state at the channel.
type SubOrderPayment struct {
	OutTradeNo    string
	TransactionID string
	TradeState    string // SUCCESS, NOTPAY, CLOSED, ...
	Amount        money.Amount
}

// PaymentStatus is a combined order's state at the channel.
type PaymentStatus struct {
	OutTradeNo string
	SubOrders  []SubOrderPayment
}

// ClosePaymentInput closes a combined order; SubOrders as created.
type ClosePaymentInput struct {
	Channel    string
	OutTradeNo string
	SubOrders  []PaymentSubOrder
}

// PostPaymentInput posts one paid sub-order to the ledger (frozen to the merchant), once per transaction.
type PostPaymentInput struct {
	Channel       string
	OrderNo       string
	SubOrderNo    string
	MerchantID    string
	TransactionID string
	Amount        money.Amount
}

// PostPaymentsInput posts every paid sub-order of an order, then writes the order's read model with the status
// it is paid in (since "post-payments-once": one activity instead of one per sub-order and another for the view).
type PostPaymentsInput struct {
	Channel  string
	Amount   money.Amount // the payments' total, for the money metric
	Payments []PostPaymentInput
	View     OrderViewInput
}

// PostingResult says which ledger posting holds the event.
type PostingResult struct {
	PostingID int64
	Duplicate bool
}
