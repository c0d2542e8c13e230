// Package testenv holds the test fixtures, one home for all of them: the dev stack's real parts (a fresh
// PostgreSQL database per test and a Temporal client, in stack.go) and the WeChat Pay simulator behind the real
// SDK (wechat.go). `make test` runs the stack and sets SPLITPAY_REQUIRE_STACK=1, so a missing part fails
// there; a bare `go test` without the stack skips these tests and says why.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/splitpay/splitpay/internal/codec"
	"github.com/splitpay/splitpay/ledger"
)

func need(t testing.TB, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("SPLITPAY_REQUIRE_STACK") == "1" {
			t.Fatalf("%s is not set but the dev stack is required (run through `make test`)", env)
		}
		t.Skipf("%s not set: run `make test` or `scripts/devstack exec go test ./...`", env)
	}
	return v
}

// DatabaseURL returns a URL of a new, empty database on the dev stack's PostgreSQL, dropped after the test.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := need(t, "DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	name := "test_" + RandomID()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DATABASE_URL must be a postgres:// URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// EmptyPool returns a pool on a new database with nothing in it.
func EmptyPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := ledger.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// MigratedPool returns a pool on a new database with every migration applied.
func MigratedPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := EmptyPool(t)
	if _, err := ledger.Migrate(context.Background(), pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pool
}

// TemporalClient dials the dev stack's Temporal server.
func TemporalClient(t testing.TB, metrics ...client.MetricsHandler) client.Client {
	t.Helper()
	addr := need(t, "TEMPORAL_ADDRESS")
	ns := os.Getenv("TEMPORAL_NAMESPACE")
	// The SDK's default logger prints every activity at DEBUG; tests keep its warnings only.
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := client.Options{HostPort: addr, Namespace: ns, Logger: tlog.NewStructuredLogger(quiet)}
	if len(metrics) > 0 {
		opts.MetricsHandler = metrics[0] // the SDK's metrics, for a test that reads them
	}
	c, err := client.Dial(Keyring(t).Sealed(opts))
	if err != nil {
		t.Fatalf("dial Temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// PlainTemporalClient dials without the payload codec: what someone with access to Temporal but not to the
// keys would see.
func PlainTemporalClient(t testing.TB) client.Client {
	t.Helper()
	addr := need(t, "TEMPORAL_ADDRESS")
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := client.Dial(
		client.Options{
			HostPort:  addr,
			Namespace: os.Getenv("TEMPORAL_NAMESPACE"),
			Logger:    tlog.NewStructuredLogger(quiet),
		},
	)
	if err != nil {
		t.Fatalf("dial Temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

var testKeys = sync.OnceValues(func() (*codec.Keyring, error) {
	if spec := os.Getenv("SPLITPAY_PAYLOAD_KEYS"); spec != "" {
		return codec.ParseKeys(spec)
	}
	return codec.ParseKeys(codec.NewKey("test"))
})

// Keyring is the payload keyring of the dev stack (SPLITPAY_PAYLOAD_KEYS), or one made up for this test binary.
func Keyring(t testing.TB) *codec.Keyring {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatalf("SPLITPAY_PAYLOAD_KEYS: %v", err)
	}
	return k
}

// RandomID is a short random hex id for names that must not collide between test runs.
func RandomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
