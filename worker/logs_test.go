package worker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/workflows"
)

// A workflow's log lines carry its SplitPayChannel, and an activity's its input's Channel.
func TestChannelLogs(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	lines := &recorder{}
	suite.SetLogger(lines)
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{&channelLogs{}}})
	if err := env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(workflows.AttrChannel.ValueSet("alipay"))); err != nil {
		t.Fatal(err)
	}
	env.RegisterActivity(logsActivity)
	env.ExecuteWorkflow(logsWorkflow)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"workflow line channel=alipay", "activity line channel=wechatpay",
		"channel-less activity line"} {
		if !lines.has(want) {
			t.Errorf("no line %q in:\n%s", want, strings.Join(lines.all, "\n"))
		}
	}
}

type channelInput struct{ Channel string }

func logsWorkflow(ctx workflow.Context) error {
	workflow.GetLogger(ctx).Info("workflow line")
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	if err := workflow.ExecuteActivity(ctx, logsActivity, channelInput{Channel: "wechatpay"}).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.ExecuteActivity(ctx, logsActivity, channelInput{}).Get(ctx, nil)
}

func logsActivity(ctx context.Context, in channelInput) error {
	if in.Channel == "" {
		activity.GetLogger(ctx).Info("channel-less activity line")
	} else {
		activity.GetLogger(ctx).Info("activity line")
	}
	return nil
}

// recorder is a log.Logger that keeps each line as its message and its channel=… pair, if any.
type recorder struct {
	mu  sync.Mutex
	all []string
}

func (r *recorder) add(msg string, kv []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "channel" {
			msg += fmt.Sprintf(" channel=%v", kv[i+1])
		}
	}
	r.all = append(r.all, msg)
}

func (r *recorder) has(line string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.all {
		if l == line {
			return true
		}
	}
	return false
}

func (r *recorder) Debug(msg string, kv ...any) { r.add(msg, kv) }
func (r *recorder) Info(msg string, kv ...any)  { r.add(msg, kv) }
func (r *recorder) Warn(msg string, kv ...any)  { r.add(msg, kv) }
func (r *recorder) Error(msg string, kv ...any) { r.add(msg, kv) }
