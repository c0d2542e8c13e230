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
	SubMchID      string              `json:"sub_mchid"`
	OutOrderNo    string              `json:"out_order_no"`
	TransactionID string              `json:"transaction_id"`
	RefundID      string              `json:"refund_id"`
	Amount        int64               `json:"amount"`
	Description   string              `json:"description"`
	SubsidyID     string              `json:"subsidy_id,omitempty"`
	From          []SubsidyReturnFrom `json:"from,omitempty"` // one source account; absent: the channel chooses
}

// SubsidyReturnFrom names the sub-merchant account a subsidy return is taken from: AVAILABLE or UNAVAILABLE
// (the order's frozen money).
type SubsidyReturnFrom struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
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
	Refund         int64  `json:"refund"`
	Total          int64  `json:"total,omitempty"`
	PayerTotal     int64  `json:"payer_total,omitempty"`
	PayerRefund    int64  `json:"payer_refund,omitempty"`
	DiscountRefund int64  `json:"discount_refund,omitempty"`
	Currency       string `json:"currency"`
}

// Refund sources (refund_account) and funds accounts (funds_account).
const (
	RefundSourceSubMerchant    = "REFUND_SOURCE_SUB_MERCHANT"    // the default: the sub-merchant pays
	RefundSourcePartnerAdvance = "REFUND_SOURCE_PARTNER_ADVANCE" // the platform advances it (needs activation)
	FundsAvailable             = "AVAILABLE"                     // the sub-merchant's available balance
	FundsUnavailable           = "UNAVAILABLE"                   // the order's frozen (pending-split) money
)

type RefundRequest struct {
	SubMchID      string       `json:"sub_mchid"`
	SpAppID       string       `json:"sp_appid"`
	SubAppID      string       `json:"sub_appid,omitempty"`
	TransactionID string       `json:"transaction_id,omitempty"`
	OutTradeNo    string       `json:"out_trade_no,omitempty"`
	OutRefundNo   string       `json:"out_refund_no"`
	Reason        string       `json:"reason,omitempty"`
	Amount        RefundAmount `json:"amount"`
	NotifyURL     string       `json:"notify_url,omitempty"`
	RefundAccount string       `json:"refund_account,omitempty"`
	FundsAccount  string       `json:"funds_account,omitempty"` // AVAILABLE forces the available balance while the order is pending split
}

type RefundState struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id,omitempty"`
	OutTradeNo          string       `json:"out_trade_no,omitempty"`
	Channel             string       `json:"channel,omitempty"` // ORIGINAL | BALANCE | OTHER_BALANCE | OTHER_BANKCARD
	UserReceivedAccount string       `json:"user_received_account,omitempty"`
	CreateTime          string       `json:"create_time,omitempty"`
	SuccessTime         string       `json:"success_time,omitempty"`
	Status              string       `json:"status,omitempty"`
	RefundAccount       string       `json:"refund_account,omitempty"`
	FundsAccount        string       `json:"funds_account,omitempty"` // where the sub-merchant's money came from
	Amount              RefundAmount `json:"amount"`
	PromotionDetail     []any        `json:"promotion_detail"`
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

	UserReceivedAccount string `json:"user_received_account,omitempty"`
	RefundAccount       string `json:"refund_account,omitempty"`
	FundsAccount        string `json:"funds_account,omitempty"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Detail  map[string]any `json:"detail,omitempty"`
}

// Funds, onboarding and bills.
const (
	PathBalance         = "/v3/ecommerce/fund/balance/" // + {sub_mchid}
	PathWithdraw        = "/v3/ecommerce/fund/withdraw"
	PathWithdrawByOutNo = "/v3/ecommerce/fund/withdraw/out-request-no/" // + {out_request_no}?sub_mchid=
	PathApplyments      = "/v3/ecommerce/applyments/"
	PathApplymentByOut  = "/v3/ecommerce/applyments/out-request-no/" // + {out_request_no}
	PathTradeBill       = "/v3/bill/tradebill"
	PathSharingBill     = "/v3/profitsharing/bills"
	PathBillDownload    = "/v3/billdownload/file"
)

type BalanceResponse struct {
	SubMchID        string `json:"sub_mchid"`
	AccountType     string `json:"account_type"`
	AvailableAmount int64  `json:"available_amount"`
	PendingAmount   int64  `json:"pending_amount"`
}

type WithdrawRequest struct {
	SubMchID     string `json:"sub_mchid"`
	OutRequestNo string `json:"out_request_no"`
	Amount       int64  `json:"amount"`
	Remark       string `json:"remark,omitempty"`
	BankMemo     string `json:"bank_memo,omitempty"`
}

type WithdrawState struct {
	SubMchID     string `json:"sub_mchid"`
	SpMchID      string `json:"sp_mchid,omitempty"`
	Status       string `json:"status,omitempty"`
	WithdrawID   string `json:"withdraw_id"`
	OutRequestNo string `json:"out_request_no"`
	Amount       int64  `json:"amount,omitempty"`
	CreateTime   string `json:"create_time,omitempty"`
	UpdateTime   string `json:"update_time,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

