package channels

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

// Payment scenes: which buyer client pays, so which payment parameters come back.
const (
	SceneJSAPI       = "jsapi"       // WeChat in-app browser / official account: prepay_id
	SceneMiniProgram = "miniprogram" // mini-program: prepay_id (JSAPI endpoint, mini-program appid)
	SceneApp         = "app"         // native app SDK: prepay_id
	SceneH5          = "h5"          // mobile browser: h5_url
	SceneNative      = "native"      // QR code: code_url
)

// SubOrder is one shop's part of a combined order.
type SubOrder struct {
	SubMchID      string       // the channel's id of the sub-merchant
	OutTradeNo    string       // ours, derived from the combined order number
	Description   string       // what the buyer sees
	Amount        money.Amount // what the buyer pays for this sub-order
	ProfitSharing bool         // freeze the funds for sharing
	SubsidyAmount money.Amount // the most the platform will subsidise (补差); needs ProfitSharing
	Attach        string
}

// CombinedOrder is one checkout covering 1..Limits.MaxSubOrders sub-orders (合单).
type CombinedOrder struct {
	Scene             string
	AppID             string
	OutTradeNo        string // combine_out_trade_no
	PayerOpenID       string // required for JSAPI and mini-program
	PayerClientIP     string
	H5Type            string // iOS | Android | Wap, for H5
	NotifyURL         string
	TimeExpireRFC3339 string
	SubOrders         []SubOrder
}

// Alipay's scenes.
const (
	SceneAlipayApp  = "app"  // the app SDK: an order string (merged payment)
	SceneAlipayWap  = "wap"  // mobile browser: a pay URL (merged payment)
	SceneAlipayPage = "page" // desktop browser: a pay URL (merged payment)
	SceneAlipayQR   = "qr"   // a QR code to scan: one sub-order only
)

// Scenes are each channel's payment scenes, its default (where a request names none) first.
var Scenes = map[string][]string{
	WeChatPay: {SceneNative, SceneJSAPI, SceneMiniProgram, SceneApp, SceneH5},
	Alipay:    {SceneAlipayPage, SceneAlipayApp, SceneAlipayWap, SceneAlipayQR},
}

// PaymentParams is what the buyer's client needs to pay: exactly one of the fields is set.
type PaymentParams struct {
	PrepayID    string // WeChat jsapi, mini-program, app
	H5URL       string // WeChat h5
	CodeURL     string // a QR code's content: WeChat native, Alipay qr
	OrderString string // Alipay app: the signed string the app SDK takes
	PayURL      string // Alipay wap and page: where to send the buyer
}

// SubOrderState is a sub-order as the channel reports it.
type SubOrderState struct {
	SubMchID      string
	OutTradeNo    string
	TransactionID string
	TradeState    string // a Payment* state
	Amount        money.Amount
	PayerAmount   money.Amount
	SuccessTime   string
}

// Payment states of a sub-order, common to every channel; adapters translate their channel's words (Alipay's
// TRADE_SUCCESS is PaymentPaid). The values are the ones recorded in histories, so they never change.
const (
	PaymentPaid     = "SUCCESS"
	PaymentRefunded = "REFUND" // paid, then refunded in part or in full
	PaymentNotPaid  = "NOTPAY"
	PaymentClosed   = "CLOSED"
	PaymentPaying   = "USERPAYING"
	PaymentFailed   = "PAYERROR"
)

// CombinedOrderState is a combined order as the channel reports it (query or notification).
type CombinedOrderState struct {
	OutTradeNo  string
	PayerOpenID string
	SubOrders   []SubOrderState
}

// Payments creates, queries and closes combined orders.
type Payments interface {
	CreateCombined(ctx context.Context, o CombinedOrder) (PaymentParams, error)
	// QueryCombined asks for every sub-order; subOrders lists them as created (a channel without a combined
	// query asks for each).
	QueryCombined(ctx context.Context, outTradeNo string, subOrders []SubOrder) (CombinedOrderState, error)
	// CloseCombined closes every sub-order; subOrders must list them exactly as created.
	CloseCombined(ctx context.Context, appID, outTradeNo string, subOrders []SubOrder) error
}
