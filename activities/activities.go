// Package activities implements the activities that workflows name in their contract: thin, idempotent calls
// to one channel method or one ledger method. Activities holds the dependencies; the worker registers one
// instance, so each exported method becomes an activity of the same name. Every channel call carries an
// out-number the workflow derived from the business key, so a retried activity repeats the same request.
package activities

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// Channel is what the activities ask of one payment channel.
//
// These are what every channel speaks. Subsidies, onboarding, funds and settlement confirms are capabilities a
// channel may have (WeChat Pay has the first three, Alipay the last): an activity that needs one asks for it
// through withCapability.
type Channel interface {
	channels.Payments
	channels.ProfitSharing
	channels.Refunds
}

// Activities holds what the activities need. Every exported method is registered as an activity.
type Activities struct {
	DB       *pgxpool.Pool
	Ledger   *ledger.Ledger
	Channels map[string]Channel  // by channel name: channels.WeChatPay, ...
	Events   *webhooks.Publisher // the events activities publish (nil: none)
	Metrics  *metrics.Metrics    // risk alerts (nil: not counted)
}

// onChannel runs call on the named channel; its error reaches Temporal through forTemporal, the one way.
func onChannel[Out any](a *Activities, name string, call func(Channel) (Out, error)) (Out, error) {
	ch, err := a.channel(name)
	if err != nil {
		var zero Out
		return zero, err
	}
	out, err := call(ch)
	return out, forTemporal(err)
}

// withCapability runs call on the named channel's capability C. A channel without it is refused for good:
// no retry will give a channel an API it does not have.
func withCapability[C, Out any](a *Activities, name, what string, call func(C) (Out, error)) (Out, error) {
	return onChannel(a, name, func(ch Channel) (Out, error) {
		c, ok := ch.(C)
		if !ok {
			var zero Out
			return zero, &channels.BusinessError{Channel: name, Code: "UNSUPPORTED", Reason: channels.ReasonInvalid,
				Message: name + " has no " + what}
		}
		return call(c)
	})
}

// channel returns the named channel, or a non-retryable error: no retry will configure a missing channel.
func (a *Activities) channel(name string) (Channel, error) {
	if c, ok := a.Channels[name]; ok {
		return c, nil
	}
	return nil, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("channel %q is not configured on this worker", name),
		workflows.ErrTypeChannelNotConfigured,
		nil,
	)
}
