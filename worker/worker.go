// Package worker builds the Temporal worker that runs SplitPay: it registers every workflow and the activities.
package worker

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/workflows"
)

// New returns a worker on taskQueue with all SplitPay workflows and acts registered. Start it with Start or Run.
func New(c client.Client, taskQueue string, acts *activities.Activities,
	interceptors ...interceptor.WorkerInterceptor,
) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{Interceptors: interceptors})
	Register(w, acts)
	return w
}

// Workflows are every workflow function the worker runs; the replay test replays histories against them.
var Workflows = []any{
	workflows.StackCheck,
	workflows.Checkout,
	workflows.SubOrder,
	workflows.Onboarding,
	workflows.Reconcile,
	workflows.Withdrawal,
}

// Register adds every workflow and activity to r (a worker, or a replayer's or test environment's registry).
func Register(r sdkworker.Registry, acts *activities.Activities) {
	for _, wf := range Workflows {
		r.RegisterWorkflow(wf)
	}
	r.RegisterActivity(acts)
}
