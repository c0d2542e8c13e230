// Package ledger is SplitPay's own record of where every fen is: a PostgreSQL double-entry ledger whose postings
// are exactly-once (keyed by the external event) and whose tables are append-only. The SQL schema is embedded
// and applied by Migrate. The package knows nothing of channels or Temporal.
package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Open connects a pool to databaseURL (a postgres:// URL or DSN) and checks the server answers.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	if databaseURL == "" {
		return nil, fmt.Errorf("ledger: no database URL (set DATABASE_URL or --database-url)")
	}
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("ledger: parse database URL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ledger: connect to PostgreSQL: %w", err)
	}
	return pool, nil
}
