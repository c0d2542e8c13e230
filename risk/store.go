package risk

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// querier is what reading the rules needs of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Save validates r and stores it as the newest version, which the next evaluation applies.
func Save(ctx context.Context, db querier, r Rules, by string) (version int64, err error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	err = db.QueryRow(ctx, `INSERT INTO risk_rules (doc, updated_by) VALUES ($1, $2) RETURNING version`, r, by).
		Scan(&version)
	return version, err
}

// Load answers the newest rules and their version (none stored: no limits, version 0).
func Load(ctx context.Context, db querier) (Rules, int64, error) {
	var r Rules
	var version int64
	err := db.QueryRow(ctx, `SELECT version, doc FROM risk_rules ORDER BY version DESC LIMIT 1`).Scan(&version, &r)
	if errors.Is(err, pgx.ErrNoRows) {
		return Rules{}, 0, nil
	}
	return r, version, err
}
