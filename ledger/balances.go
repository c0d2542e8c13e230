package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/money"
)

// Balance is an account's maintained balance (zero for an account never used).
func (l *Ledger) Balance(ctx context.Context, a Account) (money.Amount, error) {
	var b int64
	err := l.db.QueryRow(ctx, `SELECT coalesce((SELECT balance FROM accounts WHERE key = $1), 0)`, a.Key()).Scan(&b)
	return money.Amount(b), err
}

// MerchantBalances returns a merchant's balance per bucket at one channel (frozen, available, withdrawn),
// with its receivable, which belongs to no channel.
func (l *Ledger) MerchantBalances(ctx context.Context, channel, merchantID string) (map[string]money.Amount, error) {
	rows, err := l.db.Query(
		ctx,
		`SELECT bucket, balance FROM accounts WHERE owner_kind = $1 AND owner_id = $2 AND channel IN ($3, '')`,
		OwnerMerchant,
		merchantID,
		channel,
	)
	if err != nil {
		return nil, err
	}
	out := map[string]money.Amount{BucketFrozen: 0, BucketAvailable: 0, BucketWithdrawn: 0}
	var bucket string
	var bal int64
	_, err = pgx.ForEachRow(rows, []any{&bucket, &bal}, func() error { out[bucket] = money.Amount(bal); return nil })
	return out, err
}

// Discrepancy is an account whose maintained balance differs from the sum of its entries.
type Discrepancy struct {
	Account    string
	Maintained money.Amount
	FromEntry  money.Amount
}

// Check recomputes every balance from the entries and reports the accounts where they differ (none, in a
// healthy ledger), and the trial balance: the sum of every balance, which double entry keeps at zero.
func (l *Ledger) Check(ctx context.Context) (diffs []Discrepancy, trial money.Amount, err error) {
	rows, err := l.db.Query(ctx, `
		SELECT a.key, a.balance, coalesce(sum(e.amount), 0)::bigint
		FROM accounts a LEFT JOIN entries e ON e.account_id = a.id
		GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)`)
	if err != nil {
		return nil, 0, err
	}
	var d Discrepancy
	var maintained, fromEntries int64
	if _, err = pgx.ForEachRow(rows, []any{&d.Account, &maintained, &fromEntries}, func() error {
		d.Maintained, d.FromEntry = money.Amount(maintained), money.Amount(fromEntries)
		diffs = append(diffs, d)
		return nil
	}); err != nil {
		return nil, 0, err
	}
	var sum int64
	if err := l.db.QueryRow(ctx, `SELECT coalesce(sum(balance), 0)::bigint FROM accounts`).Scan(&sum); err != nil {
		return nil, 0, err
	}
	return diffs, money.Amount(sum), nil
}

// StatementLine is one entry of an account statement, with the balance after it.
type StatementLine struct {
	PostingID    int64
	At           time.Time
	Kind         string
	Key          string
	OrderNo      string
	Amount       money.Amount
	BalanceAfter money.Amount
}

// Statement lists an account's entries posted in [from, to), with the running balance.
func (l *Ledger) Statement(ctx context.Context, a Account, from, to time.Time) ([]StatementLine, error) {
	if !from.Before(to) {
		return nil, &ValidationError{"from/to", "from must be before to"}
	}
	rows, err := l.db.Query(ctx, `
		SELECT posting_id, created_at, kind, idempotency_key, coalesce(order_no, ''), amount, running FROM (
			SELECT p.id AS posting_id, p.created_at, p.kind, p.idempotency_key, p.order_no, e.amount,
			       sum(e.amount) OVER (ORDER BY p.id) AS running
			FROM entries e JOIN accounts acc ON acc.id = e.account_id JOIN postings p ON p.id = e.posting_id
			WHERE acc.key = $1) s
		WHERE created_at >= $2 AND created_at < $3 ORDER BY posting_id`, a.Key(), from, to)
	if err != nil {
		return nil, err
	}
	var out []StatementLine
	var s StatementLine
	var amount, running int64
	_, err = pgx.ForEachRow(
		rows,
		[]any{&s.PostingID, &s.At, &s.Kind, &s.Key, &s.OrderNo, &amount, &running},
		func() error {
			s.Amount, s.BalanceAfter = money.Amount(amount), money.Amount(running)
			out = append(out, s)
			return nil
		},
	)
	return out, err
}

// PostedEntry is one entry of an order's posting.
type PostedEntry struct {
	PostingID  int64
	Kind       string
	Key        string
	SubOrderNo string
	Account    string
	Amount     money.Amount
}

// OrderPostings lists every entry posted for a combined order, in posting order.
func (l *Ledger) OrderPostings(ctx context.Context, orderNo string) ([]PostedEntry, error) {
	rows, err := l.db.Query(ctx, `
		SELECT p.id, p.kind, p.idempotency_key, coalesce(p.sub_order_no, ''), a.key, e.amount
		FROM postings p JOIN entries e ON e.posting_id = p.id JOIN accounts a ON a.id = e.account_id
		WHERE p.order_no = $1 ORDER BY p.id, a.key`, orderNo)
	if err != nil {
		return nil, err
	}
	var out []PostedEntry
	var pe PostedEntry
	var amount int64
	_, err = pgx.ForEachRow(
		rows,
		[]any{&pe.PostingID, &pe.Kind, &pe.Key, &pe.SubOrderNo, &pe.Account, &amount},
		func() error {
			pe.Amount = money.Amount(amount)
			out = append(out, pe)
			return nil
		},
	)
	return out, err
}

