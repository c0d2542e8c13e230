// Package wire holds the JSON shapes of WeChat Pay APIv3's 电商收付通 endpoints, as documented (see
// ../shared/CHANNELS.md §1). The adapter and the simulator both speak through these types. Amounts are fen.
// Fields tagged `encryption:"EM_APIV3"` are RSA-OAEP encrypted by wechatpay-go's EncryptRequest.
package wire

// Paths.
const (
	PathCombineJSAPI   = "/v3/combine-transactions/jsapi"
	PathCombineApp     = "/v3/combine-transactions/app"
	PathCombineH5      = "/v3/combine-transactions/h5"
	PathCombineNative  = "/v3/combine-transactions/native"
	PathCombineQuery   = "/v3/combine-transactions/out-trade-no/" // + {combine_out_trade_no}
	PathCombineClose   = "/close"                                 // suffix after PathCombineQuery + no
	PathSharingOrders  = "/v3/ecommerce/profitsharing/orders"
	PathSharingFinish  = "/v3/ecommerce/profitsharing/finish-order"
	PathSharingAmounts = "/v3/ecommerce/profitsharing/orders/" // + {transaction_id}/amounts
	PathReceiverAdd    = "/v3/ecommerce/profitsharing/receivers/add"
	PathReceiverDelete = "/v3/ecommerce/profitsharing/receivers/delete"
	PathReturnOrders   = "/v3/ecommerce/profitsharing/returnorders"
	PathSubsidyCreate  = "/v3/ecommerce/subsidies/create"
	PathSubsidyReturn  = "/v3/ecommerce/subsidies/return"
	PathSubsidyCancel  = "/v3/ecommerce/subsidies/cancel"
	PathRefundApply    = "/v3/ecommerce/refunds/apply"
	PathRefundByOutNo  = "/v3/ecommerce/refunds/out-refund-no/" // + {out_refund_no}?sub_mchid=
	PathRefundByID     = "/v3/ecommerce/refunds/id/"            // + {refund_id}?sub_mchid=
)

