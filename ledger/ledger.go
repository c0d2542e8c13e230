// Package ledger is SplitPay's own record of where every fen is: a PostgreSQL double-entry ledger whose postings
// are exactly-once (keyed by the external event) and whose tables are append-only. The SQL schema is embedded
// and applied by Migrate. The package knows nothing of channels or Temporal.
package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxConns is a pool's size unless databaseURL sets pool_max_conns. pgx's own default, the CPU count but at
// least 4, starves a worker: its local activities (postings, read-model writes, risk) each hold a connection, and
// the API's reads and inbox share the pool. On 2 cores, 16 cut the bench's create → completed p50 by a fifth
// (docs/performance.md).
const DefaultMaxConns = 16

// Open connects a pool to databaseURL (a postgres:// URL or DSN) and checks the server answers.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	if databaseURL == "" {
		return nil, fmt.Errorf("ledger: no database URL (set DATABASE_URL or --database-url)")
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("ledger: parse database URL: %w", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("ledger: open a pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ledger: connect to PostgreSQL: %w", err)
	}
	return pool, nil
}
