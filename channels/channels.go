// Package channels defines what SplitPay asks of a payment channel — combined payments, profit sharing,
// subsidies, refunds, notifications — as small interfaces with channel-neutral request and result types,
// the channel's limits, and one typed error that says whether a failure may be retried. The adapters
// (channels/wechatpay, …) implement them; channels know nothing of Temporal or the ledger.
//
// Every request carries the caller's out-number (out_trade_no, out_order_no, out_refund_no, …), derived from
// the business key, so repeating a call repeats the same request at the channel.
package channels

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/money"
)

// Channel names, as they appear in ledger keys and search attributes.
const (
	WeChatPay = "wechatpay"
	Alipay    = "alipay"
)

// Limits are a channel's rules on sizes and counts. SPEC.md's figures are the defaults; live channels have
// moved some (WeChat's 2025 documentation allows 50 sharing requests × 50 receivers), so they are configuration.
type Limits struct {
	MaxSubOrders           int             // sub-orders in one combined order (WeChat platform mode: 50)
	MaxReceiversPerSharing int             // receivers in one sharing request (5)
	MaxSharingsPerOrder    int             // sharing requests per sub-order (20)
	MaxSharingRatio        decimal.Decimal // most of a sub-order that may be shared away (0.30)
	MaxRefundsPerOrder     int             // partial refunds per sub-order (50)
	FreezeDays             int             // frozen funds auto-unfreeze after this many days (180)
}

// DefaultLimits returns SPEC.md's defaults.
func DefaultLimits() Limits {
	return Limits{
		MaxSubOrders:           50,
		MaxReceiversPerSharing: 5,
		MaxSharingsPerOrder:    20,
		MaxSharingRatio:        decimal.RequireFromString("0.30"),
		MaxRefundsPerOrder:     50,
		FreezeDays:             180,
	}
}

// BusinessError is a channel's refusal or failure, with the channel's own code. Retryable failures (5xx,
// timeouts, SYSTEM_ERROR, FREQUENCY_LIMITED) may be repeated with the identical request; the rest are
// business rejections that a retry cannot fix.
type BusinessError struct {
	Channel    string
	HTTPStatus int    // 0 when no HTTP answer came (timeout, connection refused)
	Code       string // e.g. NOT_ENOUGH, RULE_LIMIT
	Message    string
	Field      string // the request field the channel named, when it did
	Retryable  bool
}

func (e *BusinessError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Channel, e.Code, e.Message)
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// IsCode reports whether err is a BusinessError with the given channel code.
func IsCode(err error, code string) bool {
	var be *BusinessError
	return errors.As(err, &be) && be.Code == code
}

// Codes whose meaning we rely on, beyond their classification.
const (
	CodeSystemError      = "SYSTEM_ERROR"
	CodeFrequencyLimited = "FREQUENCY_LIMITED"
	CodeParamError       = "PARAM_ERROR"
	CodeInvalidRequest   = "INVALID_REQUEST"
	CodeSignError        = "SIGN_ERROR"
	CodeNoAuth           = "NO_AUTH"
	CodeRuleLimit        = "RULE_LIMIT"
	CodeOutTradeNoUsed   = "OUT_TRADE_NO_USED"
	CodeTradeError       = "TRADE_ERROR"
	CodeOrderNotExist    = "ORDER_NOT_EXIST"
	CodeResourceNotExist = "RESOURCE_NOT_EXISTS"
	CodeNotEnough        = "NOT_ENOUGH"
	CodeOrderClosed      = "ORDER_CLOSED"
	CodeOrderPaid        = "ORDERPAID"
	CodeUserPaying       = "USERPAYING"
	CodeBankError        = "BANK_ERROR"
	CodeTimeout          = "TIMEOUT" // ours: no answer within the deadline
)

// retryableCodes are the documented codes that a repeat of the identical request may cure.
var retryableCodes = map[string]bool{
	CodeSystemError: true, CodeFrequencyLimited: true, CodeBankError: true, CodeUserPaying: true, CodeTimeout: true,
}

// nonRetryableCodes are documented business rejections. A code in neither set falls back to its HTTP status.
var nonRetryableCodes = map[string]bool{
	CodeParamError: true, CodeInvalidRequest: true, CodeSignError: true, CodeNoAuth: true, CodeRuleLimit: true,
	"RULELIMIT": true, CodeOutTradeNoUsed: true, CodeTradeError: true, CodeOrderNotExist: true, "ORDERNOTEXIST": true,
	CodeResourceNotExist: true, CodeNotEnough: true, CodeOrderClosed: true, CodeOrderPaid: true,
	"ACCOUNT_ERROR": true, "ACCOUNTERROR": true, "REQUEST_BLOCKED": true, "ALREADY_EXISTS": true, "NOT_FOUND": true,
	"MCH_NOT_EXISTS": true, "APPID_MCHID_NOT_MATCH": true, "INVALID_TRANSACTIONID": true,
}

