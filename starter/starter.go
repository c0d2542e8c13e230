// Package starter is the typed Go client that backend services use to start, signal, update and query
// SplitPay's processes. It hides workflow ids, task queues and signal names behind methods.
package starter

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/workflows"
)

// Client drives SplitPay processes through a Temporal client.
type Client struct {
	Temporal  client.Client
	TaskQueue string // defaults to workflows.TaskQueue
}

func (c *Client) taskQueue() string {
	if c.TaskQueue == "" {
		return workflows.TaskQueue
	}
	return c.TaskQueue
}

// CheckStack runs a StackCheck workflow and waits for its result; it returns the workflow id either way so
// the caller can open it in the Temporal UI.
func (c *Client) CheckStack(ctx context.Context, requestedBy string) (workflows.StackCheckResult, string, error) {
	id := fmt.Sprintf("%s%d", workflows.StackCheckWorkflowID, time.Now().UnixNano())
	run, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.taskQueue(),
		WorkflowExecutionTimeout: time.Minute,
	}, workflows.StackCheck, workflows.StackCheckInput{RequestedBy: requestedBy})
	if err != nil {
		return workflows.StackCheckResult{}, id, fmt.Errorf("start stack check: %w", err)
	}
	var res workflows.StackCheckResult
	if err := run.Get(ctx, &res); err != nil {
		return res, id, fmt.Errorf("stack check %s: %w", id, err)
	}
	return res, id, nil
}
