package wire

import "github.com/splitpay/splitpay/channels"

// Error is the body of every non-2xx answer.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Detail  map[string]any `json:"detail,omitempty"`
}

// WeChat Pay's error codes that the adapter or the simulator name: one table for both.
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
)

// retryableCodes are the documented codes that a repeat of the identical request may cure.
var retryableCodes = map[string]bool{
	CodeSystemError: true, CodeFrequencyLimited: true, CodeBankError: true, CodeUserPaying: true,
	channels.CodeTimeout: true,
}

// reasons are the documented business rejections and what each means; a code in neither table falls back to
// its HTTP status.
var reasons = map[string]channels.Reason{
	CodeParamError: channels.ReasonInvalid, CodeInvalidRequest: channels.ReasonInvalid,
	CodeSignError: channels.ReasonOther, CodeNoAuth: channels.ReasonOther, CodeRuleLimit: channels.ReasonInvalid,
	"RULELIMIT": channels.ReasonInvalid, CodeOutTradeNoUsed: channels.ReasonOther, CodeTradeError: channels.ReasonOther,
	CodeOrderNotExist: channels.ReasonNotFound, "ORDERNOTEXIST": channels.ReasonNotFound,
	CodeNoStatementExist: channels.ReasonNotFound, CodeStatementCreating: channels.ReasonNotReady,
	CodeResourceNotExist: channels.ReasonNotFound, CodeNotEnough: channels.ReasonNotEnough,
	CodeOrderClosed: channels.ReasonAlreadyClosed, CodeOrderPaid: channels.ReasonAlreadyPaid,
	"ACCOUNT_ERROR": channels.ReasonOther, "ACCOUNTERROR": channels.ReasonOther, "REQUEST_BLOCKED": channels.ReasonOther,
	"ALREADY_EXISTS": channels.ReasonOther, "NOT_FOUND": channels.ReasonNotFound, "MCH_NOT_EXISTS": channels.ReasonOther,
	"APPID_MCHID_NOT_MATCH": channels.ReasonOther, "INVALID_TRANSACTIONID": channels.ReasonInvalid,
}

// Classify says what a WeChat code and HTTP status mean: documented codes by their meaning, unknown codes by
// status (5xx, 429 and no answer retry; other 4xx do not).
func Classify(code string, status int) (retryable bool, reason channels.Reason) {
	if retryableCodes[code] {
		return true, channels.ReasonOther
	}
	if r, ok := reasons[code]; ok {
		return false, r
	}
	return status >= 500 || status == 429 || status == 0, channels.ReasonOther
}
