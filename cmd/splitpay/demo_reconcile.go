package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// runDatabase creates a database of a run's own (the demo's, the chaos run's) beside DATABASE_URL's, so the day's
// reconciliation compares the simulators (new each run) with this run's books only. It answers the database's URL,
// and drop, which removes it.
func runDatabase(ctx context.Context, databaseURL, name string) (string, func(), error) {
	admin, err := ledger.Open(ctx, databaseURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create the run's database: %w", err)
	}
	drop := func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// demoDatabase is the demo's database of its own (runDatabase), migrated.
func demoDatabase(ctx context.Context, cfg *config, run int64, log *slog.Logger) (*pgxpool.Pool, func(), error) {
	dbURL, drop, err := runDatabase(ctx, cfg.DatabaseURL, fmt.Sprintf("splitpay_demo_%d", run))
	if err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	db, err := ledger.Open(ctx, dbURL)
	if err == nil {
		err = migrate(ctx, db, log)
	}
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// reconcileDay reconciles today on both channels, once the simulators' clocks say the bills exist (10:01
// tomorrow, China time), and prints each report. It answers whether both balanced.
func (d *demoRun) reconcileDay(cfg *config) (bool, error) {
	now := time.Now().In(channels.ChinaTime)
	ready := channels.BillsMade(now)
	d.st.Sim.Advance(ready.Sub(now))
	d.st.AliSim.Advance(ready.Sub(now))
	day := now.Format(time.DateOnly)
	d.say("the simulators' clocks move to %s: yesterday's bills are made; reconciling %s on both channels",
		ready.Format("2006-01-02 15:04"), day)
	balanced := true
	for _, ch := range channels.Names {
		if err := d.post("/v1/reconciliations", starter.ReconcileRequest{Channel: ch, From: day}, nil); err != nil {
			return false, err
		}
		v, err := reconciliationReport(ch, day, func(path string, out any) error {
			return d.c.Do(d.ctx, http.MethodGet, path, "", nil, out)
		})
		if err != nil {
			return false, err
		}
		d.say("reconciliation of %s on %s: %s — %d bill lines, %d events, %d matched, fees %s yuan, %d discrepancies",
			ch, day, v.Status, v.Lines, v.Events, v.Matched, v.Fees, len(v.Discrepancies))
		d.say("  report: GET %s/v1/reconciliations?channel=%s&date=%s · Temporal: %s", d.st.APIURL, ch, day,
			cfg.workflowURL(workflows.ReconcileWorkflowID(ch, day)))
		balanced = balanced && v.Status == "BALANCED" && len(v.Discrepancies) == 0
	}
	return balanced, nil
}

// reconciliationReport waits (a minute at most) for a day's reconciliation to finish, reading its report with get.
func reconciliationReport(channel, day string, get func(path string, out any) error) (api.ReconciliationView, error) {
	q := url.Values{"channel": {channel}, "date": {day}}
	var v api.ReconciliationView
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		v = api.ReconciliationView{}
		if err := get("/v1/reconciliations?"+q.Encode(), &v); err == nil && v.FinishedAt != nil {
			return v, nil
		}
	}
	return v, fmt.Errorf("reconciliation of %s on %s did not finish in a minute (status %q)", channel, day, v.Status)
}
