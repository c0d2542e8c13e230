package webhooks

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/workflows"
)

// Publisher publishes events: the worker's activities and the API share it. A nil *Publisher publishes nothing.
type Publisher struct {
	DB        *pgxpool.Pool
	Temporal  client.Client
	TaskQueue string
	Settings  workflows.WebhookSettings // the deliveries' retries; zero: 24 hours
}

// Publish records ev once and starts a WebhookDelivery workflow for each of its pending deliveries (a workflow
// already running for one is left to it).
func (p *Publisher) Publish(ctx context.Context, ev Event) error {
	if p == nil {
		return nil
	}
	pending, err := Record(ctx, p.DB, ev)
	if err != nil {
		return err
	}
	for _, d := range pending {
		in := workflows.WebhookDeliveryInput{SubscriptionID: d.SubscriptionID, EventID: d.EventID, Settings: p.Settings}
		_, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       d.WorkflowID(),
			TaskQueue:                p.TaskQueue,
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