// Retryable classifies a channel code and HTTP status: documented codes by their meaning, unknown codes by
// status (5xx and 429 retry, other 4xx do not).
func Retryable(code string, status int) bool {
	switch {
	case retryableCodes[code]:
		return true
	case nonRetryableCodes[code]:
		return false
	}
	return status >= 500 || status == http.StatusTooManyRequests || status == 0
}

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

// PaymentParams is what the buyer's client needs to pay: exactly one of the fields is set.
type PaymentParams struct {
	PrepayID string
	H5URL    string
	CodeURL  string
}

// SubOrderState is a sub-order as the channel reports it.
type SubOrderState struct {
	SubMchID      string
	OutTradeNo    string
	TransactionID string
	TradeState    string // SUCCESS, REFUND, NOTPAY, CLOSED, USERPAYING, PAYERROR
	Amount        money.Amount
	PayerAmount   money.Amount
	SuccessTime   string
}

// Trade states.
const (
	TradeSuccess  = "SUCCESS"
	TradeRefund   = "REFUND"
	TradeNotPay   = "NOTPAY"
	TradeClosed   = "CLOSED"
	TradePaying   = "USERPAYING"
	TradePayError = "PAYERROR"
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
	QueryCombined(ctx context.Context, outTradeNo string) (CombinedOrderState, error)
	// CloseCombined closes every sub-order; subOrders must list them exactly as created.
	CloseCombined(ctx context.Context, appID, outTradeNo string, subOrders []SubOrder) error
}

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

// SubsidyRequest pays (补差) the platform's coupon money to a sub-merchant for a sub-order.
type SubsidyRequest struct {
	SubMchID      string
	TransactionID string
	OutSubsidyNo  string
	Amount        money.Amount
	Description   string
	RefundID      string // needed when the amount is below the order-time subsidy because of a refund
}

// SubsidyReturnRequest gives a subsidy back to the platform after a refund (补差回退).
type SubsidyReturnRequest struct {
	SubMchID      string
	OutOrderNo    string // a new number per return
	TransactionID string
	RefundID      string
	Amount        money.Amount
	Description   string
	From          string // FundsFrozen or FundsAvailable: the sub-merchant account it comes from
}

// SubsidyState is a subsidy or subsidy return's outcome.
type SubsidyState struct {
	SubsidyID string // subsidy_id, or subsidy_refund_id for a return
	Amount    money.Amount
	Result    string // SUCCESS | FAIL | REFUND
}

// Subsidies pays, returns and cancels subsidies.
type Subsidies interface {
	CreateSubsidy(ctx context.Context, r SubsidyRequest) (SubsidyState, error)
	ReturnSubsidy(ctx context.Context, r SubsidyReturnRequest) (SubsidyState, error)
	CancelSubsidy(ctx context.Context, subMchID, transactionID, description string) error
}

// RefundRequest refunds part or all of one sub-order.
type RefundRequest struct {
	SubMchID      string
	AppID         string
	TransactionID string
	OutRefundNo   string
	Reason        string
	Refund        money.Amount
	Total         money.Amount // the sub-order's amount
	NotifyURL     string
	// From is where the sub-merchant's money comes from: FundsFrozen (the default while the order is pending
	// split; the channel refuses a refund larger than what is left unsplit) or FundsAvailable.
	From string
}

// Funds sources of a refund or subsidy return: the order's frozen (pending-split) money, or the sub-merchant's
// available balance. After finish every refund comes from available money.
const (
	FundsFrozen    = "FROZEN"
	FundsAvailable = "AVAILABLE"
)

// Refund states.
const (
	RefundSuccess    = "SUCCESS"
	RefundProcessing = "PROCESSING"
	RefundAbnormal   = "ABNORMAL"
	RefundClosed     = "CLOSED" // the channel may say REFUNDCLOSE or CLOSE; adapters normalise
)

// RefundState is a refund as the channel reports it.
type RefundState struct {
	SubMchID      string
	RefundID      string
	OutRefundNo   string
	TransactionID string
	OutTradeNo    string
	Status        string
	Refund        money.Amount
	SuccessTime   string
	From          string // FundsFrozen or FundsAvailable: where the channel took the money from
}

// Refunds applies and queries refunds.
type Refunds interface {
	ApplyRefund(ctx context.Context, r RefundRequest) (RefundState, error)
	QueryRefund(ctx context.Context, subMchID, outRefundNo string) (RefundState, error)
	QueryRefundByID(ctx context.Context, subMchID, refundID string) (RefundState, error)
}

