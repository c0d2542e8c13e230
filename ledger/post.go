package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/money"
)

// Ledger posts to and reads the double-entry ledger in PostgreSQL.
type Ledger struct {
	db *pgxpool.Pool
}

// New returns a Ledger on a migrated database.
func New(db *pgxpool.Pool) *Ledger { return &Ledger{db: db} }

// Entry moves Amount into Account (negative: out of it).
type Entry struct {
	Account Account
	Amount  money.Amount
}

// Posting is one business event's entries, written together or not at all. Key identifies the external event
// (channel + kind + the channel's id): posting the same Key again writes nothing and returns the first result.
type Posting struct {
	Key        string
	Kind       string
	OrderNo    string // combined order number, when the posting belongs to an order
	SubOrderNo string
	Memo       string
	Entries    []Entry
}

// Result tells which posting holds the event and whether this call wrote it.
type Result struct {
	PostingID int64
	Duplicate bool // the key was already posted with the same entries; nothing was written
}

// ValidationError is bad input to a posting: which field, and why. Nothing was written.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("ledger: %s: %s", e.Field, e.Reason) }

// ErrConflict: the key was already posted with different entries. The first posting stands.
var ErrConflict = errors.New("ledger: idempotency key already posted with different content")

// OverdrawError: the posting would take a non-negative account below zero. Nothing was written.
type OverdrawError struct {
	Account Account
	Balance money.Amount // balance before the posting
	Amount  money.Amount // the entry that did not fit
}

func (e *OverdrawError) Error() string {
	return fmt.Sprintf("ledger: %s holds %s yuan, cannot take %s", e.Account, e.Balance, e.Amount)
}

func (p *Posting) validate() error {
	if p.Key == "" {
		return &ValidationError{"Key", "required"}
	}
	if p.Kind == "" {
		return &ValidationError{"Kind", "required"}
	}
	if len(p.Entries) < 2 {
		return &ValidationError{"Entries", "a posting needs at least two entries"}
	}
	seen := map[string]bool{}
	var sum money.Amount
	for i, e := range p.Entries {
		field := fmt.Sprintf("Entries[%d]", i)
		if err := e.Account.validate(); err != nil {
			return &ValidationError{field + ".Account", err.Error()}
		}
		if e.Amount == 0 {
			return &ValidationError{field + ".Amount", "must not be zero"}
		}
		if seen[e.Account.Key()] {
			return &ValidationError{field + ".Account", "account " + e.Account.Key() + " appears twice"}
		}
		seen[e.Account.Key()] = true
		var err error
		if sum, err = money.Add(sum, e.Amount); err != nil {
			return &ValidationError{field + ".Amount", err.Error()}
		}
	}
	if sum != 0 {
		return &ValidationError{"Entries", fmt.Sprintf("entries sum to %s yuan, not zero", sum)}
	}
	return nil
}

// fingerprint is what a repeat of the same key must match: kind, order references and the entries.
func (p *Posting) fingerprint(sorted []Entry) []byte {
	h := sha256.New()
	for _, s := range []string{p.Kind, p.OrderNo, p.SubOrderNo} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, e := range sorted {
		h.Write([]byte(e.Account.Key()))
		h.Write([]byte{0})
		_ = binary.Write(h, binary.BigEndian, int64(e.Amount))
	}
	return h.Sum(nil)
}

// Post writes p exactly once: balances and entries change in one transaction, or not at all.
func (l *Ledger) Post(ctx context.Context, p Posting) (Result, error) { return post(ctx, l.db, p) }

// beginner is the pool, or a transaction (whose Begin is a savepoint) for postings that belong to a larger one.
type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

func post(ctx context.Context, db beginner, p Posting) (Result, error) {
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	// Accounts are always touched in key order, so concurrent postings cannot deadlock on each other.
	sorted := append([]Entry(nil), p.Entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Account.Key() < sorted[j].Account.Key() })
	fp := p.fingerprint(sorted)

	var res Result
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		// A concurrent insert of the same key makes this wait for that transaction, then do nothing.
		err := tx.QueryRow(ctx, `
			INSERT INTO postings (idempotency_key, kind, order_no, sub_order_no, fingerprint, memo)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6)
			ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
			p.Key, p.Kind, p.OrderNo, p.SubOrderNo, fp, p.Memo).Scan(&res.PostingID)
		if errors.Is(err, pgx.ErrNoRows) {
			var existing []byte
			if err := tx.QueryRow(ctx, `SELECT id, fingerprint FROM postings WHERE idempotency_key = $1`, p.Key).
				Scan(&res.PostingID, &existing); err != nil {
				return err
			}
			if string(existing) != string(fp) {
				return fmt.Errorf("%w: %s (posting %d)", ErrConflict, p.Key, res.PostingID)
			}
			res.Duplicate = true
			return nil
		}
		if err != nil {
			return err
		}
		return writeEntries(ctx, tx, res.PostingID, sorted)
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// writeEntries creates missing accounts, then moves each balance with a guarded update (a non-negative
// account only moves when it stays ≥ 0; the row lock serialises concurrent postings) and records the entry.
// Everything goes in one batch: one round trip per posting.
func writeEntries(ctx context.Context, tx pgx.Tx, postingID int64, sorted []Entry) error {
	batch := &pgx.Batch{}
	for _, e := range sorted {
		queueOpen(batch, e.Account)
	}
	for _, e := range sorted {
		batch.Queue(`
			WITH moved AS (
				UPDATE accounts SET balance = balance + $2
				WHERE key = $1 AND (NOT non_negative OR balance + $2 >= 0)
				RETURNING id)
			INSERT INTO entries (posting_id, account_id, amount) SELECT $3, id, $2 FROM moved`,
			e.Account.Key(), int64(e.Amount), postingID)
	}
	br := tx.SendBatch(ctx, batch)
	for range sorted {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
	}
	for _, e := range sorted {
		tag, err := br.Exec()
		if err != nil {
			_ = br.Close()
			return err
		}
		if tag.RowsAffected() == 0 {
			_ = br.Close()
			var bal int64
			if err := tx.QueryRow(ctx, `SELECT balance FROM accounts WHERE key = $1`, e.Account.Key()).Scan(&bal); err != nil {
				return err
			}
			return &OverdrawError{Account: e.Account, Balance: money.Amount(bal), Amount: e.Amount}
		}
	}
	return br.Close()
}

// queueOpen creates an account at zero unless it exists: the one way accounts come to be.
func queueOpen(batch *pgx.Batch, a Account) {
	batch.Queue(`INSERT INTO accounts (key, owner_kind, owner_id, bucket, channel, non_negative)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
		a.Key(), a.OwnerKind, a.OwnerID, a.Bucket, a.Channel, a.NonNegative())
}
