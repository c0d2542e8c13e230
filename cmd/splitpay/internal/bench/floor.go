package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// FloorShape is what the floor's bare workflow does: only the channel calls an order must make. The create (in
// the update that starts it, as Update-With-Start), then, for each sub-order at once, its calls one after another
// (subsidy or settle confirm, each sharing request, the finish).
type FloorShape struct {
	SubOrderCalls []int
}

// UpdateFloorCreate is the floor's create update.
const UpdateFloorCreate = "create"

// Floor is the bare workflow: the order's channel calls as no-op activities, and nothing else.
func Floor(ctx workflow.Context, shape FloorShape) error {
	call := func(ctx workflow.Context) error { // the update handler's context is the workflow's root: set here
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}})
		return workflow.ExecuteActivity(ctx, Noop).Get(ctx, nil)
	}
	created := false
	err := workflow.SetUpdateHandler(ctx, UpdateFloorCreate, func(ctx workflow.Context) error {
		defer func() { created = true }()
		return call(ctx)
	})
	if err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return created }); err != nil {
		return err
	}
	wg, errs := workflow.NewWaitGroup(ctx), make([]error, len(shape.SubOrderCalls))
	for i, n := range shape.SubOrderCalls {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			for range n {
				if errs[i] = call(ctx); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait(ctx)
	return errors.Join(errs...)
}

// Noop does nothing.
func Noop(context.Context) error { return nil }

func runFloor(ctx context.Context, tc client.Client, o Options, shape FloorShape, r *Result) error {
	queue := "bench-floor-" + o.Prefix
	w := sdkworker.New(tc, queue, sdkworker.Options{})
	w.RegisterWorkflow(Floor)
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	lat, create := make([]time.Duration, o.Orders), make([]time.Duration, o.Orders)
	errs := make([]error, o.Orders)
	r.FloorElapsed = inParallel(o, func(i int) {
		t0 := time.Now()
		start := tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: fmt.Sprintf("bench-floor/%s/%d", o.Prefix, i), TaskQueue: queue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, Floor, shape)
		h, err := tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateName: UpdateFloorCreate,
				WaitForStage: client.WorkflowUpdateStageCompleted}})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		create[i] = time.Since(t0)
		if err == nil {
			var run client.WorkflowRun
			if run, err = start.Get(ctx); err == nil {
				err = tc.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, nil)
			}
		}
		lat[i], errs[i] = time.Since(t0), err
	})
	r.FloorLatency, r.FloorCreate = lat, create
	if err := errors.Join(errs...); err != nil {
		return err
	}
	r.FloorPerSecond = float64(o.Orders) / r.FloorElapsed.Seconds()
	s, err := historyShape(ctx, tc, fmt.Sprintf("bench-floor/%s/0", o.Prefix))
	r.FloorHistoryEvents, r.FloorActions, r.FloorActivities = float64(s.events), float64(s.actions), s.activities
	return err
}