type Amount struct {
	TotalAmount   int64  `json:"total_amount"`
	Currency      string `json:"currency"`
	PayerAmount   int64  `json:"payer_amount,omitempty"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

type SettleInfo struct {
	ProfitSharing bool  `json:"profit_sharing"`
	SubsidyAmount int64 `json:"subsidy_amount,omitempty"`
}

type SubOrder struct {
	MchID       string      `json:"mchid"`
	SubMchID    string      `json:"sub_mchid"`
	SubAppID    string      `json:"sub_appid,omitempty"`
	Attach      string      `json:"attach"`
	Amount      Amount      `json:"amount"`
	OutTradeNo  string      `json:"out_trade_no"`
	Description string      `json:"description"`
	SettleInfo  *SettleInfo `json:"settle_info,omitempty"`
}

type H5Info struct {
	Type string `json:"type"`
}

type SceneInfo struct {
	PayerClientIP string  `json:"payer_client_ip,omitempty"`
	DeviceID      string  `json:"device_id,omitempty"`
	H5Info        *H5Info `json:"h5_info,omitempty"`
}

type PayerInfo struct {
	OpenID string `json:"openid"`
}

type CombineRequest struct {
	CombineAppID      string     `json:"combine_appid"`
	CombineMchID      string     `json:"combine_mchid"`
	CombineOutTradeNo string     `json:"combine_out_trade_no"`
	SceneInfo         *SceneInfo `json:"scene_info,omitempty"`
	SubOrders         []SubOrder `json:"sub_orders"`
	CombinePayerInfo  *PayerInfo `json:"combine_payer_info,omitempty"`
	TimeExpire        string     `json:"time_expire,omitempty"`
	NotifyURL         string     `json:"notify_url"`
}

type CombineResponse struct {
	PrepayID string `json:"prepay_id,omitempty"`
	H5URL    string `json:"h5_url,omitempty"`
	CodeURL  string `json:"code_url,omitempty"`
}

type SubOrderState struct {
	MchID         string `json:"mchid"`
	SubMchID      string `json:"sub_mchid"`
	TradeType     string `json:"trade_type,omitempty"`
	TradeState    string `json:"trade_state"`
	BankType      string `json:"bank_type,omitempty"`
	Attach        string `json:"attach"`
	SuccessTime   string `json:"success_time,omitempty"`
	TransactionID string `json:"transaction_id,omitempty"`
	OutTradeNo    string `json:"out_trade_no"`
	Amount        Amount `json:"amount"`
}

// CombineState is the combined-order query response and the TRANSACTION.SUCCESS plaintext.
type CombineState struct {
	CombineAppID      string          `json:"combine_appid"`
	CombineMchID      string          `json:"combine_mchid"`
	CombineOutTradeNo string          `json:"combine_out_trade_no"`
	SubOrders         []SubOrderState `json:"sub_orders"`
	CombinePayerInfo  *PayerInfo      `json:"combine_payer_info,omitempty"`
}

type CloseSubOrder struct {
	MchID      string `json:"mchid"`
	OutTradeNo string `json:"out_trade_no"`
	SubMchID   string `json:"sub_mchid"`
}

type CloseRequest struct {
	CombineAppID string          `json:"combine_appid"`
	SubOrders    []CloseSubOrder `json:"sub_orders"`
}

type SharingReceiver struct {
	Type            string `json:"type"`
	ReceiverAccount string `json:"receiver_account"`
	ReceiverName    string `json:"receiver_name,omitempty" encryption:"EM_APIV3"`
	Amount          int64  `json:"amount"`
	Description     string `json:"description"`
}

type SharingRequest struct {
	AppID         string            `json:"appid,omitempty"`
	SubMchID      string            `json:"sub_mchid"`
	TransactionID string            `json:"transaction_id"`
	OutOrderNo    string            `json:"out_order_no"`
	Receivers     []SharingReceiver `json:"receivers"`
	Finish        bool              `json:"finish"`
}

type SharingReceiverResult struct {
	Type            string `json:"type"`
	ReceiverAccount string `json:"receiver_account"`
	Amount          int64  `json:"amount"`
	Description     string `json:"description"`
	Result          string `json:"result"`
	FailReason      string `json:"fail_reason,omitempty"`
	DetailID        string `json:"detail_id"`
	FinishTime      string `json:"finish_time,omitempty"`
}

type SharingState struct {
	SubMchID          string                  `json:"sub_mchid"`
	TransactionID     string                  `json:"transaction_id"`
	OutOrderNo        string                  `json:"out_order_no"`
	OrderID           string                  `json:"order_id"`
	Status            string                  `json:"status"`
	Receivers         []SharingReceiverResult `json:"receivers,omitempty"`
	FinishAmount      int64                   `json:"finish_amount,omitempty"`
	FinishDescription string                  `json:"finish_description,omitempty"`
}

type FinishRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	OutOrderNo    string `json:"out_order_no"`
	Description   string `json:"description"`
}

type UnsplitAmount struct {
	TransactionID string `json:"transaction_id"`
	UnsplitAmount int64  `json:"unsplit_amount"`
}

type ReceiverRequest struct {
	AppID         string `json:"appid"`
	Type          string `json:"type"`
	Account       string `json:"account"`
	Name          string `json:"name,omitempty"`
	EncryptedName string `json:"encrypted_name,omitempty" encryption:"EM_APIV3"`
	RelationType  string `json:"relation_type,omitempty"`
}

type ReceiverResponse struct {
	Type    string `json:"type"`
	Account string `json:"account"`
}

type ReturnRequest struct {
	SubMchID    string `json:"sub_mchid"`
	OutOrderNo  string `json:"out_order_no"`
	OutReturnNo string `json:"out_return_no"`
	ReturnMchID string `json:"return_mchid"`
	Amount      int64  `json:"amount"`
	Description string `json:"description"`
}

type ReturnState struct {
	SubMchID    string `json:"sub_mchid"`
	OrderID     string `json:"order_id"`
	OutOrderNo  string `json:"out_order_no"`
	OutReturnNo string `json:"out_return_no"`
	ReturnNo    string `json:"return_no"`
	ReturnMchID string `json:"return_mchid"`
	Amount      int64  `json:"amount"`
	Result      string `json:"result"`
	FailReason  string `json:"fail_reason,omitempty"`
	FinishTime  string `json:"finish_time,omitempty"`
}

type SubsidyRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	OutSubsidyNo  string `json:"out_subsidy_no"`
	Amount        int64  `json:"amount"`
	Description   string `json:"description"`
	RefundID      string `json:"refund_id,omitempty"`
}

type SubsidyState struct {
	SubMchID        string `json:"sub_mchid"`
	TransactionID   string `json:"transaction_id"`
	SubsidyID       string `json:"subsidy_id,omitempty"`
	SubsidyRefundID string `json:"subsidy_refund_id,omitempty"`
	RefundID        string `json:"refund_id,omitempty"`
	OutOrderNo      string `json:"out_order_no,omitempty"`
	Description     string `json:"description"`
	Amount          int64  `json:"amount"`
	Result          string `json:"result"`
	SuccessTime     string `json:"success_time,omitempty"`
}

type SubsidyReturnRequest struct {
	SubMchID      string `json:"sub_mchid"`
	OutOrderNo    string `json:"out_order_no"`
	TransactionID string `json:"transaction_id"`
	RefundID      string `json:"refund_id"`
	Amount        int64  `json:"amount"`
	Description   string `json:"description"`
}

type SubsidyCancelRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	Description   string `json:"description"`
}

type SubsidyCancelResponse struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	Result        string `json:"result"`
	Description   string `json:"description"`
}

type RefundAmount struct {
	Refund      int64  `json:"refund"`
	Total       int64  `json:"total,omitempty"`
	PayerRefund int64  `json:"payer_refund,omitempty"`
	Currency    string `json:"currency"`
}

type RefundRequest struct {
	SubMchID      string       `json:"sub_mchid"`
	SpAppID       string       `json:"sp_appid"`
	TransactionID string       `json:"transaction_id"`
	OutRefundNo   string       `json:"out_refund_no"`
	Reason        string       `json:"reason,omitempty"`
	Amount        RefundAmount `json:"amount"`
	NotifyURL     string       `json:"notify_url,omitempty"`
}

type RefundState struct {
	RefundID      string       `json:"refund_id"`
	OutRefundNo   string       `json:"out_refund_no"`
	TransactionID string       `json:"transaction_id,omitempty"`
	OutTradeNo    string       `json:"out_trade_no,omitempty"`
	CreateTime    string       `json:"create_time,omitempty"`
	SuccessTime   string       `json:"success_time,omitempty"`
	Status        string       `json:"status,omitempty"`
	Amount        RefundAmount `json:"amount"`
}

// RefundNotice is the plaintext of REFUND.* notifications.
type RefundNotice struct {
	SpMchID       string       `json:"sp_mchid"`
	SubMchID      string       `json:"sub_mchid"`
	TransactionID string       `json:"transaction_id"`
	OutTradeNo    string       `json:"out_trade_no"`
	RefundID      string       `json:"refund_id"`
	OutRefundNo   string       `json:"out_refund_no"`
	RefundStatus  string       `json:"refund_status"`
	SuccessTime   string       `json:"success_time,omitempty"`
	Amount        RefundAmount `json:"amount"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Detail  map[string]any `json:"detail,omitempty"`
}
