package activities

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// publish tells subscribers of ev (Activities.Events; none without it).
func (a *Activities) publish(ctx context.Context, ev webhooks.Event) error {
	return a.Events.Publish(ctx, ev)
}

// receivers posts deliveries: a slow receiver is cut off, and a redirect is an answer, not followed.
var receivers = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Deliver posts the event to the subscriber, signed; a 2xx answer delivers it, anything else is retried by the
// workflow's policy (each attempt recorded).
func (a *Activities) Deliver(ctx context.Context, in workflows.WebhookDeliveryInput) (workflows.DeliverResult, error) {
	d := webhooks.Delivery{SubscriptionID: in.SubscriptionID, EventID: in.EventID}
	t, err := webhooks.Load(ctx, a.DB, d)
	if err != nil {
		return workflows.DeliverResult{}, err
	}
	if t.Gone {
		return workflows.DeliverResult{Gone: true}, webhooks.Mark(ctx, a.DB, d, "CANCELLED", 0, "")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(t.Body))
	if err != nil {
		return workflows.DeliverResult{}, temporal.NewNonRetryableApplicationError(err.Error(),
			workflows.ErrTypeInvalidArgument, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "SplitPay-Webhooks/1")
	req.Header.Set(webhooks.HeaderSignature, webhooks.Sign(t.Secret, time.Now(), t.Body))
	req.Header.Set(webhooks.HeaderEventID, in.EventID)
	req.Header.Set(webhooks.HeaderEventType, t.Type)
	resp, err := receivers.Do(req)
	if err != nil {
		_ = webhooks.Mark(ctx, a.DB, d, "PENDING", 0, err.Error())
		return workflows.DeliverResult{}, temporal.NewApplicationError("receiver unreachable: "+err.Error(), "ReceiverFailed")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_ = webhooks.Mark(ctx, a.DB, d, "PENDING", resp.StatusCode, resp.Status)
		return workflows.DeliverResult{}, temporal.NewApplicationError("receiver answered "+resp.Status, "ReceiverFailed")
	}
	return workflows.DeliverResult{Status: resp.StatusCode}, webhooks.Mark(ctx, a.DB, d, "DELIVERED", resp.StatusCode, "")
}

// MarkDeadLetter records that the delivery's window passed without a 2xx.
func (a *Activities) MarkDeadLetter(ctx context.Context, in workflows.WebhookDeliveryInput) (workflows.Done, error) {
	return workflows.Done{}, webhooks.Mark(ctx, a.DB,
		webhooks.Delivery{SubscriptionID: in.SubscriptionID, EventID: in.EventID}, "DEAD", 0, "retry window passed")
}
