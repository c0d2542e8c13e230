package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/worker"
)

// End to end on the dev stack: a real worker runs StackCheck on the Temporal dev server against a migrated
// PostgreSQL, and an unmigrated database makes the check fail.
func TestStackCheckOnDevServer(t *testing.T) {
	tc := testenv.TemporalClient(t)
	db := testenv.MigratedPool(t)
	queue := "test-" + testenv.RandomID()
	w := worker.New(tc, queue, &activities.Activities{DB: db}, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sc := &starter.Client{Temporal: tc, TaskQueue: queue}
	res, id, err := sc.CheckStack(ctx, "test")
	if err != nil {
		t.Fatalf("stack check %s: %v", id, err)
	}
	if len(res.Database.Migrations) == 0 || res.Database.ServerVersion == "" {
		t.Errorf("result = %+v", res)
	}
	desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.WorkflowExecutionInfo.Status.String(); got != "Completed" {
		t.Errorf("workflow %s status %s", id, got)
	}
}

func TestStackCheckFailsOnUnmigratedDatabase(t *testing.T) {
	tc := testenv.TemporalClient(t)
	db := testenv.EmptyPool(t)
	queue := "test-" + testenv.RandomID()
	w := worker.New(tc, queue, &activities.Activities{DB: db}, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, id, err := (&starter.Client{Temporal: tc, TaskQueue: queue}).CheckStack(ctx, "test"); err == nil {
		t.Errorf("stack check %s passed against an empty database", id)
	}
}
