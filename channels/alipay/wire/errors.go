package wire

import (
	"strings"

	"github.com/splitpay/splitpay/channels"
)

// Public codes (the response's code) and the sub_codes SplitPay or alisim name. Business failures are signed
// answers with code 40004 and a sub_code; only the sub_code says what happened.
const (
	CodeSuccess         = "10000"
	CodePaying          = "10003" // order created, payment in progress
	CodeUnavailable     = "20000" // 服务不可用: retry
	CodeAuthFailed      = "20001"
	CodeMissingParam    = "40001"
	CodeInvalidParam    = "40002"
	CodeConditions      = "40003"
	CodeBusinessFailed  = "40004"
	CodeCallLimited     = "40005" // 调用频次超限: retry
	CodeNoPermission    = "40006"
	SubSystemError      = "ACQ.SYSTEM_ERROR"
	SubInvalidParameter = "ACQ.INVALID_PARAMETER"
	SubTradeNotExist    = "ACQ.TRADE_NOT_EXIST"
	SubTradeHasSuccess  = "ACQ.TRADE_HAS_SUCCESS"
	SubTradeHasClose    = "ACQ.TRADE_HAS_CLOSE"
	SubTradeStatusError = "ACQ.TRADE_STATUS_ERROR"
	SubContextConflict  = "ACQ.CONTEXT_INCONSISTENT"      // an out_trade_no reused with other content
	SubDiscordantRepeat = "ACQ.DISCORDANT_REPEAT_REQUEST" // an out_request_no reused with other content
	SubRefundTooMuch    = "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
	SubSellerBalance    = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
	SubSettleError      = "ACQ.TRADE_SETTLE_ERROR" // documented as "retry with identical parameters"
	SubAllocAmount      = "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"
	SubRoyaltyNotBound  = "ACQ.ROYALTY_RECEIVER_NOT_BIND" // UNCONFIRMED name: a receiver with no bound relation
	SubSettleLimit      = "ACQ.SETTLE_REQUEST_LIMIT"      // UNCONFIRMED name: more than the per-order requests
	SubMergeLimit       = "ACQ.ORDER_DETAIL_LIMIT"        // UNCONFIRMED name: too many merged sub-orders
	SubInvalidSignature = "isv.invalid-signature"
	SubMissingSignature = "isv.missing-signature"
	SubInvalidAppID     = "isv.invalid-app-id"
	SubInvalidMethod    = "isv.invalid-method"
	SubBillNotExist     = "isp.bill_not_exist" // not made yet (before 09:00 the next day); which spelling is live
	// (this or BILL_NOT_EXIST) is UNCONFIRMED
	SubBillInvalidArguments = "INVAILID_ARGUMENTS" // sic, as the bill API's document spells it
	SubBillTypeNotSupported = "TYPE_NOT_SUPPORTED"
	SubBillRateLimit        = "SYSTEM_RATE_LIMIT" // retry after a minute
	SubUnknownError         = "isp.unknow-error"  // sic, as Alipay spells it
	SubCallLimited          = "isv.app-call-limited"
	// 进件 refusals. UNCONFIRMED names: the shared documents list none for ant.merchant.expand.indirect.*.
	SubExpandInvalid        = "INVALID_PARAMETER"      // a field refused; sub_msg names the parameter
	SubExpandInReview       = "ORDER_IN_AUDIT"         // other content under an external_id still in review
	SubExpandMerchantExists = "MERCHANT_ALREADY_EXIST" // the external_id already has a smid
	SubExpandOrderNotExist  = "ORDER_NOT_EXIST"
	SubImageInvalid         = "INVALID_IMAGE" // not jpg, jpeg, png or bmp, empty, or over 10 MB
)

var retryableSubs = map[string]bool{SubSystemError: true, SubSettleError: true, SubUnknownError: true,
	SubBillRateLimit: true}

var subReasons = map[string]channels.Reason{
	SubInvalidParameter: channels.ReasonInvalid, SubAllocAmount: channels.ReasonInvalid,
	SubRoyaltyNotBound: channels.ReasonInvalid, SubSettleLimit: channels.ReasonInvalid,
	SubMergeLimit: channels.ReasonInvalid, SubRefundTooMuch: channels.ReasonInvalid,
	SubTradeNotExist: channels.ReasonNotFound, SubTradeHasSuccess: channels.ReasonAlreadyPaid,
	SubTradeHasClose: channels.ReasonAlreadyClosed, SubSellerBalance: channels.ReasonNotEnough,
	SubBillNotExist: channels.ReasonNotReady, "BILL_NOT_EXIST": channels.ReasonNotReady,
	"NO_BILL_DATA": channels.ReasonNotFound, SubBillInvalidArguments: channels.ReasonInvalid,
	SubBillTypeNotSupported: channels.ReasonInvalid,
	SubExpandInvalid:        channels.ReasonInvalid, SubExpandInReview: channels.ReasonInvalid,
	SubExpandMerchantExists: channels.ReasonInvalid, SubImageInvalid: channels.ReasonInvalid,
	SubExpandOrderNotExist: channels.ReasonNotFound,
}

// Classify says what an answer's code and sub_code mean: documented sub_codes by their meaning, then the public
// code (20000 and 40005 retry; the rest do not).
func Classify(code, subCode string) (retryable bool, reason channels.Reason) {
	switch {
	case code == CodeCallLimited || code == CodeUnavailable:
		return true, channels.ReasonOther
	case retryableSubs[subCode] || strings.HasPrefix(subCode, "isp."):
		return subCode != SubBillNotExist, subReasons[subCode]
	case strings.HasPrefix(subCode, "isv."): // our configuration (keys, app id, method), not the request's content
		return false, channels.ReasonOther
	case code == CodeMissingParam || code == CodeInvalidParam:
		return false, channels.ReasonInvalid
	}
	if r, ok := subReasons[subCode]; ok {
		return false, r
	}
	return code == CodeUnavailable || code == CodeCallLimited, channels.ReasonOther
}
