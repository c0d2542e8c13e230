package main

import (
	"fmt"
	"strconv"

	sdkworker "go.temporal.io/sdk/worker"
)

// workflowCache is SPLITPAY_WORKFLOW_CACHE as a number of workflows (0 when it is not one).
func (c *config) workflowCache() int {
	n, _ := strconv.Atoi(c.WorkflowCache)
	return n
}

// applyWorkflowCache bounds the sticky workflow cache before any worker starts. The SDK keeps one cache per
// process, shared by its workers: a workflow in it answers its next task from memory; one evicted replays its
// history first. Its default, 10,000 workflows, holds each open order's coroutines, so a worker holding many
// orders open for days grows with them; ours is smaller (docs/performance.md gives the figures).
func (c *config) applyWorkflowCache() error {
	n := c.workflowCache()
	if n < 1 || n > 100000 {
		return fmt.Errorf("SPLITPAY_WORKFLOW_CACHE: a number of workflows, 1..100000 (got %q)", c.WorkflowCache)
	}
	sdkworker.SetStickyWorkflowCacheSize(n)
	return nil
}
