package worker_test

import (
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/internal/testenv"
)

// BenchmarkDevServerTimer measures what a short timer costs on the dev stack's Temporal server: a workflow that
// sleeps 100 ms ten times. The server moves every timer due within history.timerProcessorMaxTimeShift to that
// far ahead (1 s by default); scripts/devstack sets 20 ms. It reports the time per 100 ms timer.
//
//	go test ./worker -run '^$' -bench DevServerTimer -benchtime 3x
func BenchmarkDevServerTimer(b *testing.B) {
	c := testenv.PlainTemporalClient(b)
	q := "timer-bench-" + testenv.RandomID()
	w := sdkworker.New(c, q, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		for range 10 {
			if err := workflow.Sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	}, workflow.RegisterOptions{Name: "SleepTenTimes"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	var total time.Duration
	for range b.N {
		start := time.Now()
		run, err := c.ExecuteWorkflow(b.Context(), client.StartWorkflowOptions{TaskQueue: q}, "SleepTenTimes")
		if err == nil {
			err = run.Get(b.Context(), nil)
		}
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N*10), "ms/100ms-timer")
}
