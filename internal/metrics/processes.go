package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/workflows"
)

// watched are the running states ops watch, by workflow type: where a process waits, and NEEDS_ATTENTION.
var watched = map[string][]string{
	"Checkout": {workflows.StatusAwaitingPayment, workflows.StatusPaid, workflows.StatusNeedsAttention},
	"SubOrder": {workflows.StatusAwaitingReceipt, workflows.StatusAfterSale, workflows.StatusSharing,
		workflows.StatusFinishing, workflows.StatusCompleted, workflows.StatusNeedsAttention},
	"Onboarding": {workflows.OnboardingReviewing, workflows.OnboardingAccountVerify, workflows.OnboardingNeedSign,
		workflows.OnboardingRejected, workflows.OnboardingFrozen, workflows.StatusNeedsAttention},
	"Withdrawal": {workflows.WithdrawalRequested, workflows.WithdrawalSucceeded, workflows.StatusNeedsAttention},
	"Reconcile": {workflows.ReconcileFetching, workflows.ReconcileWaitingForBill, workflows.ReconcileMatching,
		workflows.ReconcileNeedsAttention},
}

// WatchProcesses counts the running processes in each watched state every interval, from visibility, until ctx
// ends. (A completed sub-order stays running through its refund window: it is counted as COMPLETED.)
func (m *Metrics) WatchProcesses(ctx context.Context, c client.Client, every time.Duration, log *slog.Logger) {
	if m == nil {
		return
	}
	for {
		for wfType, statuses := range watched {
			for _, status := range statuses {
				q := fmt.Sprintf(`WorkflowType = %q AND %s = %q AND ExecutionStatus = "Running"`, wfType,
					workflows.AttrStatus.GetName(), status)
				resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
				if err != nil {
					if ctx.Err() == nil {
						log.Warn("metrics: count processes", "query", q, "error", err)
					}
					continue
				}
				m.processes.WithLabelValues(wfType, status).Set(float64(resp.GetCount()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
