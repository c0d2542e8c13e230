package starter

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/workflows"
)

// ReplayDelivery tries a webhook delivery again for another retry window: a dead letter waiting for ops gets
// a Resume; one whose workflow has ended (delivered, or a dead letter past keeping) runs again.
func (c *Client) ReplayDelivery(ctx context.Context, subscriptionID, eventID, by, reason string) error {
	if by == "" {
		return &InputError{Field: "by", Reason: "required: who replays it"}
	}
	in := workflows.WebhookDeliveryInput{SubscriptionID: subscriptionID, EventID: eventID, Settings: c.WebhookSettings}
	_, err := c.Temporal.SignalWithStartWorkflow(ctx, workflows.WebhookWorkflowID(subscriptionID, eventID),
		workflows.SignalResume, workflows.ResumeRequest{By: by, Reason: reason},
		client.StartWorkflowOptions{TaskQueue: c.taskQueue(), StaticSummary: in.Summary(),
			TypedSearchAttributes: temporal.NewSearchAttributes(
				workflows.AttrStatus.ValueSet(workflows.WebhookDelivering), workflows.AttrWaitingFor.ValueSet("receiver"))},
		workflows.WebhookDelivery, in)
	return fromTemporal(err, "replay "+workflows.WebhookWorkflowID(subscriptionID, eventID))
}
