package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// publish records ev once and starts a WebhookDelivery workflow for each of its pending deliveries, on this
// worker's task queue. Without a Temporal client (activity tests) there are no webhooks.
func (a *Activities) publish(ctx context.Context, ev webhooks.Event) error {
	if a.Temporal == nil {
		return nil
	}
	pending, err := webhooks.Record(ctx, a.DB, ev)
	if err != nil {
		return err
	}
	for _, d := range pending {
		in := workflows.WebhookDeliveryInput{SubscriptionID: d.SubscriptionID, EventID: d.EventID, Settings: a.Webhooks}
		_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       workflows.WebhookWorkflowID(d.SubscriptionID, d.EventID),
			TaskQueue:                activity.GetInfo(ctx).TaskQueue,
			StaticSummary:            in.Summary(),
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				workflows.AttrStatus.ValueSet(workflows.WebhookDelivering), workflows.AttrWaitingFor.ValueSet("receiver")),
		}, workflows.WebhookDelivery, in)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if err != nil && !errors.As(err, &started) {
			return fmt.Errorf("start delivery %s: %w", d.WorkflowID(), err)
		}
	}
	return nil
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
