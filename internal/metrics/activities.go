package metrics

import (
	"context"
	"errors"
	"reflect"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
)

// WorkerInterceptors measure every activity attempt the worker runs (none for a nil *Metrics).
func (m *Metrics) WorkerInterceptors() []interceptor.WorkerInterceptor {
	if m == nil {
		return nil
	}
	return []interceptor.WorkerInterceptor{&workerInterceptor{m: m}}
}

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	m *Metrics
}

func (w *workerInterceptor) InterceptActivity(
	_ context.Context,
	next interceptor.ActivityInboundInterceptor,
) interceptor.ActivityInboundInterceptor {
	a := &activityInbound{m: w.m}
	a.Next = next
	return a
}

type activityInbound struct {
	interceptor.ActivityInboundInterceptorBase
	m *Metrics
}

// ExecuteActivity counts the attempt by its outcome, times it, and adds its amount to the money through the step
// when it succeeded. The channel and the amount are the input's Channel and Amount (or Refund) fields.
func (a *activityInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	start := time.Now()
	out, err := a.Next.ExecuteActivity(ctx, in)
	name := activity.GetInfo(ctx).ActivityType.Name
	channel, amount := Describe(in.Args)
	a.m.activities.WithLabelValues(name, channel, outcome(err)).Inc()
	a.m.latency.WithLabelValues(name, channel).Observe(time.Since(start).Seconds())
	if err == nil && amount > 0 {
		a.m.money.WithLabelValues(name, channel).Add(float64(amount))
	}
	return out, err
}

// outcome is an error's label: ok, the application error's type (ChannelRejected.NOT_ENOUGH,
// LedgerRejected.Overdraw, …), or error.
func outcome(err error) string {
	var ae *temporal.ApplicationError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ae) && ae.Type() != "":
		return ae.Type()
	}
	return "error"
}

// Describe reads an activity input's channel and amount (fen), when it has them.
func Describe(args []any) (channel string, amount int64) {
	if len(args) == 0 {
		return "", 0
	}
	v := reflect.Indirect(reflect.ValueOf(args[0]))
	if v.Kind() != reflect.Struct {
		return "", 0
	}
	if f := v.FieldByName("Channel"); f.IsValid() && f.Kind() == reflect.String {
		channel = f.String()
	}
	for _, name := range []string{"Amount", "Refund"} {
		if f := v.FieldByName(name); f.IsValid() && f.CanInt() {
			return channel, f.Int()
		}
	}
	return channel, 0
}
