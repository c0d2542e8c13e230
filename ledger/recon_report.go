package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/money"
)

// ReconDiscrepancy is one event the channel's bills and the ledger do not tell alike, with both sides' data.
type ReconDiscrepancy struct {
	ID            int64
	RunID         int64
	PostingKey    string
	Class         string
	Kind          string
	OutNo         string
	SubMchID      string
	OrderNo       string
	ChannelAmount *money.Amount // nil: the channel has none
	LedgerAmount  *money.Amount // nil: the ledger has none
	ChannelStatus string
	State         string
	Note          string
	ResolvedBy    string
	ResolvedAt    *time.Time
}

// MerchantTotal is what one merchant's matched events of a kind moved on its accounts in a run.
type MerchantTotal struct {
	Merchant string
	Kind     string
	Events   int64
	Amount   money.Amount
}

// ReconReport is a run with its totals and discrepancies.
type ReconReport struct {
	Run           ReconRun
	Totals        []MerchantTotal
	Discrepancies []ReconDiscrepancy
}

// ReconReportOf reads the report of a channel's day.
func (l *Ledger) ReconReportOf(ctx context.Context, channel, day string) (ReconReport, error) {
	run, err := l.ReconRunOf(ctx, channel, day)
	if err != nil {
		return ReconReport{}, err
	}
	rep := ReconReport{Run: run}
	rows, err := l.db.Query(ctx, `SELECT merchant, kind, events, amount FROM recon_totals WHERE run_id = $1
		ORDER BY merchant, kind`, run.ID)
	if err != nil {
		return rep, err
	}
	if rep.Totals, err = pgx.CollectRows(rows, pgx.RowToStructByPos[MerchantTotal]); err != nil {
		return rep, err
	}
	rep.Discrepancies, err = l.discrepancies(ctx, `WHERE run_id = $1 ORDER BY id`, run.ID)
	return rep, err
}

func (l *Ledger) discrepancies(ctx context.Context, where string, args ...any) ([]ReconDiscrepancy, error) {
	rows, err := l.db.Query(ctx, `
		SELECT id, run_id, posting_key, class, kind, out_no, sub_mchid, order_no, channel_amount, ledger_amount,
		       channel_status, state, note, coalesce(resolved_by, ''), resolved_at
		FROM recon_discrepancies `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReconDiscrepancy])
}

// ResolveDiscrepancy closes an open item with who decided and why; the ledger is not touched (a correction, when
// one is due, is a posting of its own). Resolving one already closed is a ValidationError.
func (l *Ledger) ResolveDiscrepancy(ctx context.Context, id int64, by, reason string) (ReconDiscrepancy, error) {
	if by == "" || reason == "" {
		return ReconDiscrepancy{}, &ValidationError{"Reason", "who resolves it, and why"}
	}
	tag, err := l.db.Exec(ctx, `
		UPDATE recon_discrepancies SET state = 'RESOLVED', resolved_by = $2, note = $3, resolved_at = now()
		WHERE id = $1 AND state IN ('OPEN', 'EXPECTED', 'REPAIRED')`, id, by, reason)
	if err != nil {
		return ReconDiscrepancy{}, err
	}
	ds, err := l.discrepancies(ctx, `WHERE id = $1`, id)
	switch {
	case err != nil:
		return ReconDiscrepancy{}, err
	case len(ds) == 0:
		return ReconDiscrepancy{}, fmt.Errorf("discrepancy %d: %w", id, ErrNotFound)
	case tag.RowsAffected() == 0:
		return ds[0], &ValidationError{"State", "discrepancy is " + ds[0].State + ", not open"}
	}
	run, err := l.ReconRunByID(ctx, ds[0].RunID)
	if err == nil {
		_, err = l.db.Exec(ctx, rebalance, run.Channel)
	}
	return ds[0], err
}

// MarkRepaired records that the process owning an item the ledger missed has posted it (through the normal
// path, with the notification's key); the day's next run matches it.
func (l *Ledger) MarkRepaired(ctx context.Context, id int64, note string) error {
	var channel string
	err := l.db.QueryRow(ctx, `
		UPDATE recon_discrepancies d SET state = 'REPAIRED', note = $2 FROM recon_runs r
		WHERE d.id = $1 AND d.state = 'OPEN' AND r.id = d.run_id RETURNING r.channel`, id, note).Scan(&channel)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // repaired already, or resolved
	}
	if err == nil {
		_, err = l.db.Exec(ctx, rebalance, channel)
	}
	return err
}

// OpenDiscrepancies counts a run's items still OPEN.
func (l *Ledger) OpenDiscrepancies(ctx context.Context, runID int64) (int64, error) {
	var n int64
	err := l.db.QueryRow(ctx, `SELECT count(*) FROM recon_discrepancies WHERE run_id = $1 AND state = 'OPEN'`, runID).
		Scan(&n)
	return n, err
}

// Repairable are a run's open events the ledger lacks that their owning process can be asked to learn again and
// post through its normal path: payments (the order queries), and refunds of payments the ledger holds (the
// sub-order queries the refund).
func (l *Ledger) Repairable(ctx context.Context, runID int64) ([]ReconDiscrepancy, error) {
	return l.discrepancies(ctx, `WHERE run_id = $1 AND state = 'OPEN' AND ledger_amount IS NULL AND (
		(class = 'missing_in_ledger' AND kind = 'payment') OR (class = 'status_differs' AND kind = 'refund'))
		ORDER BY id`, runID)
}
