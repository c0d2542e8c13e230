package registry

import (
	"context"
	"errors"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
)

// A reconciliation's report, as the ledger keeps it.
type (
	ReconReport      = ledger.ReconReport
	ReconDiscrepancy = ledger.ReconDiscrepancy
	ReconRun         = ledger.ReconRun
)

// ReconReport is a channel's day as reconciliation left it: the run, totals per merchant, and each discrepancy.
func (r *Registry) ReconReport(ctx context.Context, channel, day string) (ledger.ReconReport, error) {
	if err := knownChannel(channel); err != nil {
		return ledger.ReconReport{}, err
	}
	if _, err := channels.DayStart(day); err != nil {
		return ledger.ReconReport{}, &starter.InputError{Field: "date", Reason: "a day, YYYY-MM-DD"}
	}
	rep, err := r.Ledger.ReconReportOf(ctx, channel, day)
	return rep, forCaller(err, "reconciliation of "+channel+" on "+day)
}

// ResolveDiscrepancy closes an open discrepancy with who decided and why; the ledger's postings are not touched.
// One not open is a conflict. It answers the item and its run.
func (r *Registry) ResolveDiscrepancy(
	ctx context.Context,
	id int64,
	by, reason string,
) (ledger.ReconDiscrepancy, ledger.ReconRun, error) {
	d, err := r.Ledger.ResolveDiscrepancy(ctx, id, by, reason)
	var ve *ledger.ValidationError
	if errors.As(err, &ve) && ve.Field == "State" {
		return d, ledger.ReconRun{}, &starter.ConflictError{Reason: ve.Reason}
	}
	if err != nil {
		return d, ledger.ReconRun{}, forCaller(err, "discrepancy")
	}
	run, err := r.Ledger.ReconRunByID(ctx, d.RunID)
	return d, run, err
}
