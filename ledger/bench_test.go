package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
)

// Posting throughput: each op is one PaymentReceived (a posting of two entries, two guarded balance updates,
// one transaction). Merchants rotate over 100 so concurrent posters rarely wait on the same row.
func BenchmarkPost(b *testing.B) {
	l := ledger.New(testenv.MigratedPool(b))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := l.PaymentReceived(ctx, payment(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostParallel(b *testing.B) {
	l := ledger.New(testenv.MigratedPool(b))
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(4) // 8 posters on the 2-core machine
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.PaymentReceived(ctx, payment(int(n.Add(1)))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func payment(i int) ledger.PaymentReceived {
	return ledger.PaymentReceived{
		OrderRef: ledger.OrderRef{
			Channel:    "wechatpay",
			OrderNo:    fmt.Sprintf("C%d", i),
			SubOrderNo: fmt.Sprintf("C%d-1", i),
			MerchantID: fmt.Sprintf("m%d", i%100),
		},
		TransactionID: fmt.Sprintf("tx%d", i),
		Amount:        1000,
	}
}

// The floor: the same posting and entry rows written raw with COPY, with no idempotency check, no balance
// maintenance and no overdraw guard. Rows per op match BenchmarkPost (1 posting + 2 entries).
func BenchmarkCopyRaw(b *testing.B) {
	db := testenv.MigratedPool(b)
	ctx := context.Background()
	l := ledger.New(db)
	// Two accounts to point entries at.
	if _, err := l.PaymentReceived(ctx, payment(0)); err != nil {
		b.Fatal(err)
	}
	var acctA, acctB int64
	if err := db.QueryRow(ctx, `SELECT min(id), max(id) FROM accounts`).Scan(&acctA, &acctB); err != nil {
		b.Fatal(err)
	}
	n := b.N
	b.ResetTimer()
	postingRows := make([][]any, n)
	for i := range postingRows {
		postingRows[i] = []any{int64(i + 1000000), fmt.Sprintf("raw:%d", i), "payment", []byte("fp")}
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"postings"}, []string{
		"id", "idempotency_key", "kind", "fingerprint",
	}, pgx.CopyFromRows(postingRows)); err != nil {
		b.Fatal(err)
	}
	entryRows := make([][]any, 0, 2*n)
	for i := range n {
		entryRows = append(
			entryRows,
			[]any{int64(i + 1000000), acctA, int64(-1000)},
			[]any{int64(i + 1000000), acctB, int64(1000)},
		)
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"entries"}, []string{
		"posting_id", "account_id", "amount",
	}, pgx.CopyFromRows(entryRows)); err != nil {
		b.Fatal(err)
	}
}
