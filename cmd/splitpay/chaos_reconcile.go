package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/starter"
)

// reconcile ends the run as its day ends: both simulators' clocks move to when the day's bills exist, and each
// channel's days of the run (China time) are reconciled through the API, as the schedule would. Every report must
// balance with no discrepancy: what the worker's kills, the restarts and the faults did, the channel saw the same
// way, event by event. It answers what is broken.
func (c *chaos) reconcile(ctx context.Context, started time.Time) []string {
	now := time.Now()
	by := "/sim/advance?by=" + channels.BillsMade(now).Sub(now).Round(time.Second).String()
	if err := errors.Join(c.simPost(by), simPostAt(c.ali.url, by)); err != nil {
		return []string{"reconcile: " + err.Error()}
	}
	from, to := started.In(channels.ChinaTime), now.In(channels.ChinaTime).Format(time.DateOnly)
	var problems []string
	for _, ch := range channels.Names {
		err := c.call(ctx, http.MethodPost, "/v1/reconciliations", "",
			starter.ReconcileRequest{Channel: ch, From: from.Format(time.DateOnly), To: to}, nil)
		for day := from; err == nil && day.Format(time.DateOnly) <= to; day = day.AddDate(0, 0, 1) {
			d := day.Format(time.DateOnly)
			v, err := reconciliationReport(ch, d, func(path string, out any) error {
				return c.call(ctx, http.MethodGet, path, "", nil, out)
			})
			c.say("reconciliation of %s on %s: %s — %d bill lines, %d events, %d matched, %d discrepancies", ch, d,
				v.Status, v.Lines, v.Events, v.Matched, len(v.Discrepancies))
			if err != nil || v.Status != "BALANCED" || len(v.Discrepancies) > 0 {
				problems = append(problems, fmt.Sprintf("reconciliation of %s on %s: %s %v: %+v", ch, d, v.Status,
					err, v.Discrepancies))
			}
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("reconciliation of %s: %v", ch, err))
		}
	}
	return problems
}
