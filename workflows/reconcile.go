package workflows

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
)

// Reconcile checks a channel's business day against the ledger (对账): it opens the day's run, stages every bill
// the channel offers (streamed, integrity-checked; a bill not made yet is asked for again with backoff until the
// deadline, then waits for ops), matches them with the ledger and stores the report. Open discrepancies put the
// run in NEEDS_ATTENTION until ops resolve them (each with a reason, through the API, which signals Recheck) or
// WaitForOps passes. The ledger is never edited here. A day run again gives the same report.
func Reconcile(ctx workflow.Context, in ReconcileInput) (ReconcileState, error) {
	r := &reconcile{in: in, bills: map[string]int64{}}
	if err := r.setup(ctx); err != nil {
		return ReconcileState{}, err
	}
	r.begin(ctx)
	for _, bill := range r.run.Bills {
		r.stage(ctx, bill)
	}
	r.match(ctx)
	r.repair(ctx)
	deadline := workflow.Now(ctx).Add(r.in.Settings.WaitForOps)
	for r.summary.Open > 0 {
		r.note(ctx, "%d discrepancies open: waiting for ops to resolve them", r.summary.Open)
		r.set(ctx, ReconcileNeedsAttention, "ops:discrepancies")
		ok, err := workflow.AwaitWithTimeout(ctx, max(deadline.Sub(workflow.Now(ctx)), 0),
			func() bool { return r.rechecks > 0 })
		if err != nil || !ok {
			r.note(ctx, "ended with %d discrepancies open; the report keeps them", r.summary.Open)
			return r.state(), nil
		}
		r.rechecks = 0
		r.match(ctx)
	}
	r.set(ctx, ReconcileBalanced, "")
	r.note(ctx, "balanced: %d of %d events matched", r.summary.Matched, r.summary.Events)
	return r.state(), nil
}

type reconcile struct {
	process
	in       ReconcileInput
	run      ReconcileRun
	bills    map[string]int64
	summary  ReconcileSummary
	rechecks int
}

