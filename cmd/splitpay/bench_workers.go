package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
)

// spawnWorkers runs n `splitpay worker` processes of this binary on the stack's task queue, against its
// embedded simulators, and waits until each polls. stop kills them.
func spawnWorkers(ctx context.Context, st *stack.Stack, tc client.Client, n int) (stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "splitpay-bench-workers-")
	if err != nil {
		return nil, err
	}
	env, err := st.WorkerEnv(dir)
	if err != nil {
		return nil, err
	}
	var cmds []*exec.Cmd
	stop = func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
		_ = os.RemoveAll(dir)
	}
	for i := range n {
		c := exec.CommandContext(ctx, exe, "worker")
		c.Env = append(append(os.Environ(), env...), "SPLITPAY_LOG_LEVEL=warn", "SPLITPAY_METRICS_ADDR=")
		c.Stderr, c.SysProcAttr = os.Stderr, &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			stop()
			return nil, fmt.Errorf("bench: worker %d: %w", i+1, err)
		}
		cmds = append(cmds, c)
	}
	if err := awaitPollers(ctx, tc, st.TaskQueue(), n); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// awaitPollers waits until n distinct workers poll the task queue for workflow tasks (bounded: a minute).
func awaitPollers(ctx context.Context, tc client.Client, queue string, n int) error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		d, err := tc.DescribeTaskQueue(ctx, queue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil {
			return err
		}
		if len(d.GetPollers()) >= n {
			return nil
		}
	}
	return fmt.Errorf("bench: fewer than %d workers poll %s after a minute", n, queue)
}