// SubOrderTotals sums a sub-order's postings by kind, in the terms of SPEC.md's conservation rule.
type SubOrderTotals struct {
	Paid, Subsidy, Refunded, Shared, Returned, Settled, SubsidyReturned, DebtRecorded money.Amount
}

// Conserved checks SPEC.md's rule on the money that moved at the channel: paid + subsidy = refunded + shared −
// returned + settled + subsidy returned. A person's recorded debt is not in it: no money moved — the merchant
// fronted that part of the refund and holds a receivable (DebtRecorded reports it). It returns an error
// naming both sides when the rule does not hold; it holds once a sub-order is finished.
func (t SubOrderTotals) Conserved() error {
	in := t.Paid + t.Subsidy
	out := t.Refunded + t.Shared - t.Returned + t.Settled + t.SubsidyReturned
	if in != out {
		return fmt.Errorf(
			"paid %s + subsidy %s = %s, but refunded %s + shared %s − returned %s + settled %s + subsidy returned %s = %s",
			t.Paid,
			t.Subsidy,
			in,
			t.Refunded,
			t.Shared,
			t.Returned,
			t.Settled,
			t.SubsidyReturned,
			out,
		)
	}
	return nil
}

// SubOrderTotals reads the totals of one sub-order from its postings.
func (l *Ledger) SubOrderTotals(ctx context.Context, orderNo, subOrderNo string) (SubOrderTotals, error) {
	// The merchant-side entry of each posting carries its amount: payments/subsidies/returns/debts add to
	// the merchant, the rest take from it. Finish is frozen → available: count only its frozen side. After
	// finish, refunds, subsidy returns and returns move the merchant's available money, which finish settled:
	// Settled is what stays settled (finish − those refunds and subsidy returns + those returns).
	rows, err := l.db.Query(ctx, `
		SELECT p.kind, a.bucket, sum(abs(e.amount))::bigint
		FROM postings p JOIN entries e ON e.posting_id = p.id JOIN accounts a ON a.id = e.account_id
		WHERE p.order_no = $1 AND p.sub_order_no = $2 AND a.owner_kind = 'merchant'
		  AND (p.kind <> $3 OR a.bucket = 'frozen')
		GROUP BY p.kind, a.bucket`, orderNo, subOrderNo, KindFinish)
	if err != nil {
		return SubOrderTotals{}, err
	}
	var t SubOrderTotals
	var kind, bucket string
	var sum int64
	var afterFinish money.Amount
	_, err = pgx.ForEachRow(rows, []any{&kind, &bucket, &sum}, func() error {
		if dst := t.field(kind); dst != nil {
			*dst += money.Amount(sum)
		}
		if bucket == BucketAvailable {
			switch kind {
			case KindRefund, KindSubsidyReturn:
				afterFinish -= money.Amount(sum)
			case KindSharingReturn:
				afterFinish += money.Amount(sum)
			}
		}
		return nil
	})
	t.Settled += afterFinish
	return t, err
}

// SubOrderFrozen is what the ledger holds frozen for one sub-order: every entry its postings made on the
// merchant's frozen account. The channel's unsplit amount for the sub-order must be the same.
func (l *Ledger) SubOrderFrozen(ctx context.Context, ref OrderRef) (money.Amount, error) {
	var sum int64
	err := l.db.QueryRow(ctx, `
		SELECT coalesce(sum(e.amount), 0)::bigint
		FROM postings p JOIN entries e ON e.posting_id = p.id JOIN accounts a ON a.id = e.account_id
		WHERE p.order_no = $1 AND p.sub_order_no = $2 AND a.key = $3`, ref.OrderNo, ref.SubOrderNo,
		MerchantFrozen(ref.Channel, ref.MerchantID).Key()).Scan(&sum)
	return money.Amount(sum), err
}

func (t *SubOrderTotals) field(kind string) *money.Amount {
	switch kind {
	case KindPayment:
		return &t.Paid
	case KindSubsidy:
		return &t.Subsidy
	case KindRefund:
		return &t.Refunded
	case KindSharing:
		return &t.Shared
	case KindSharingReturn:
		return &t.Returned
	case KindFinish:
		return &t.Settled
	case KindSubsidyReturn:
		return &t.SubsidyReturned
	case KindCommissionDebt:
		return &t.DebtRecorded
	}
	return nil
}

// QuickCheck is Check for a few accounts, cheap enough to run after every operation: each account's sum of
// entries (in the order given), the trial balance over all accounts, and how many non-negative accounts are
// below zero (always 0 unless the schema's guard was bypassed).
func (l *Ledger) QuickCheck(
	ctx context.Context,
	accts ...Account,
) (sums []money.Amount, trial money.Amount, negatives int, err error) {
	keys := make([]string, len(accts))
	for i, a := range accts {
		keys[i] = a.Key()
	}
	rows, err := l.db.Query(ctx, `
		SELECT coalesce((SELECT sum(e.amount) FROM entries e JOIN accounts a ON a.id = e.account_id WHERE a.key = k), 0)::bigint
		FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`, keys)
	if err != nil {
		return nil, 0, 0, err
	}
	var s int64
	if _, err = pgx.ForEachRow(rows, []any{&s}, func() error { sums = append(sums, money.Amount(s)); return nil }); err != nil {
		return nil, 0, 0, err
	}
	var sum int64
	err = l.db.QueryRow(ctx, `SELECT coalesce(sum(balance), 0)::bigint, count(*) FILTER (WHERE non_negative AND balance < 0) FROM accounts`).
		Scan(&sum, &negatives)
	return sums, money.Amount(sum), negatives, err
}
