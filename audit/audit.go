// Package audit is SplitPay's audit trail, the append-only table audit_log: every command the API takes and
// who asked (an API key's id), with its answer; ops' actions with their reasons; risk decisions. It holds ids,
// amounts and ops' words, never personal data; a trigger refuses UPDATE, DELETE and TRUNCATE.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Entry is one row of the trail. A command is two rows with one RequestID: the command, written before it
// runs (Status nil), then its answer.
type Entry struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	RequestID string         `json:"request_id"`
	Actor     string         `json:"actor"`
	Action    string         `json:"action"`
	Subject   string         `json:"subject,omitempty"`
	Detail    map[string]any `json:"detail,omitempty"`
	Status    *int           `json:"status,omitempty"`
}

// DB is what the trail needs of a pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const insert = `INSERT INTO audit_log (request_id, actor, action, subject, detail, status)
	VALUES ($1, $2, $3, $4, $5, $6)`

func (e Entry) args() []any {
	detail := e.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	return []any{e.RequestID, e.Actor, e.Action, e.Subject, detail, e.Status}
}

// Record appends e (its ID and At are the table's).
func Record(ctx context.Context, db DB, e Entry) error {
	if _, err := db.Exec(ctx, insert, e.args()...); err != nil {
		return fmt.Errorf("audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// Queue adds e to a batch, written with the batch's other statements (in its transaction, in one round trip).
func Queue(b *pgx.Batch, e Entry) { b.Queue(insert, e.args()...) }

// Filter narrows List: each empty field matches all. Subject matches itself and what lies under it (an order
// and its sub-orders: "T1" matches "T1/sub2"). After pages: the entries with ids above it.
type Filter struct {
	Actor, Action, Subject string
	After                  int64
	Limit                  int // 1..1000; 0 means 100
}

// List answers the entries that match f, oldest first.
func List(ctx context.Context, db DB, f Filter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := db.Query(ctx, `SELECT id, at, request_id, actor, action, subject, detail, status FROM audit_log
		WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2)
		  AND ($3 = '' OR subject = $3 OR starts_with(subject, $3 || '/')) AND id > $4
		ORDER BY id LIMIT $5`, f.Actor, f.Action, f.Subject, f.After, f.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := row.Scan(&e.ID, &e.At, &e.RequestID, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.Status)
		return e, err
	})
}
