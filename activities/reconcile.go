package activities

import (
	"context"
	"fmt"
	"iter"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// BeginReconcile opens (or reopens) the run of a channel's day, and says which bills the channel offers.
func (a *Activities) BeginReconcile(ctx context.Context, in workflows.ReconcileStep) (workflows.ReconcileRun, error) {
	return withCapability(a, in.Channel, "statements", func(ch channels.Statements) (workflows.ReconcileRun, error) {
		run, err := a.Ledger.BeginRecon(ctx, in.Channel, in.Day)
		bills, covers := ch.StatementBills()
		return workflows.ReconcileRun{RunID: run.ID, Bills: bills, Covers: covers}, forTemporal(err)
	})
}

// StageBill streams one of the day's bills from the channel into the run's staging table (replacing what an
// earlier attempt staged), heartbeating as it goes. A bill not made yet is ChannelRejected with NOT_READY.
func (a *Activities) StageBill(ctx context.Context, in workflows.ReconcileStep) (workflows.BillStaged, error) {
	return withCapability(a, in.Channel, "statements", func(ch channels.Statements) (workflows.BillStaged, error) {
		run, err := a.Ledger.ReconRunByID(ctx, in.RunID)
		if err != nil {
			return workflows.BillStaged{}, err
		}
		parties, err := a.Ledger.PartiesOf(ctx, in.Channel)
		if err != nil {
			return workflows.BillStaged{}, err
		}
		n, err := a.Ledger.StageBill(ctx, run, in.Bill, billLines(ctx, ch.ReadStatement(ctx, in.Bill, in.Day), parties))
		return workflows.BillStaged{Lines: n}, forTemporal(err)
	})
}

// billLines is a channel's lines in the ledger's words, heartbeating every 10,000.
func billLines(ctx context.Context, lines iter.Seq2[channels.StatementLine, error], p ledger.Parties,
) iter.Seq2[ledger.BillLine, error] {
	return func(yield func(ledger.BillLine, error) bool) {
		n := 0
		for l, err := range lines {
			if n++; n%10_000 == 0 && activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, n)
			}
			if !yield(ledger.BillLine{Line: l.Line, Kind: l.Kind, EventID: eventID(l, p), TradeID: l.TradeID,
				OutNo: l.OutNo, SubMchID: l.SubMchID, Amount: l.Amount, Fee: l.Fee, Status: l.Status, At: l.At}, err) ||
				err != nil {
				return
			}
		}
	}
}

// eventID is the id the ledger books a line's event under: the channel's own id, except for withdrawals (our
// merchant and out_request_no) and shares given back within a refund, which the channel gives no id (our refund
// number and receiver). A party the ledger does not know keeps the channel's id for it behind a "?": no posting has
// that key, so the line is missing in the ledger.
func eventID(l channels.StatementLine, p ledger.Parties) string {
	known := func(ids map[string]string, theirs string) string {
		if id, ok := ids[theirs]; ok {
			return id
		}
		return "?" + theirs
	}
	switch {
	case l.Kind == channels.EventWithdrawal || l.Kind == channels.EventWithdrawalBack ||
		l.Kind == channels.EventWithdrawalBounced:
		return ledger.WithdrawalEventID(known(p.Merchants, l.SubMchID), l.OutNo)
	case l.Kind == channels.EventSharingReturn && l.EventID == "" && l.Receiver != "":
		return workflows.ReversalID(l.OutNo, known(p.Receivers, l.Receiver))
	}
	return l.EventID
}

// MatchReconcile matches the staged bills with the ledger and stores the report.
func (a *Activities) MatchReconcile(ctx context.Context, in workflows.ReconcileStep) (workflows.ReconcileSummary, error) {
	run, err := a.Ledger.ReconRunByID(ctx, in.RunID)
	var start time.Time
	if err == nil {
		start, err = channels.DayStart(run.Day)
	}
	if err == nil {
		run, err = a.Ledger.MatchRecon(ctx, run, in.Covers, start)
	}
	if err != nil {
		return workflows.ReconcileSummary{}, forTemporal(err)
	}
	open, err := a.Ledger.OpenDiscrepancies(ctx, run.ID)
	if err != nil {
		return workflows.ReconcileSummary{}, err
	}
	out := workflows.ReconcileSummary{Status: run.Status, Lines: run.Lines, Events: run.Events, Matched: run.Matched,
		Open: open}
	if open > 0 {
		err := a.publish(ctx, webhooks.Event{ID: fmt.Sprintf("%s:%s:%s:%d", webhooks.ReconDiscrepancies, in.Channel,
			run.Day, open), Type: webhooks.ReconDiscrepancies, Subject: in.Channel + ":" + run.Day,
			Data: map[string]any{"channel": in.Channel, "day": run.Day, "open": open, "status": run.Status}})
		if err != nil {
			return out, forTemporal(err)
		}
	}
	missing, err := a.Ledger.Repairable(ctx, run.ID)
	for _, d := range missing {
		out.Repairable = append(out.Repairable,
			workflows.RepairItem{DiscrepancyID: d.ID, PostingKey: d.PostingKey, Kind: d.Kind, OutNo: d.OutNo})
	}
	return out, err
}

// MarkRepaired records that the process owning an item was asked to post it.
func (a *Activities) MarkRepaired(ctx context.Context, in workflows.RepairInput) (workflows.Done, error) {
	return workflows.Done{}, a.Ledger.MarkRepaired(ctx, in.DiscrepancyID, in.Note)
}
