package ledger_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/channels"
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

// Migration 0004 upgrades a ledger that has WeChat Pay money in it: merchants' and receivers' money and the
// platform's commission move under keys that name the channel, with their balances and entries; debts,
// receivables and the platform's other buckets keep their keys; merchants and receivers become one row per
// channel.
func TestMigration0004KeepsWeChatMoneyUnderChannelKeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.EmptyPool(t)
	all, err := ledger.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	run := func(m ledger.Migration) {
		if _, err := db.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
	}
	for _, m := range all[:3] {
		run(m)
	}
	seedWeChatLedger(t, db)
	if all[3].Name != "0004_channels" {
		t.Fatalf("fourth migration is %s", all[3].Name)
	}
	run(all[3])
	l := ledger.New(db)
	for _, c := range []struct {
		a    ledger.Account
		want int64
	}{
		{ledger.MerchantFrozen(channels.WeChatPay, "m1"), 700}, {ledger.MerchantReceivable("m1"), 50},
		{ledger.ReceiverCommission(channels.WeChatPay, "d1"), 300}, {ledger.ReceiverDebt("d1"), -50},
	} {
		if got, err := l.Balance(ctx, c.a); err != nil || got.Fen() != c.want {
			t.Errorf("%s after 0004: %v %v, want %d", c.a, got, err, c.want)
		}
	}
	var keys []string
	rows, _ := db.Query(ctx, `SELECT key FROM accounts WHERE owner_kind = 'platform' ORDER BY key`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		keys = append(keys, k)
	}
	if strings.Join(keys, " ") != "platform:platform:commission:wechatpay platform:platform:subsidy_budget" {
		t.Errorf("platform keys %v", keys)
	}
	// The same shop can now be registered on Alipay under its id.
	if err := l.UpsertMerchant(ctx, ledger.Merchant{ID: "m1", Channel: channels.Alipay, SubMchID: "2088000000000101",
		SettleAccount: "2088000000000111", Status: ledger.MerchantActive, DisplayName: "Tea"}); err != nil {
		t.Errorf("m1 on Alipay: %v", err)
	}
	if rc, err := l.GetReceiver(ctx, channels.WeChatPay, "d1"); err != nil || rc.Generation != 1 {
		t.Errorf("d1 after 0004: %+v %v", rc, err)
	}
}

// seedWeChatLedger writes what a ledger held before migration 0004: WeChat money under channel-free keys.
func seedWeChatLedger(t *testing.T, db *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, `
		INSERT INTO accounts (key, owner_kind, owner_id, bucket, non_negative, balance) VALUES
			('merchant:m1:frozen', 'merchant', 'm1', 'frozen', true, 700),
			('merchant:m1:receivable', 'merchant', 'm1', 'receivable', false, 50),
			('receiver:d1:commission', 'receiver', 'd1', 'commission', false, 300),
			('receiver:d1:debt', 'receiver', 'd1', 'debt', false, -50),
			('platform:platform:commission', 'platform', 'platform', 'commission', false, 0),
			('platform:platform:subsidy_budget', 'platform', 'platform', 'subsidy_budget', false, 0);
		INSERT INTO merchants (id, channel, sub_mchid, status, display_name) VALUES ('m1', 'wechatpay', '1900000109', 'active', 'Tea');
		INSERT INTO receivers (id, channel, type, account, relation, name_masked, status)
			VALUES ('d1', 'wechatpay', 'PERSONAL_OPENID', 'o-1', 'DISTRIBUTOR', '王*', 'active')`); err != nil {
		t.Fatal(err)
	}
}
