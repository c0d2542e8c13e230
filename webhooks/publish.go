package webhooks

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/workflows"
)

// Publisher publishes events and replays deliveries: the worker's activities and the API share it. A nil
// *Publisher publishes nothing.
type Publisher struct {
	DB        *pgxpool.Pool
	Temporal  client.Client
	TaskQueue string
	Settings  workflows.WebhookSettings // the deliveries' retries; zero: 24 hours
}

// Publish records ev once and starts a WebhookDelivery workflow for each of its pending deliveries (one already
// running is used as it is).
func (p *Publisher) Publish(ctx context.Context, ev Event) error {
	if p == nil {
		return nil
	}
	pending, err := Record(ctx, p.DB, ev)
	if err != nil {
		return err
	}
	for _, d := range pending {
		opts, in := p.start(d)
		opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
		if _, err := p.Temporal.ExecuteWorkflow(ctx, opts, workflows.WebhookDelivery, in); err != nil {
			return fmt.Errorf("start delivery %s: %w", d.WorkflowID(), err)
		}
	}
	return nil
}

// Replay tries a delivery again for another retry window: a dead letter waiting for ops gets a Resume; one
// whose workflow has ended (delivered, or a dead letter past keeping) runs again. ErrNoDelivery when there is
// none to replay.
func (p *Publisher) Replay(ctx context.Context, d Delivery, by, reason string) error {
	if p == nil {
		return errors.New("webhooks: no publisher configured")
	}
	if err := Reopen(ctx, p.DB, d); err != nil {
		return err
	}
	opts, in := p.start(d)
	_, err := p.Temporal.SignalWithStartWorkflow(ctx, d.WorkflowID(), workflows.SignalResume,
		workflows.ResumeRequest{By: by, Reason: reason}, opts, workflows.WebhookDelivery, in)
	return err
}

// start is how a delivery's workflow starts: its id, summary and search attributes, and its input.
func (p *Publisher) start(d Delivery) (client.StartWorkflowOptions, workflows.WebhookDeliveryInput) {
	in := workflows.WebhookDeliveryInput{SubscriptionID: d.SubscriptionID, EventID: d.EventID, Settings: p.Settings}
	return client.StartWorkflowOptions{
		ID:            d.WorkflowID(),
		TaskQueue:     p.TaskQueue,
		StaticSummary: in.Summary(),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrStatus.ValueSet(workflows.WebhookDelivering), workflows.AttrWaitingFor.ValueSet("receiver")),
	}, in
}
