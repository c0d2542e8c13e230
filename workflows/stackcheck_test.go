package workflows_test

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/workflows"
)

func TestStackCheckReportsDatabase(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(
		func(context.Context, workflows.CheckDatabaseInput) (workflows.DatabaseStatus, error) {
			return workflows.DatabaseStatus{ServerVersion: "15.18", Migrations: []string{"0001_ledger"}}, nil
		},
		activity.RegisterOptions{Name: workflows.ActivityCheckDatabase.Name},
	)
	env.ExecuteWorkflow(workflows.StackCheck, workflows.StackCheckInput{RequestedBy: "test"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.StackCheckResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Database.ServerVersion != "15.18" || len(res.Database.Migrations) != 1 || res.CheckedAt.IsZero() {
		t.Errorf("result = %+v", res)
	}
}

func TestStackCheckFailsWhenDatabaseUnreachable(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterActivityWithOptions(
		func(context.Context, workflows.CheckDatabaseInput) (workflows.DatabaseStatus, error) {
			calls++
			return workflows.DatabaseStatus{}, errors.New("connection refused")
		},
		activity.RegisterOptions{Name: workflows.ActivityCheckDatabase.Name},
	)
	env.ExecuteWorkflow(workflows.StackCheck, workflows.StackCheckInput{})
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("stack check succeeded without a database")
	}
	if calls != 3 {
		t.Errorf("activity attempted %d times, want the 3 the retry policy allows", calls)
	}
}
