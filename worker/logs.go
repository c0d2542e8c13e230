package worker

import (
	"context"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/workflows"
)

// channelLogs adds "channel" to every line a workflow or an activity logs, beside the SDK's WorkflowID (from
// which the process's log handler reads the order number and sub-order): a workflow's channel is its
// SplitPayChannel search attribute, set when it starts; an activity's is its input's Channel field.
type channelLogs struct {
	interceptor.WorkerInterceptorBase
}

func (*channelLogs) InterceptWorkflow(
	_ workflow.Context,
	next interceptor.WorkflowInboundInterceptor,
) interceptor.WorkflowInboundInterceptor {
	return &workflowLogs{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

func (*channelLogs) InterceptActivity(
	_ context.Context,
	next interceptor.ActivityInboundInterceptor,
) interceptor.ActivityInboundInterceptor {
	return &activityLogs{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type workflowLogs struct {
	interceptor.WorkflowInboundInterceptorBase
}

func (w *workflowLogs) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return w.Next.Init(&workflowLogger{interceptor.WorkflowOutboundInterceptorBase{Next: out}})
}

type workflowLogger struct {
	interceptor.WorkflowOutboundInterceptorBase
}

func (o *workflowLogger) GetLogger(ctx workflow.Context) log.Logger {
	logger := o.Next.GetLogger(ctx)
	if ch, ok := o.Next.GetTypedSearchAttributes(ctx).GetKeyword(workflows.AttrChannel); ok {
		return log.With(logger, "channel", ch)
	}
	return logger
}

// activityLogs learns the activity's channel from its input, before the activity runs and asks for its logger.
type activityLogs struct {
	interceptor.ActivityInboundInterceptorBase
	logger *activityLogger
}

func (a *activityLogs) Init(out interceptor.ActivityOutboundInterceptor) error {
	a.logger = &activityLogger{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: out}}
	return a.Next.Init(a.logger)
}

func (a *activityLogs) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	a.logger.channel, _ = metrics.Describe(in.Args)
	return a.Next.ExecuteActivity(ctx, in)
}

type activityLogger struct {
	interceptor.ActivityOutboundInterceptorBase
	channel string
}

func (o *activityLogger) GetLogger(ctx context.Context) log.Logger {
	if o.channel == "" {
		return o.Next.GetLogger(ctx)
	}
	return log.With(o.Next.GetLogger(ctx), "channel", o.channel)
}
