package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// WebhookDelivery delivers one event to one subscriber (id WebhookWorkflowID): the Deliver activity posts it,
// signed, and is retried with backoff for the settings' window (24 hours); then the delivery is a dead letter,
// waiting in DEAD_LETTER (ops:replay) for a Resume signal — the API's replay — to try for another window.
func WebhookDelivery(ctx workflow.Context, in WebhookDeliveryInput) (WebhookDeliveryState, error) {
	in.Settings = in.Settings.withDefaults()
	p := newProcess(ctx, WebhookDelivering)
	for {
		p.set(ctx, WebhookDelivering, "receiver")
		res, err := ActivityDeliver.Run(deliverOptions(ctx, in.Settings), in)
		switch {
		case err == nil && res.Gone:
			p.note(ctx, "the subscription was deleted: nothing sent")
			p.set(ctx, WebhookCancelled, "")
			return WebhookDeliveryState{Status: p.status}, nil
		case err == nil:
			p.note(ctx, "delivered: the receiver answered %d", res.Status)
			p.set(ctx, WebhookDelivered, "")
			return WebhookDeliveryState{Status: p.status, ReceiverStatus: res.Status}, nil
		}
		p.lastError = stepError(ctx, "deliver", err)
		p.note(ctx, "not delivered within %s (%s): a dead letter", in.Settings.Window, p.lastError.Type)
		if err := ActivityMarkDeadLetter.Start(ledgerOptions(ctx), in).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("dead letter not recorded", "error", err)
		}
		p.set(ctx, WebhookDeadLetter, "ops:replay")
		var r ResumeRequest
		if ok, _ := p.resumes.ReceiveWithTimeout(ctx, in.Settings.KeepDead, &r); !ok {
			return WebhookDeliveryState{Status: p.status}, nil
		}
		p.note(ctx, "replayed by %s: %s", r.By, r.Reason)
	}
}

// deliverOptions retry the delivery with backoff until the window closes.
func deliverOptions(ctx workflow.Context, s WebhookSettings) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: s.Window,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: s.FirstRetry, BackoffCoefficient: 2,
			MaximumInterval: s.MaxRetry},
	})
}

// Webhook delivery statuses (SplitPayStatus).
const (
	WebhookDelivering = "DELIVERING"
	WebhookDelivered  = "DELIVERED"
	WebhookDeadLetter = "DEAD_LETTER"
	WebhookCancelled  = "CANCELLED"
)

// WebhookWorkflowID is the delivery of one event to one subscription.
func WebhookWorkflowID(subscriptionID, eventID string) string {
	return "webhook/" + subscriptionID + "/" + eventID
}

// WebhookDeliveryInput names the delivery; its event and subscription are read from PostgreSQL when it runs.
type WebhookDeliveryInput struct {
	SubscriptionID string
	EventID        string
	Settings       WebhookSettings
}

// Summary is the delivery's line in the UI.
func (in WebhookDeliveryInput) Summary() string {
	return fmt.Sprintf("webhook %s to %s", in.EventID, in.SubscriptionID)
}

// WebhookSettings time a delivery; zero fields take the defaults.
type WebhookSettings struct {
	FirstRetry time.Duration // 10 s: the first retry's wait, doubling up to MaxRetry
	MaxRetry   time.Duration // 1 h
	Window     time.Duration // 24 h of retries before the dead letter
	KeepDead   time.Duration // 30 days a dead letter waits for a replay
}

func (s WebhookSettings) withDefaults() WebhookSettings {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&s.FirstRetry, 10*time.Second)
	def(&s.MaxRetry, time.Hour)
	def(&s.Window, 24*time.Hour)
	def(&s.KeepDead, 30*24*time.Hour)
	return s
}

// WebhookDeliveryState is the delivery's result.
type WebhookDeliveryState struct {
	Status         string
	ReceiverStatus int
}

// DeliverResult is one successful attempt: the receiver's status, or Gone when the subscription was deleted.
type DeliverResult struct {
	Status int
	Gone   bool
}
