package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/starter"
)

// reconcileFlags are `splitpay reconcile` and `splitpay reconcile report`'s.
var reconcileFlags struct{ channel, from, to, date string }

func bindReconcileFlags(fs *flag.FlagSet) {
	f := &reconcileFlags
	fs.StringVar(&f.channel, "channel", channels.WeChatPay, "wechatpay or alipay")
	fs.StringVar(&f.from, "from", "", "reconcile: the first business day, YYYY-MM-DD (China time)")
	fs.StringVar(&f.to, "to", "", "reconcile: the last day (default: from)")
	fs.StringVar(&f.date, "date", "", "report: the day, YYYY-MM-DD")
}

// runReconcile starts the reconciliation of each day from --from to --to (a backfill) on the running workers.
func runReconcile(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	t, err := cfg.timings()
	if err != nil {
		return err
	}
	f := reconcileFlags
	s := &starter.Client{Temporal: d.temporal, TaskQueue: cfg.TaskQueue, ReconcileSettings: t.reconcile}
	ids, err := s.Reconcile(ctx, starter.ReconcileRequest{Channel: f.channel, From: f.from, To: f.to})
	for _, id := range ids {
		fmt.Fprintf(out, "started %s\n", id)
	}
	if err == nil {
		fmt.Fprintf(out, "follow with: splitpay reconcile report --channel %s --date <day>\n", f.channel)
	}
	return err
}

// runReconcileReport prints a day's report: the run, totals per merchant, and every discrepancy.
func runReconcileReport(ctx context.Context, cfg *config, _ *slog.Logger, out io.Writer) error {
	db, err := ledger.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	f := reconcileFlags
	rep, err := ledger.New(db).ReconReportOf(ctx, f.channel, f.date)
	if errors.Is(err, ledger.ErrNotFound) {
		return fmt.Errorf("%s on %s is not reconciled: splitpay reconcile --channel %s --from %s", f.channel, f.date,
			f.channel, f.date)
	}
	if err != nil {
		return err
	}
	printReconReport(out, rep)
	return nil
}

func printReconReport(out io.Writer, rep ledger.ReconReport) {
	r := rep.Run
	fmt.Fprintf(out, "Reconciliation of %s on %s: %s\n  %d bill lines, %d events, %d matched, fees %s yuan\n",
		r.Channel, r.Day, r.Status, r.Lines, r.Events, r.Matched, r.Fees)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  merchant\tkind\tevents\tamount")
	for _, t := range rep.Totals {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", t.Merchant, t.Kind, t.Events, t.Amount)
	}
	_ = tw.Flush()
	if len(rep.Discrepancies) == 0 {
		fmt.Fprintln(out, "\n  no discrepancies")
		return
	}
	fmt.Fprintln(tw, "\n  id\tclass\tstate\tevent\tchannel\tledger\tnote")
	for _, d := range rep.Discrepancies {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Class, d.State, d.PostingKey, yuanOr(d.ChannelAmount),
			yuanOr(d.LedgerAmount), d.Note)
	}
	_ = tw.Flush()
}

func yuanOr(a *money.Amount) string {
	if a == nil {
		return "-"
	}
	return a.String()
}

// runSchedulesApply creates or updates each configured channel's daily reconciliation schedule.
func runSchedulesApply(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	ids, err := applySchedules(ctx, cfg, &starter.Client{Temporal: d.temporal, TaskQueue: cfg.TaskQueue})
	for _, id := range ids {
		fmt.Fprintf(out, "schedule %s: daily at %s (China time)\n", id, cfg.ReconcileAt)
	}
	return err
}

// applySchedules applies the schedules of the channels this configuration runs: both on embedded simulators.
func applySchedules(ctx context.Context, cfg *config, s *starter.Client) ([]string, error) {
	t, err := cfg.timings()
	if err != nil {
		return nil, err
	}
	chans := []string{channels.WeChatPay}
	if cfg.AlipayAppID != "" || cfg.WeChatMchID == "" {
		chans = append(chans, channels.Alipay)
	}
	s.ReconcileSettings = t.reconcile
	return s.ApplySchedules(ctx, starter.ScheduleOptions{Channels: chans, At: cfg.ReconcileAt, Catchup: t.catchup})
}
