package ledger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier is what a read needs of a pool or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// RefundStats answers how many of a merchant's sub-orders were paid over the last days, and how many of those
// had a refund posted (the risk rules' refund rate): postings with an entry on one of its accounts. It reads on
// q, so a caller inside a transaction (the risk evaluation) needs no second connection.
func RefundStats(ctx context.Context, q Querier, merchantID string, days int) (paid, refunded int64, err error) {
	since := time.Now().Add(-time.Duration(days) * 24 * time.Hour)
	err = q.QueryRow(ctx, `
		SELECT count(DISTINCT p.sub_order_no) FILTER (WHERE p.kind = $3),
		       count(DISTINCT p.sub_order_no) FILTER (WHERE p.kind = $4)
		FROM postings p
		JOIN entries e ON e.posting_id = p.id
		JOIN accounts a ON a.id = e.account_id
		WHERE a.owner_kind = 'merchant' AND a.owner_id = $1 AND p.created_at >= $2 AND p.kind IN ($3, $4)`,
		merchantID, since, KindPayment, KindRefund).Scan(&paid, &refunded)
	return paid, refunded, err
}
