package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
)

// fakeRecon plays the reconciliation's activities: bills not made for their first notReady asks, then staged;
// each match answers the next of opens (the last one stays).
type fakeRecon struct {
	mu       sync.Mutex
	notReady int
	asks     int
	opens    []int64
	matches  int
	days     []string
}

func (f *fakeRecon) register(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityBeginReconcile, func(_ context.Context, in ReconcileStep) (ReconcileRun, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.days = append(f.days, in.Day)
		return ReconcileRun{RunID: 7, Bills: []string{"trade", "sharing"}, Covers: []string{"payment"}}, nil
	})
	stub(env, ActivityStageBill, func(_ context.Context, in ReconcileStep) (BillStaged, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.asks++; f.asks <= f.notReady {
			return BillStaged{}, temporal.NewNonRetryableApplicationError("账单生成中",
				ChannelRejectedType("STATEMENT_CREATING"), nil,
				ChannelRejection{Code: "STATEMENT_CREATING", Reason: channels.ReasonNotReady})
		}
		return BillStaged{Lines: 10}, nil
	})
	stub(env, ActivityMatchReconcile, func(_ context.Context, in ReconcileStep) (ReconcileSummary, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		open := f.opens[min(f.matches, len(f.opens)-1)]
		f.matches++
		return ReconcileSummary{Lines: 20, Events: 12, Matched: 12 - open, Open: open}, nil
	})
}

func runReconcile(t *testing.T, f *fakeRecon, in ReconcileInput,
	setup func(*testsuite.TestWorkflowEnvironment)) ReconcileState {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(Reconcile)
	f.register(env)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(Reconcile, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var st ReconcileState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

var reconSettings = ReconcileSettings{BillDeadline: 2 * time.Hour, PollFirst: 10 * time.Minute, PollMax: time.Hour,
	WaitForOps: 7 * 24 * time.Hour}

// A bill not made yet is asked for again with backoff, and the day balances once it is.
func TestReconcileWaitsForALateBill(t *testing.T) {
	f := &fakeRecon{notReady: 3, opens: []int64{0}}
	var waiting ReconcileState
	st := runReconcile(t, f, ReconcileInput{Channel: "wechatpay", Day: "2026-12-01", Settings: reconSettings},
		func(env *testsuite.TestWorkflowEnvironment) {
			env.RegisterDelayedCallback(func() {
				if v, err := env.QueryWorkflow(QueryReconcile); err == nil {
					_ = v.Get(&waiting)
				}
			}, 15*time.Minute)
		})
	if waiting.Status != ReconcileWaitingForBill || waiting.WaitingFor != "channel:bill trade" {
		t.Errorf("while the bill is late: %+v", waiting)
	}
	if st.Status != ReconcileBalanced || st.Bills["trade"] != 10 || st.Bills["sharing"] != 10 || f.asks != 5 {
		t.Errorf("final %+v after %d asks", st, f.asks)
	}
}

// A bill still not made at the deadline waits for ops, who resume it once the channel has made it.
func TestReconcileBillPastItsDeadlineWaitsForOps(t *testing.T) {
	f := &fakeRecon{notReady: 1000, opens: []int64{0}}
	var stuck ReconcileState
	st := runReconcile(t, f, ReconcileInput{Channel: "alipay", Day: "2026-12-01", Settings: reconSettings},
		func(env *testsuite.TestWorkflowEnvironment) {
			env.RegisterDelayedCallback(func() {
				if v, err := env.QueryWorkflow(QueryReconcile); err == nil {
					_ = v.Get(&stuck)
				}
				f.mu.Lock()
				f.notReady = 0
				f.mu.Unlock()
				env.SignalWorkflow(SignalResume, ResumeRequest{By: "ops:ann", Reason: "the bill is there now"})
			}, 5*time.Hour)
		})
	if stuck.Status != StatusNeedsAttention || stuck.WaitingFor != "ops:bill trade" || stuck.LastError == nil {
		t.Errorf("past the deadline: %+v", stuck)
	}
	if st.Status != ReconcileBalanced {
		t.Errorf("final %+v", st)
	}
}

// Open discrepancies wait for ops; a Recheck after they resolved them matches again and the day balances. With no
// resolution the run ends after WaitForOps, the report keeping them.
func TestReconcileWaitsForOpsToResolveDiscrepancies(t *testing.T) {
	f := &fakeRecon{opens: []int64{2, 0}}
	st := runReconcile(t, f, ReconcileInput{Channel: "wechatpay", Day: "2026-12-01", Settings: reconSettings},
		func(env *testsuite.TestWorkflowEnvironment) {
			env.RegisterDelayedCallback(func() {
				env.SignalWorkflow(SignalRecheck, ResumeRequest{By: "ops:ann", Reason: "resolved both"})
			}, 24*time.Hour)
		})
	if st.Status != ReconcileBalanced || f.matches != 2 || st.Discrepancies != 0 {
		t.Errorf("after ops: %+v, %d matches", st, f.matches)
	}
	f = &fakeRecon{opens: []int64{3}}
	st = runReconcile(t, f, ReconcileInput{Channel: "wechatpay", Day: "2026-12-01", Settings: reconSettings}, nil)
	if st.Status != StatusNeedsAttention || st.Discrepancies != 3 || f.matches != 1 {
		t.Errorf("no one came: %+v", st)
	}
}

// A run its Schedule started (no day given) reconciles the day before its scheduled time, in China time — a
// catch-up run started late still reconciles the day it was scheduled for.
func TestScheduledReconcileTakesTheDayBeforeItsScheduledTime(t *testing.T) {
	f := &fakeRecon{opens: []int64{0}}
	scheduled := time.Date(2026, 11, 3, 2, 30, 0, 0, time.UTC) // 10:30 on 3 November in China
	runReconcile(t, f, ReconcileInput{Channel: "alipay", Settings: reconSettings},
		func(env *testsuite.TestWorkflowEnvironment) {
			env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
				temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime").ValueSet(scheduled)))
		})
	if len(f.days) != 1 || f.days[0] != "2026-11-02" {
		t.Errorf("reconciled %v, want 2026-11-02", f.days)
	}
}

func TestParseOutRefundNo(t *testing.T) {
	for no, want := range map[string]string{"A1-sub1-rf-R1": "A1-sub1", "A1-sub2-r3-R-r2": "A1-sub2",
		"A-rx-sub1-rf-X": "A-rx-sub1", "A1-sub1": "", "A1-sub1-rx-R1": ""} {
		got, ok := ParseOutRefundNo(no)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", no, got, ok, want)
		}
	}
}
