package ledger

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/money"
)

// BillLine is one line of a channel's bill, in the ledger's words: Kind and EventID make the posting key the
// ledger keys the event by (<channel>:<kind>:<event id>). The activity converts the channel's lines to it.
type BillLine struct {
	Line     int
	Kind     string
	EventID  string
	TradeID  string // a refund's or share's payment (its transaction id)
	OutNo    string
	SubMchID string
	Amount   money.Amount // unsigned
	Fee      money.Amount
	Status   string // BillSuccess, or the channel's word
	At       string
}

// BillSuccess is a line whose event succeeded at the channel.
const BillSuccess = "SUCCESS"

// Reconciliation's run states and discrepancy classes and states.
const (
	ReconRunning       = "RUNNING"
	ReconBalanced      = "BALANCED"
	ReconDiscrepancies = "DISCREPANCIES"

	MissingInLedger  = "missing_in_ledger"  // 长款: the channel has it, the ledger does not
	MissingAtChannel = "missing_at_channel" // 短款: the ledger has it, no bill lists it
	AmountDiffers    = "amount_differs"
	StatusDiffers    = "status_differs" // both know it, not in the same state

	DiscrepancyOpen         = "OPEN"
	DiscrepancyExpected     = "EXPECTED"      // missing at the channel near midnight: the next day's bill may list it
	DiscrepancyRepaired     = "REPAIRED"      // the owning process posted it; a later run matches it
	DiscrepancyMatchedLater = "MATCHED_LATER" // a later bill listed it
	DiscrepancyResolved     = "RESOLVED"      // ops closed it with a reason
)

// ReconRun is a channel's reconciliation of one business day (China time).
type ReconRun struct {
	ID         int64
	Channel    string
	Day        string // YYYY-MM-DD
	Status     string
	Lines      int64
	Events     int64
	Matched    int64
	Fees       money.Amount
	StartedAt  time.Time
	FinishedAt *time.Time
}

// BeginRecon opens (or reopens, for a rerun) the run of a channel's day.
func (l *Ledger) BeginRecon(ctx context.Context, channel, day string) (ReconRun, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil || channel == "" {
		return ReconRun{}, &ValidationError{"Day", "a channel and a day, YYYY-MM-DD"}
	}
	var r ReconRun
	err := l.db.QueryRow(ctx, `
		INSERT INTO recon_runs (channel, day) VALUES ($1, $2)
		ON CONFLICT (channel, day) DO UPDATE SET status = 'RUNNING', started_at = now(), finished_at = NULL
		RETURNING id`, channel, day).Scan(&r.ID)
	if err != nil {
		return ReconRun{}, err
	}
	return l.ReconRunByID(ctx, r.ID)
}

// Parties are a channel's merchants and receivers by their ids there, for reading bills that name them: a
// withdrawal's sub-merchant, a returned share's receiver.
type Parties struct {
	Merchants map[string]string // sub_mchid (smid) → our merchant id
	Receivers map[string]string // the receiver's account → our receiver id
}

// PartiesOf reads a channel's parties.
func (l *Ledger) PartiesOf(ctx context.Context, channel string) (Parties, error) {
	p := Parties{Merchants: map[string]string{}, Receivers: map[string]string{}}
	var key, id string
	for sql, into := range map[string]map[string]string{
		`SELECT sub_mchid, id FROM merchants WHERE channel = $1 AND sub_mchid IS NOT NULL`: p.Merchants,
		`SELECT account, id FROM receivers WHERE channel = $1`:                             p.Receivers,
	} {
		rows, err := l.db.Query(ctx, sql, channel)
		if err == nil {
			_, err = pgx.ForEachRow(rows, []any{&key, &id}, func() error { into[key] = id; return nil })
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// StageBill replaces a bill's lines in the run with lines, streamed into the staging table with COPY in one
// transaction: an error from lines (a failed hash at the end, a cut download) stages nothing. It answers how many
// lines were staged.
func (l *Ledger) StageBill(
	ctx context.Context,
	run ReconRun,
	bill string,
	lines iter.Seq2[BillLine, error],
) (int64, error) {
	tx, err := l.db.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := lockRun(ctx, tx, run.ID); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM recon_lines WHERE run_id = $1 AND bill = $2`, run.ID, bill); err != nil {
		return 0, err
	}
	src := &billSource{run: run, bill: bill}
	src.next, src.stop = iter.Pull2(lines)
	defer src.stop()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"recon_lines"}, []string{"run_id", "bill", "line", "kind", "posting_key",
		"trade_key", "out_no", "sub_mchid", "amount", "fee", "status", "at"}, src)
	if src.err != nil {
		err = src.err // the bill's own error, not COPY's wrapping of it: callers tell a bill not made yet apart
	}
	if err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// lockRun holds the run's row until the transaction ends: two runs of the same day (the schedule's and one started
// by hand) stage and match one after the other, never interleaved.
func lockRun(ctx context.Context, tx pgx.Tx, runID int64) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM recon_runs WHERE id = $1 FOR UPDATE`, runID)
	return err
}

// billSource feeds COPY from the line iterator, one row at a time.
type billSource struct {
	run  ReconRun
	bill string
	next func() (BillLine, error, bool)
	stop func()
	row  []any
	err  error
}

func (s *billSource) Next() bool {
	l, err, ok := s.next()
	if !ok || err != nil {
		s.err = err
		return false
	}
	key := s.run.Channel + ":" + l.Kind + ":" + l.EventID
	trade := ""
	if l.TradeID != "" {
		trade = s.run.Channel + ":" + KindPayment + ":" + l.TradeID
	}
	s.row = []any{s.run.ID, s.bill, l.Line, l.Kind, key, trade, l.OutNo, l.SubMchID, int64(l.Amount), int64(l.Fee),
		l.Status, l.At}
	return true
}

func (s *billSource) Values() ([]any, error) { return s.row, nil }
func (s *billSource) Err() error             { return s.err }

// ReconRunByID reads a run.
func (l *Ledger) ReconRunByID(ctx context.Context, id int64) (ReconRun, error) {
	var r ReconRun
	var day time.Time
	err := l.db.QueryRow(ctx, `
		SELECT id, channel, day, status, lines, events, matched, fees, started_at, finished_at
		FROM recon_runs WHERE id = $1`, id).
		Scan(&r.ID, &r.Channel, &day, &r.Status, &r.Lines, &r.Events, &r.Matched, &r.Fees, &r.StartedAt, &r.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("reconciliation run %d: %w", id, ErrNotFound)
	}
	r.Day = day.Format(time.DateOnly)
	return r, err
}

// ReconRunOf reads the run of a channel's day.
func (l *Ledger) ReconRunOf(ctx context.Context, channel, day string) (ReconRun, error) {
	var id int64
	err := l.db.QueryRow(ctx, `SELECT id FROM recon_runs WHERE channel = $1 AND day = $2`, channel, day).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return ReconRun{}, fmt.Errorf("reconciliation of %s on %s: %w", channel, day, ErrNotFound)
	}
	if err != nil {
		return ReconRun{}, err
	}
	return l.ReconRunByID(ctx, id)
}
