package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
)

// Error types, one home: the types of the application errors that activities and workflows give Temporal, which
// retry policies, ops, the API and workflow code tell apart. A channel's business rejection is non-retryable and
// its type is ErrTypeChannelRejected + "." + the channel's code (e.g. "ChannelRejected.NOT_ENOUGH").
const (
	ErrTypeChannelRejected      = "ChannelRejected"
	ErrTypeChannelRetry         = "ChannelRetryable"
	ErrTypeChannelNotConfigured = "ChannelNotConfigured"
	ErrTypeLedgerRejected       = "LedgerRejected" // + ".Invalid", ".Overdraw", ".Conflict"
	ErrTypeNotConserved         = "LedgerRejected.NotConserved"
	ErrTypeInvalidArgument      = "InvalidArgument" // an activity given input no retry will fix
	ErrTypePlan                 = "PlanError"       // a sharing or clawback plan that cannot be made
	ErrTypeRefund               = "Refund"          // + "." + the channel's final refund state: ABNORMAL, CLOSED
	ErrTypeTimeout              = "Timeout"         // an activity that timed out (not an application error)
	ErrTypeSubOrderFailed       = "SubOrderFailed"

	// Refusals of a caller's request; each message names the field.
	ErrTypeDifferentCart       = "DifferentCart"
	ErrTypeOrderNotPayable     = "OrderNotPayable"
	ErrTypeReceiptNotExpected  = "ReceiptNotExpected"
	ErrTypeInvalidOrder        = "InvalidOrder"
	ErrTypePaymentWindowPassed = "PaymentWindowPassed"
	ErrTypeRefundRejected      = "RefundRejected"
	ErrTypeInvalidApplication  = "InvalidApplication"
	ErrTypeWithdrawalRefused   = "WithdrawalRefused"
	ErrTypeRiskRefused         = "RISK_REFUSED" // a risk rule refused the order; the message names the rule
	ErrTypeNotInReview         = "NotInReview"
)

// ChannelRejectedType is the error type of a channel's business rejection with code.
func ChannelRejectedType(code string) string { return ErrTypeChannelRejected + "." + code }

// errorType is an activity failure's application error type ("ChannelRejected.ORDERPAID"), or "" when the
// failure was not an application error (a timeout, say).
func errorType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return ErrTypeTimeout
	}
	return ""
}

// ChannelRejection is the detail of a ChannelRejected.<CODE> failure: the channel's code, what it means in
// words common to every channel, the message and the request field it named (activities attach it; the shape
// must match activities.Rejection).
type ChannelRejection struct {
	Code    string
	Reason  channels.Reason
	Message string
	Field   string
}

// legacyReasons read the WeChat codes that histories recorded before rejections carried a Reason, so those
// histories take the same branches on replay. New failures always carry their Reason.
var legacyReasons = map[string]channels.Reason{
	"ORDERPAID": channels.ReasonAlreadyPaid, "ORDER_NOT_EXIST": channels.ReasonNotFound,
	"ORDERNOTEXIST": channels.ReasonNotFound, "PARAM_ERROR": channels.ReasonInvalid,
	"INVALID_REQUEST": channels.ReasonInvalid,
}

// channelRejection reads a channel's business rejection out of an activity failure.
func channelRejection(err error) (ChannelRejection, bool) {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.Type(), ErrTypeChannelRejected+".") {
		return ChannelRejection{}, false
	}
	r := ChannelRejection{Code: strings.TrimPrefix(ae.Type(), ErrTypeChannelRejected+"."), Message: ae.Message()}
	if ae.HasDetails() {
		_ = ae.Details(&r)
	}
	if r.Reason == channels.ReasonOther {
		r.Reason = legacyReasons[r.Code]
	}
	return r, true
}

// stepError records a failed step for the state and the search attributes.
func stepError(ctx workflow.Context, step string, err error) *StepError {
	return &StepError{Step: step, Type: errorType(err), Message: err.Error(), At: workflow.Now(ctx)}
}

// InputError is a request the order refuses, naming the field.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }
