package simulation

import (
	"context"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/workflows"
)

// reconcile ends the simulation as a day ends: each channel's bills of every day the histories ran (China time)
// are read through the adapters into the ledger's staging tables and matched, with the activities the Reconcile
// workflow runs. Every history's money events — payments, sharing, returns, refunds, subsidies, finishes — must
// be in the bills exactly as in the ledger: no discrepancy. It answers the lines and events matched per channel.
func (w *world) reconcile(t *testing.T, started time.Time) map[string]int {
	ctx := context.Background()
	stats := map[string]int{}
	first := started.In(channels.ChinaTime)
	last := time.Now().In(channels.ChinaTime)
	ready := channels.BillsMade(last)
	for _, c := range w.chans {
		c.advance(ready.Sub(last)) // the last day's bills are made
		runs := map[string]workflows.ReconcileRun{}
		for day := first; day.Format(time.DateOnly) <= last.Format(time.DateOnly); day = day.AddDate(0, 0, 1) {
			step := workflows.ReconcileStep{Channel: c.name(), Day: day.Format(time.DateOnly)}
			run, err := w.acts.BeginReconcile(ctx, step)
			if err != nil {
				t.Fatalf("reconcile %s %s: %v", c.name(), step.Day, err)
			}
			step.RunID = run.RunID
			for _, bill := range run.Bills {
				step.Bill = bill
				if _, err := w.acts.StageBill(ctx, step); err != nil {
					t.Fatalf("reconcile %s %s, bill %s: %v", c.name(), step.Day, bill, err)
				}
			}
			runs[step.Day] = run
		}
		for day, run := range runs { // matched once every day is staged: an event may sit in the next day's bill
			sum, err := w.acts.MatchReconcile(ctx, workflows.ReconcileStep{Channel: c.name(), RunID: run.RunID,
				Covers: run.Covers})
			if err != nil {
				t.Fatalf("reconcile %s run %d: %v", c.name(), run.RunID, err)
			}
			if sum.Status != workflows.ReconcileBalanced || sum.Open != 0 || sum.Matched != sum.Events {
				rep, _ := w.l.ReconReportOf(ctx, c.name(), day)
				t.Errorf("reconcile %s %s: %+v; discrepancies %+v", c.name(), day, sum, rep.Discrepancies)
			}
			stats["reconciled lines on "+c.name()] += int(sum.Lines)
			stats["reconciled events on "+c.name()] += int(sum.Events)
		}
	}
	return stats
}
