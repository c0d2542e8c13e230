package activities

import (
	"context"
	"fmt"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// CheckDatabase reports the PostgreSQL server version and the applied migrations; it fails when the schema
// is not migrated, so a stack check catches a worker started against an empty database.
func (a *Activities) CheckDatabase(
	ctx context.Context,
	_ workflows.CheckDatabaseInput,
) (workflows.DatabaseStatus, error) {
	var st workflows.DatabaseStatus
	if err := a.DB.QueryRow(ctx, `SHOW server_version`).Scan(&st.ServerVersion); err != nil {
		return st, fmt.Errorf("query server version: %w", err)
	}
	names, err := ledger.AppliedMigrations(ctx, a.DB)
	if err != nil {
		return st, fmt.Errorf("read applied migrations: %w", err)
	}
	if len(names) == 0 {
		return st, fmt.Errorf("database has no migrations applied: run `splitpay migrate`")
	}
	st.Migrations = names
	return st, nil
}
