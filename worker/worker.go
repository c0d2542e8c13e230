// Package worker builds the Temporal worker that runs SplitPay: it registers every workflow and the activities.
package worker

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/workflows"
)

// Options are how a worker runs beside the workflows and activities it registers.
type Options struct {
	// Deployment names this build in a Worker Deployment, for gray releases (docs/operations.md): each workflow
	// is pinned to the build that started it, and the deployment's current (or ramping) version takes new ones.
	// A zero Deployment leaves versioning off: any worker on the task queue takes any task.
	Deployment Deployment
	// Interceptors run after the worker's own, which adds the channel to every workflow's and activity's log lines.
	Interceptors []interceptor.WorkerInterceptor
}

// Deployment is a Worker Deployment's name and this build's id in it.
type Deployment struct {
	Name, BuildID string
}

// New returns a worker on taskQueue with all SplitPay workflows and acts registered. Start it with Start or Run.
func New(c client.Client, taskQueue string, acts *activities.Activities, o Options) sdkworker.Worker {
	opts := sdkworker.Options{Interceptors: append([]interceptor.WorkerInterceptor{&channelLogs{}}, o.Interceptors...)}
	if o.Deployment.Name != "" {
		opts.DeploymentOptions = sdkworker.DeploymentOptions{UseVersioning: true,
			Version:                   sdkworker.WorkerDeploymentVersion{DeploymentName: o.Deployment.Name, BuildID: o.Deployment.BuildID},
			DefaultVersioningBehavior: workflow.VersioningBehaviorPinned}
	}
	w := sdkworker.New(c, taskQueue, opts)
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
	workflows.WebhookDelivery,
}

// Register adds every workflow and activity to r (a worker, or a replayer's or test environment's registry).
func Register(r sdkworker.Registry, acts *activities.Activities) {
	for _, wf := range Workflows {
		r.RegisterWorkflow(wf)
	}
	r.RegisterActivity(acts)
}
