// Package channels defines what SplitPay asks of a payment channel — combined payments, profit sharing,
// subsidies, refunds, notifications — as small interfaces with channel-neutral request and result types,
// the channel's limits, and one typed error that says whether a failure may be retried. The adapters
// (channels/wechatpay, …) implement them; channels know nothing of Temporal or the ledger.
//
// Every request carries the caller's out-number (out_trade_no, out_order_no, out_refund_no, …), derived from
// the business key, so repeating a call repeats the same request at the channel.
package channels

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/shopspring/decimal"
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