// ErrNotificationRejected marks a notification that failed verification or decryption: answer 4xx and
// change nothing.
var ErrNotificationRejected = errors.New("notification rejected")

// Notification is a verified, decrypted notification's envelope.
type Notification struct {
	ID        string // the channel's notification id, for the inbox
	EventType string // TRANSACTION.SUCCESS, REFUND.SUCCESS, ...
	Plaintext []byte // the decrypted resource
}

// Notifications verifies and decrypts the channel's notifications.
type Notifications interface {
	ParsePaymentNotification(r *http.Request) (Notification, CombinedOrderState, error)
	ParseRefundNotification(r *http.Request) (Notification, RefundState, error)
}

// Balance is a sub-merchant's money at the channel: available (withdrawable) and pending (frozen).
type Balance struct {
	SubMchID  string
	Available money.Amount
	Pending   money.Amount
}

// WithdrawRequest moves available money to the sub-merchant's bank account (提现).
type WithdrawRequest struct {
	SubMchID     string
	OutRequestNo string // ours; never changed after a SYSTEM_ERROR
	Amount       money.Amount
	Remark       string
	BankMemo     string
}

// Withdrawal states.
const (
	WithdrawCreated  = "CREATE_SUCCESS"
	WithdrawSuccess  = "SUCCESS"
	WithdrawFail     = "FAIL"
	WithdrawRefunded = "REFUND" // the bank bounced it after SUCCESS
	WithdrawClosed   = "CLOSE"
	WithdrawInit     = "INIT" // retry with the identical request
)

// WithdrawState is a withdrawal as the channel reports it.
type WithdrawState struct {
	SubMchID     string
	WithdrawID   string
	OutRequestNo string
	Status       string
	Amount       money.Amount
	Reason       string
}

// Funds reads balances and withdraws.
type Funds interface {
	Balance(ctx context.Context, subMchID string) (Balance, error)
	Withdraw(ctx context.Context, r WithdrawRequest) (WithdrawState, error)
	QueryWithdraw(ctx context.Context, subMchID, outRequestNo string) (WithdrawState, error)
}

// Applyment is a shop's onboarding application (二级商户进件). Fields marked sensitive are personal data: the
// adapter encrypts them with the channel's public key, and they must never be logged.
type Applyment struct {
	OutRequestNo          string
	OrganizationType      string // 2401 小微, 2500 个人卖家, 4 个体户, 2 企业, ...
	BusinessLicenseCopy   string // media id
	BusinessLicenseNumber string
	MerchantName          string
	LegalPerson           string
	IDCardCopy            string // media id
	IDCardNational        string // media id
	IDCardName            string // sensitive
	IDCardNumber          string // sensitive
	IDCardValidTimeBegin  string
	IDCardValidTime       string
	BankAccountType       string // 74 对公 / 75 对私
	AccountBank           string
	AccountName           string // sensitive
	BankAddressCode       string
	AccountNumber         string // sensitive
	ContactType           string // 65 法人 / 66 经办人
	ContactName           string // sensitive
	ContactIDNumber       string // sensitive
	MobilePhone           string // sensitive
	ContactEmail          string // sensitive
	StoreName             string
	StoreURL              string
	MerchantShortname     string
}

// Applyment states.
const (
	ApplymentChecking      = "CHECKING"
	ApplymentAccountVerify = "ACCOUNT_NEED_VERIFY"
	ApplymentAuditing      = "AUDITING"
	ApplymentNeedSign      = "NEED_SIGN"
	ApplymentFinish        = "FINISH"
	ApplymentRejected      = "REJECTED"
	ApplymentFrozen        = "FROZEN"
)

// AccountValidation tells the shop how to prove its bank account: remit PayAmount to the destination account
// before Deadline with Remark.
type AccountValidation struct {
	AccountName, AccountNo   string // masked by the channel
	PayAmount                money.Amount
	DestinationAccountNumber string
	DestinationAccountName   string
	DestinationAccountBank   string
	City, Remark, Deadline   string
}

// Rejection is one field the channel refused, and why.
type Rejection struct {
	ParamName    string
	RejectReason string
}

// ApplymentState is an application as the channel reports it.
type ApplymentState struct {
	ApplymentID        int64
	OutRequestNo       string
	State              string
	StateDesc          string
	SignState          string
	SignURL            string
	SubMchID           string
	AccountValidation  *AccountValidation
	AuditDetail        []Rejection
	LegalValidationURL string
}

// Onboarding submits and tracks applications. There is no notification: callers poll.
type Onboarding interface {
	SubmitApplyment(ctx context.Context, a Applyment) (applymentID int64, err error)
	QueryApplyment(ctx context.Context, outRequestNo string) (ApplymentState, error)
}

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