func (r *reconcile) setup(ctx workflow.Context) error {
	r.in.Settings = r.in.Settings.withDefaults()
	r.process = newProcess(ctx, ReconcileFetching)
	if r.in.Day == "" {
		at := workflow.GetInfo(ctx).WorkflowStartTime
		if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(temporal.NewSearchAttributeKeyTime(
			"TemporalScheduledStartTime")); ok {
			at = t
		}
		r.in.Day = at.In(channels.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, r.in.Day); err != nil || !slices.Contains(channels.Names, r.in.Channel) {
		return temporal.NewNonRetryableApplicationError("a channel and a day, YYYY-MM-DD", ErrTypeInvalidArgument, err)
	}
	onSignal(ctx, SignalRecheck, func(ResumeRequest) { r.rechecks++ })
	return workflow.SetQueryHandler(ctx, QueryReconcile, func() (ReconcileState, error) { return r.state(), nil })
}

func (r *reconcile) state() ReconcileState {
	return ReconcileState{Channel: r.in.Channel, Day: r.in.Day, RunID: r.run.RunID, Status: r.status,
		WaitingFor: r.waitingFor, Bills: maps.Clone(r.bills), Lines: r.summary.Lines, Matched: r.summary.Matched,
		Discrepancies: r.summary.Open, LastError: r.lastError, Timeline: slices.Clone(r.timeline)}
}

func (r *reconcile) step() ReconcileStep {
	return ReconcileStep{Channel: r.in.Channel, Day: r.in.Day, RunID: r.run.RunID, Covers: r.run.Covers}
}

func (r *reconcile) begin(ctx workflow.Context) {
	r.set(ctx, ReconcileFetching, "channel:bills")
	r.attempt(ctx, "begin", func() error {
		return ActivityBeginReconcile.Start(ledgerOptions(ctx), r.step()).Get(ctx, &r.run)
	})
	r.note(ctx, "reconciling %s on %s: bills %v", r.in.Channel, r.in.Day, r.run.Bills)
}

// stage downloads and stages one bill; a bill not made yet is asked for again with backoff until the deadline
// from the start, then waits for ops (who resume it when the channel has made it).
func (r *reconcile) stage(ctx workflow.Context, bill string) {
	deadline := workflow.GetInfo(ctx).WorkflowStartTime.Add(r.in.Settings.BillDeadline)
	r.attempt(ctx, "bill "+bill, func() error {
		b := newBackoff(r.in.Settings.PollFirst, r.in.Settings.PollMax)
		for {
			in := r.step()
			in.Bill = bill
			var out BillStaged
			err := ActivityStageBill.Start(billOptions(ctx), in).Get(ctx, &out)
			if rej, ok := channelRejection(err); !ok || rej.Reason != channels.ReasonNotReady {
				if err == nil {
					r.bills[bill] = out.Lines
					r.note(ctx, "%s bill: %d lines staged", bill, out.Lines)
					r.set(ctx, ReconcileFetching, "channel:bills")
				}
				return err
			}
			r.set(ctx, ReconcileWaitingForBill, "channel:bill "+bill)
			if waited, werr := b.waitUntil(ctx, deadline, nil); !waited || werr != nil {
				return err // past the deadline: ops
			}
		}
	})
}

func (r *reconcile) match(ctx workflow.Context) {
	r.set(ctx, ReconcileMatching, "ledger")
	r.attempt(ctx, "match", func() error {
		return ActivityMatchReconcile.Start(billOptions(ctx), r.step()).Get(ctx, &r.summary)
	})
	r.note(ctx, "matched: %d lines, %d events, %d alike, %d discrepancies open", r.summary.Lines,
		r.summary.Events, r.summary.Matched, r.summary.Open)
}

// repair asks the process owning each event the ledger lacks to learn it again, the path a notification would
// have taken, so the posting is made once, under the notification's key: an order queries its payment
// (SignalRequery), a sub-order its refund (SignalRefundNotified). Each item asked for is REPAIRED in the report,
// and the day is matched again to see the postings. Up to three rounds; what is left (a process that no longer
// runs, a number not ours) stays open for ops.
func (r *reconcile) repair(ctx workflow.Context) {
	for round := 0; round < 3 && len(r.summary.Repairable) > 0; round++ {
		asked := 0
		for _, it := range r.summary.Repairable {
			if r.askOwner(ctx, it) {
				asked++
			}
		}
		if asked == 0 {
			return
		}
		if err := workflow.Sleep(ctx, r.in.Settings.PollMax); err != nil { // the owners query, then post
			return
		}
		r.match(ctx)
	}
}

// askOwner signals the item's owning process, and marks the item REPAIRED when the signal was delivered.
func (r *reconcile) askOwner(ctx workflow.Context, it RepairItem) bool {
	reason := fmt.Sprintf("the %s bill of %s lists %s, which the ledger lacks", r.in.Channel, r.in.Day, it.PostingKey)
	var owner, signal string
	var payload any
	if it.Kind == channels.EventRefund {
		subOrderNo, ok := ParseOutRefundNo(it.OutNo)
		orderNo, n, sub := ParseSubOrderNo(subOrderNo)
		if !ok || !sub {
			return false
		}
		owner, signal = SubOrderWorkflowID(orderNo, n), SignalRefundNotified
		payload = RefundNotice{NotificationID: "reconciliation/" + r.in.Day + "/" + it.PostingKey, OutRefundNo: it.OutNo,
			Status: channels.RefundSucceeded}
	} else {
		orderNo, _, ok := ParseSubOrderNo(it.OutNo)
		if !ok {
			return false
		}
		owner, signal, payload = OrderWorkflowID(orderNo), SignalRequery, ResumeRequest{By: "reconciliation", Reason: reason}
	}
	if err := workflow.SignalExternalWorkflow(ctx, owner, "", signal, payload).Get(ctx, nil); err != nil {
		r.note(ctx, "%s cannot be asked to learn %s (%v): left for ops", owner, it.PostingKey, err)
		return false
	}
	r.attempt(ctx, "mark repaired", func() error {
		return ActivityMarkRepaired.Start(ledgerOptions(ctx), RepairInput{DiscrepancyID: it.DiscrepancyID,
			Note: owner + " asked to learn it from the channel"}).Get(ctx, nil)
	})
	r.note(ctx, "asked %s to learn %s from the channel", owner, it.PostingKey)
	return true
}
