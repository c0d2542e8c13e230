package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// StackCheckWorkflowID names a stack check run; the starter adds a unique suffix so checks never collide.
const StackCheckWorkflowID = "stack-check/"

// StackCheckInput asks a worker to prove the stack end to end.
type StackCheckInput struct {
	RequestedBy string // who asked, for the history: "demo", "ops:<name>"
}

// StackCheckResult is what the worker found: it polled this task queue and reached PostgreSQL.
type StackCheckResult struct {
	Database  DatabaseStatus
	CheckedAt time.Time
}

// StackCheck proves that a worker polls the task queue, runs workflow code on the Temporal server, and reaches
// a migrated PostgreSQL from an activity. `splitpay demo` and ops use it as a smoke test of a deployment.
func StackCheck(ctx workflow.Context, in StackCheckInput) (StackCheckResult, error) {
	logger := workflow.GetLogger(ctx)
	logger.Info("stack check", "requested_by", in.RequestedBy)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var db DatabaseStatus
	if err := ActivityCheckDatabase.Start(ctx, CheckDatabaseInput{}).Get(ctx, &db); err != nil {
		return StackCheckResult{}, err
	}
	return StackCheckResult{Database: db, CheckedAt: workflow.Now(ctx)}, nil
}
