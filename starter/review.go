package starter

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/workflows"
)

// ReviewOrder sends ops' review of an order held by a risk rule (RISK_REVIEW): approved, the order is placed
// at the channel and the caller reads its payment parameters from the order; rejected, it closes. An order
// not held for review is a *ConflictError.
func (c *Client) ReviewOrder(ctx context.Context, orderNo string, r workflows.ReviewRequest) (workflows.OrderState, error) {
	var st workflows.OrderState
	if r.By == "" {
		return st, &InputError{Field: "by", Reason: "required: who reviewed"}
	}
	if r.Reason == "" {
		return st, &InputError{Field: "reason", Reason: "required: why"}
	}
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.OrderWorkflowID(orderNo),
		UpdateName:   workflows.UpdateReview,
		WaitForStage: client.WorkflowUpdateStageCompleted,
		Args:         []any{r},
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, fromTemporal(err, "review order "+orderNo)
}
