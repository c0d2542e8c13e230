package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// Rejection is the detail attached to a non-retryable error, for the workflow and ops: the code and field the
// channel or ledger named. Workflows read it as the same type.
type Rejection = workflows.ChannelRejection

// forTemporal is the one place where channel and ledger errors become Temporal errors. Channel business
// rejections and ledger refusals (bad input, conflicting repeat, overdraw) are non-retryable with a stable
// type; retryable channel failures keep their code in the type and are retried by the activity's policy;
// anything else (a database that went away) is returned as is and retried.
func forTemporal(err error) error {
	if err == nil {
		return nil
	}
	var be *channels.BusinessError
	if errors.As(err, &be) {
		if be.Retryable {
			return temporal.NewApplicationErrorWithCause(be.Error(), workflows.ErrTypeChannelRetry+"."+be.Code, err)
		}
		return temporal.NewNonRetryableApplicationError(be.Error(), workflows.ChannelRejectedType(be.Code), err,
			Rejection{Code: be.Code, Reason: be.Reason, Message: be.Message, Field: be.Field})
	}
	var ve *ledger.ValidationError
	var od *ledger.OverdrawError
	switch {
	case errors.As(err, &ve):
		return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeLedgerRejected+".Invalid", err,
			Rejection{Code: "INVALID", Message: ve.Reason, Field: ve.Field})
	case errors.As(err, &od):
		return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeLedgerRejected+".Overdraw", err,
			Rejection{Code: "OVERDRAW", Message: err.Error(), Field: od.Account.Key()})
	case errors.Is(err, ledger.ErrConflict):
		return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeLedgerRejected+".Conflict", err,
			Rejection{Code: "CONFLICT", Message: err.Error()})
	}
	return err
}