type BusinessLicenseInfo struct {
	BusinessLicenseCopy   string `json:"business_license_copy"`
	BusinessLicenseNumber string `json:"business_license_number"`
	MerchantName          string `json:"merchant_name"`
	LegalPerson           string `json:"legal_person"`
}

type IDCardInfo struct {
	IDCardCopy           string `json:"id_card_copy"`
	IDCardNational       string `json:"id_card_national"`
	IDCardName           string `json:"id_card_name"             encryption:"EM_APIV3"`
	IDCardNumber         string `json:"id_card_number"           encryption:"EM_APIV3"`
	IDCardValidTimeBegin string `json:"id_card_valid_time_begin"`
	IDCardValidTime      string `json:"id_card_valid_time"`
}

type AccountInfo struct {
	BankAccountType string `json:"bank_account_type"`
	AccountBank     string `json:"account_bank"`
	AccountName     string `json:"account_name"      encryption:"EM_APIV3"`
	BankAddressCode string `json:"bank_address_code"`
	AccountNumber   string `json:"account_number"    encryption:"EM_APIV3"`
}

type ContactInfo struct {
	ContactType         string `json:"contact_type"`
	ContactName         string `json:"contact_name"                     encryption:"EM_APIV3"`
	ContactIDCardNumber string `json:"contact_id_card_number,omitempty" encryption:"EM_APIV3"`
	MobilePhone         string `json:"mobile_phone"                     encryption:"EM_APIV3"`
	ContactEmail        string `json:"contact_email,omitempty"          encryption:"EM_APIV3"`
}

type SalesSceneInfo struct {
	StoreName string `json:"store_name"`
	StoreURL  string `json:"store_url,omitempty"`
}

type ApplymentRequest struct {
	OutRequestNo        string               `json:"out_request_no"`
	OrganizationType    string               `json:"organization_type"`
	BusinessLicenseInfo *BusinessLicenseInfo `json:"business_license_info,omitempty"`
	IDDocType           string               `json:"id_doc_type"`
	IDCardInfo          *IDCardInfo          `json:"id_card_info"`
	AccountInfo         *AccountInfo         `json:"account_info"`
	ContactInfo         *ContactInfo         `json:"contact_info"`
	SalesSceneInfo      *SalesSceneInfo      `json:"sales_scene_info"`
	MerchantShortname   string               `json:"merchant_shortname"`
}

type ApplymentResponse struct {
	ApplymentID  int64  `json:"applyment_id"`
	OutRequestNo string `json:"out_request_no"`
}

type AccountValidation struct {
	AccountName              string `json:"account_name"`
	AccountNo                string `json:"account_no,omitempty"`
	PayAmount                int64  `json:"pay_amount"`
	DestinationAccountNumber string `json:"destination_account_number"`
	DestinationAccountName   string `json:"destination_account_name"`
	DestinationAccountBank   string `json:"destination_account_bank"`
	City                     string `json:"city"`
	Remark                   string `json:"remark"`
	Deadline                 string `json:"deadline"`
}

type AuditDetail struct {
	ParamName    string `json:"param_name"`
	RejectReason string `json:"reject_reason"`
}

type ApplymentState struct {
	ApplymentState     string             `json:"applyment_state"`
	ApplymentStateDesc string             `json:"applyment_state_desc"`
	SignState          string             `json:"sign_state,omitempty"`
	SignURL            string             `json:"sign_url,omitempty"`
	SubMchID           string             `json:"sub_mchid,omitempty"`
	AccountValidation  *AccountValidation `json:"account_validation,omitempty"`
	AuditDetail        []AuditDetail      `json:"audit_detail,omitempty"`
	LegalValidationURL string             `json:"legal_validation_url,omitempty"`
	OutRequestNo       string             `json:"out_request_no"`
	ApplymentID        int64              `json:"applyment_id"`
}

type BillResponse struct {
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`
}

// Bill formats: the header lines of the trade bill, its summary, and the profit-sharing bill. Every data cell
// is prefixed with a backtick; amounts are yuan.
const (
	TradeBillHeader   = "交易时间,公众账号ID,商户号,特约商户号,微信订单号,商户订单号,交易类型,交易状态,应结订单金额,微信退款单号,商户退款单号,退款金额,退款状态,订单金额"
	TradeBillSummary  = "总交易单数,应结订单总金额,退款总金额,订单总金额"
	SharingBillHeader = "分账发起时间,分账方商户号,微信订单号,微信分账/回退单号,商户分账/回退单号,业务类型,分账接收方类型,分账接收方,分账金额(元),处理状态"
)

// Notification is the envelope WeChat Pay POSTs to a notify_url; Resource is AEAD_AES_256_GCM-encrypted
// under the merchant's APIv3 key.
type Notification struct {
	ID           string               `json:"id"`
	CreateTime   string               `json:"create_time"`
	EventType    string               `json:"event_type"`
	ResourceType string               `json:"resource_type"`
	Resource     NotificationResource `json:"resource"`
	Summary      string               `json:"summary"`
}

type NotificationResource struct {
	OriginalType   string `json:"original_type"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}
