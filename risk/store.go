package risk

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// querier is what reading the rules needs of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Stored is a version of the rules, as kept.
type Stored struct {
	Version   int64      `json:"version"` // 0: none set, every order passes
	Rules     Rules      `json:"rules"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Save validates r and stores it as the newest version, which the next evaluation applies.
func Save(ctx context.Context, db querier, r Rules, by string) (Stored, error) {
	if err := r.Validate(); err != nil {
		return Stored{}, err
	}
	s := Stored{Rules: r, UpdatedBy: by}
	err := db.QueryRow(ctx, `INSERT INTO risk_rules (doc, updated_by) VALUES ($1, $2) RETURNING version, updated_at`,
		r, by).Scan(&s.Version, &s.UpdatedAt)
	return s, err
}

// Load answers the newest rules (none stored: no limits, version 0).
func Load(ctx context.Context, db querier) (Stored, error) {
	var s Stored
	err := db.QueryRow(ctx, `SELECT version, doc, updated_by, updated_at FROM risk_rules ORDER BY version DESC LIMIT 1`).
		Scan(&s.Version, &s.Rules, &s.UpdatedBy, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Stored{}, nil
	}
	return s, err
}
