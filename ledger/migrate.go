package ledger

import (
	"context"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded SQL file, named NNNN_description.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// checksum identifies a migration's text, so an edited migration that was already applied is detected.
func (m Migration) checksum() []byte {
	sum := sha256.Sum256([]byte(m.SQL))
	return sum[:]
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, path := range names {
		base := strings.TrimPrefix(path, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		body, err := migrationFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(base, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

// migrateLockID is the advisory lock that serialises concurrent migrators (several workers starting at once).
const migrateLockID = 0x53504c4954 // "SPLIT"

// Migrate applies every embedded migration not yet applied, each in its own transaction, and returns the
// names it applied. Already-applied migrations whose text changed are an error: migrations are append-only.
// The whole run holds a session advisory lock on one connection, taken before anything else: concurrent
// migrators (several workers starting at once) would otherwise race on creating schema_migrations itself.
func Migrate(ctx context.Context, db *pgxpool.Pool) ([]string, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		// A background context: the caller's may be done, and the lock must not outlive this run.
		if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrateLockID); err != nil {
			conn.Conn().Close(context.Background()) // closing the session drops its locks
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		checksum   bytea       NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range migrations {
		did, err := applyOne(ctx, conn.Conn(), m)
		if err != nil {
			return applied, err
		}
		if did {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

func applyOne(ctx context.Context, db *pgx.Conn, m Migration) (applied bool, err error) {
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var sum []byte
		switch err := tx.QueryRow(ctx, `SELECT checksum FROM schema_migrations WHERE version = $1`, m.Version).Scan(&sum); err {
		case nil:
			if string(sum) != string(m.checksum()) {
				return fmt.Errorf("migration %s was applied with different text; write a new migration instead", m.Name)
			}
			return nil
		case pgx.ErrNoRows:
		default:
			return err
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
			m.Version, m.Name, m.checksum())
		applied = err == nil
		return err
	})
	return applied, err
}

// AppliedMigrations lists the names of applied migrations in order (empty before the first Migrate).
func AppliedMigrations(ctx context.Context, db *pgxpool.Pool) ([]string, error) {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil ||
		!exists {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
