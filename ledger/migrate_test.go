package ledger_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
)

func TestMigrateIsIdempotentAndConcurrentSafe(t *testing.T) {
	ctx := context.Background()
	db, err := ledger.Open(ctx, testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := ledger.Migrations()
	if err != nil || len(all) == 0 {
		t.Fatalf("embedded migrations: %v, %v", all, err)
	}

	// Five workers starting at once: the advisory lock lets exactly one apply each migration.
	var wg sync.WaitGroup
	applied := make([][]string, 5)
	errs := make([]error, 5)
	for i := range applied {
		wg.Add(1)
		go func() { defer wg.Done(); applied[i], errs[i] = ledger.Migrate(ctx, db) }()
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != len(all) {
		t.Errorf("concurrent migrators applied %d migrations in all, want %d", total, len(all))
	}
	again, err := ledger.Migrate(ctx, db)
	if err != nil || len(again) != 0 {
		t.Errorf("second Migrate applied %v, %v; want nothing", again, err)
	}
	names, err := ledger.AppliedMigrations(ctx, db)
	if err != nil || len(names) != len(all) || names[0] != all[0].Name {
		t.Errorf("AppliedMigrations = %v, %v", names, err)
	}

	// An applied migration whose text was edited is refused.
	if _, err := db.Exec(ctx, `UPDATE schema_migrations SET checksum = 'x' WHERE version = $1`, all[0].Version); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Migrate(ctx, db); err == nil || !strings.Contains(err.Error(), "different text") {
		t.Errorf("edited migration: err = %v", err)
	}
}

func TestLedgerTablesAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := testenv.MigratedPool(t)
	var postingID int64
	err := db.QueryRow(ctx, `INSERT INTO postings (idempotency_key, kind, fingerprint) VALUES ('k', 'test', 'f') RETURNING id`).
		Scan(&postingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE postings SET kind = 'other' WHERE id = $1`,
		`DELETE FROM postings WHERE id = $1`,
	} {
		if _, err := db.Exec(ctx, stmt, postingID); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", stmt, err)
		}
	}
}
