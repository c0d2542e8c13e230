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

	"github.com/shopspring/decimal"
)

// Channel names, as they appear in ledger keys and search attributes.
const (
	WeChatPay = "wechatpay"
	Alipay    = "alipay"
)

// Names lists the channels SplitPay speaks, the first being the default where a request names none.
var Names = []string{WeChatPay, Alipay}

// Limits are a channel's rules on sizes and counts, and how long it holds frozen money. Each channel has its
// own (WeChatLimits, AlipayLimits); live channels have moved some figures, so they are configuration.
type Limits struct {
	MaxSubOrders           int             // sub-orders in one combined (merged) order
	MaxReceiversPerSharing int             // receivers in one sharing request
	MaxSharingsPerOrder    int             // sharing requests per sub-order
	MaxSharingRatio        decimal.Decimal // most of a sub-order that may be shared away
	MaxRefundsPerOrder     int             // partial refunds per sub-order
	// FreezeDays is how long the channel holds a sub-order's frozen money before it releases the rest to the
	// merchant by itself; sharing must finish before then. WeChat counts from payment, Alipay from the
	// settlement confirm that requested the freeze, which never comes before payment: counting from payment
	// is safe for both.
	FreezeDays int
	// ConfirmBeforeSharing says the channel holds a paid sub-order unsettled until the platform confirms
	// settlement (Alipay 直付通's alipay.trade.settle.confirm, which requests the freeze); WeChat freezes at
	// payment and needs no confirm.
	ConfirmBeforeSharing bool
	// Subsidies says the channel can pay a platform subsidy (补差) into a sub-order before sharing (WeChat's
	// subsidies API). Alipay's equivalent, a replenish royalty, is not wired yet, so its orders take none.
	Subsidies bool
	// RefundReversesShares says a refund names the receivers that give their shares back, in the same call
	// (Alipay's refund_royalty_parameters); otherwise shares come back by separate return orders (WeChat).
	RefundReversesShares bool
}

// WeChatLimits are SPEC.md's figures for WeChat Pay 电商收付通.
func WeChatLimits() Limits {
	return Limits{
		MaxSubOrders:           50,
		MaxReceiversPerSharing: 5,
		MaxSharingsPerOrder:    20,
		MaxSharingRatio:        decimal.RequireFromString("0.30"),
		MaxRefundsPerOrder:     50,
		FreezeDays:             180,
		Subsidies:              true,
	}
}

// AlipayLimits are Alipay 直付通's documented figures for synchronous alipay.trade.order.settle (50 requests
// of 5 receivers per order), its 30-day auto-unfreeze, and the 30 % sharing cap that is documented for 商家分账
// and assumed here until alipay.trade.royalty.rate.query or configuration says otherwise. The merged-payment
// sub-order limit is not documented; 10 is our assumption.
func AlipayLimits() Limits {
	return Limits{
		MaxSubOrders:           10,
		MaxReceiversPerSharing: 5,
		MaxSharingsPerOrder:    50,
		MaxSharingRatio:        decimal.RequireFromString("0.30"),
		MaxRefundsPerOrder:     50,
		FreezeDays:             30,
		ConfirmBeforeSharing:   true,
		RefundReversesShares:   true,
	}
}

// DefaultLimits returns the named channel's documented limits (WeChat's for an unknown name).
func DefaultLimits(channel string) Limits {
	if channel == Alipay {
		return AlipayLimits()
	}
	return WeChatLimits()
}

// LimitsOf is configured[channel], or the channel's documented limits when none are configured.
func LimitsOf(configured map[string]Limits, channel string) Limits {
	if l, ok := configured[channel]; ok && l != (Limits{}) {
		return l
	}
	return DefaultLimits(channel)
}

// Reason is what a channel's refusal means in words common to every channel; BusinessError.Code keeps the
// channel's own code for people. Workflows decide on reasons, never on one channel's codes.
type Reason string

// Reasons that callers act on. A refusal with none of these meanings has ReasonOther.
const (
	ReasonOther         Reason = ""
	ReasonInvalid       Reason = "INVALID"        // the request's content is wrong (Field names it when known)
	ReasonAlreadyPaid   Reason = "ALREADY_PAID"   // closing an order the buyer has paid
	ReasonNotFound      Reason = "NOT_FOUND"      // no such order, refund or request at the channel
	ReasonAlreadyClosed Reason = "ALREADY_CLOSED" // closing an order that is closed
	ReasonNotEnough     Reason = "NOT_ENOUGH"     // not enough money where the channel looked
	ReasonNotReady      Reason = "NOT_READY"      // a day's bill the channel has not made yet: ask again later
)

// BusinessError is a channel's refusal or failure, with the channel's own code. Retryable failures (5xx,
// timeouts, a system error, rate limits) may be repeated with the identical request; the rest are business
// rejections that a retry cannot fix. The adapter classifies, because only it knows its channel's codes.
type BusinessError struct {
	Channel    string
	HTTPStatus int    // 0 when no HTTP answer came (timeout, connection refused)
	Code       string // the channel's code, e.g. NOT_ENOUGH, ACQ.TRADE_NOT_EXIST
	Reason     Reason
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

// IsReason reports whether err is a BusinessError with the given reason.
func IsReason(err error, r Reason) bool {
	var be *BusinessError
	return errors.As(err, &be) && be.Reason == r && r != ReasonOther
}

// CodeTimeout is the code adapters give a call that got no verified answer: no channel sent it.
const CodeTimeout = "TIMEOUT"
