package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity options, one home. Retryable failures (a channel's 500s and 429s, a database that went away) are
// retried with backoff for up to two hours, which covers a channel down for an hour; then the step goes to
// NEEDS_ATTENTION instead of failing the order. Business rejections are non-retryable and go there at once.
func channelOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 2 * time.Minute},
	})
}

// billOptions are for reading a day's bills into the ledger and matching them: long, heartbeating, retried.
func billOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Hour,
		HeartbeatTimeout:       2 * time.Minute,
		ScheduleToCloseTimeout: 6 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute},
	})
}

// ledgerOptions are for PostgreSQL postings and the read model.
func ledgerOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute},
	})
}

// local marks a context whose activities run as local activities (Activity.Start reads it).
type local struct{}

// ledger answers ctx set for the ledger's postings and checks and the read model: ledgerOptions, run locally
// under "local-ledger".
func (p *process) ledger(ctx workflow.Context) workflow.Context {
	return p.local(ledgerOptions(ctx), "local-ledger")
}

// local answers ctx with its activity options as local-activity options (the same timeouts and retries), once
// the workflow runs the change that made its activities local. The worker runs a local activity inside the
// workflow task: it costs one marker event instead of an activity's six, and Temporal Cloud bills every local
// activity of one workflow task as one action. Only work that moves no money at a channel runs locally: the
// database (postings, the read model, risk counters) and the settlement's read-only questions to the channel.
// Each is idempotent, so a workflow task retried after a crash runs it again harmlessly. A call that moves money
// stays an activity the server schedules, retries and shows.
func (p *process) local(ctx workflow.Context, change string) workflow.Context {
	if p.version(ctx, change) == workflow.DefaultVersion {
		return ctx
	}
	o := workflow.GetActivityOptions(ctx)
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: o.StartToCloseTimeout,
		ScheduleToCloseTimeout: o.ScheduleToCloseTimeout, RetryPolicy: o.RetryPolicy})
	return workflow.WithValue(ctx, local{}, true)
}

// localFirst marks a context whose channel calls run first as local activities with quickTries, then, when those
// fail for a reason worth retrying, as activities the server schedules with the context's options
// (Activity.Start).
type localFirst struct{}

// settlement answers ctx for a sub-order's settlement calls to the channel (subsidy, settle confirm, sharing,
// finish): channelOptions, tried locally first under "local-settlement". A channel that answers at once costs no
// server round trip, and the call's workflow task bills its local activities as one action. A channel in trouble
// meets the activity the server schedules and retries for two hours, with its attempts in the UI.
func (p *process) settlement(ctx workflow.Context) workflow.Context {
	ctx = channelOptions(ctx)
	if p.version(ctx, "local-settlement") == workflow.DefaultVersion {
		return ctx
	}
	return workflow.WithValue(ctx, localFirst{}, true)
}

// quickTries bound a settlement call's local tries: three within seconds, so a workflow task (which holds the
// workflow's queries and updates while it runs) is never long.
var quickTries = workflow.LocalActivityOptions{
	StartToCloseTimeout:    5 * time.Second,
	ScheduleToCloseTimeout: 20 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2,
		MaximumInterval: 2 * time.Second, MaximumAttempts: 3},
}

// callerWaitsOptions are for the channel call a caller waits on (creating the payment): a few quick tries,
// then the caller gets the error and may repeat the same request.
func callerWaitsOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 25 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Second, MaximumAttempts: 4},
	})
}
