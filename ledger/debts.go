package ledger

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/money"
)

// CommissionDebtRecorded: a personal receiver (a distributor) must give back a share for a refund, but the
// channel cannot pull money from a person. The merchant fronts it — the refund comes out of its real funds —
// and the books say so: the person's debt, and the merchant's receivable of the same amount, which future
// commissions of that person settle. The merchant's frozen and available funds stay what the channel holds.
type CommissionDebtRecorded struct {
	OrderRef
	RefundNo   string // our refund number the clawback belongs to
	ReceiverID string
	Amount     money.Amount
}

func (l *Ledger) CommissionDebtRecorded(ctx context.Context, in CommissionDebtRecorded) (Result, error) {
	if err := first(in.validate(true), required("RefundNo", in.RefundNo), required("ReceiverID", in.ReceiverID),
		positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(ctx, in.OrderRef, KindCommissionDebt, in.RefundNo+":"+in.ReceiverID,
		ReceiverDebt(in.ReceiverID), MerchantReceivable(in.MerchantID), in.Amount)
}

// CommissionDebtNetted: part of a person's later commission from the same merchant is withheld against its
// debt to that merchant: the sharing request pays the person less, the withheld money stays in the merchant's
// funds (finish unfreezes it to the merchant), and the books clear that much of the debt and the receivable.
// OrderRef is the later sub-order, whose merchant is the creditor.
type CommissionDebtNetted struct {
	OrderRef
	NettingID  string // our out-number of the netting: <sub-order>-net-<receiver>
	ReceiverID string
	Amount     money.Amount
}

func (l *Ledger) CommissionDebtNetted(ctx context.Context, in CommissionDebtNetted) (Result, error) {
	return commissionDebtNetted(ctx, l.db, in)
}

func commissionDebtNetted(ctx context.Context, db beginner, in CommissionDebtNetted) (Result, error) {
	if err := first(in.validate(true), required("NettingID", in.NettingID), required("ReceiverID", in.ReceiverID),
		positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return post(ctx, db, transferPosting(in.OrderRef, KindCommissionDebtNet, in.NettingID,
		MerchantReceivable(in.MerchantID), ReceiverDebt(in.ReceiverID), in.Amount))
}

// OpenDebt is what a person still owes a merchant for clawbacks it fronted: its recorded debts to that
// merchant less what later commissions netted.
func (l *Ledger) OpenDebt(ctx context.Context, receiverID, merchantID string) (money.Amount, error) {
	return openDebt(ctx, l.db, receiverID, merchantID)
}

func openDebt(ctx context.Context, db querier, receiverID, merchantID string) (money.Amount, error) {
	var open int64
	err := db.QueryRow(ctx, `
		SELECT coalesce(sum(r.amount), 0)::bigint
		FROM entries r JOIN accounts ra ON ra.id = r.account_id
		JOIN entries d ON d.posting_id = r.posting_id JOIN accounts da ON da.id = d.account_id
		WHERE ra.owner_kind = $3 AND ra.owner_id = $2 AND ra.bucket = $4
		  AND da.owner_kind = $5 AND da.owner_id = $1 AND da.bucket = $6`,
		receiverID, merchantID, OwnerMerchant, BucketReceivable, OwnerReceiver, BucketDebt).Scan(&open)
	return money.Amount(open), err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// NetDebt asks to withhold up to UpTo of a person's commission on a merchant's sub-order against its open debt
// to that merchant.
type NetDebt struct {
	OrderRef
	NettingID  string
	ReceiverID string
	UpTo       money.Amount
}

// NetCommissionDebt withholds min(open debt, UpTo) and posts it; it answers what was withheld. Repeating it
// with the same NettingID answers the first result. Nettings of one debt are serialised by a transaction-scoped
// advisory lock on (receiver, merchant), so a debt is never netted twice.
func (l *Ledger) NetCommissionDebt(ctx context.Context, in NetDebt) (money.Amount, error) {
	if err := first(in.validate(true), required("NettingID", in.NettingID), required("ReceiverID", in.ReceiverID)); err != nil {
		return 0, err
	}
	if in.UpTo <= 0 {
		return 0, nil
	}
	var amount money.Amount
	err := pgx.BeginFunc(ctx, l.db, func(tx pgx.Tx) error {
		lock := "debt:" + in.ReceiverID + "@" + in.MerchantID
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, lock); err != nil {
			return err
		}
		var done int64
		err := tx.QueryRow(ctx, `SELECT e.amount FROM postings p JOIN entries e ON e.posting_id = p.id
			JOIN accounts a ON a.id = e.account_id WHERE p.idempotency_key = $1 AND a.bucket = $2`,
			in.Channel+":"+KindCommissionDebtNet+":"+in.NettingID, BucketDebt).Scan(&done)
		if err == nil {
			amount = money.Amount(done) // netted before: the same answer
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		open, err := openDebt(ctx, tx, in.ReceiverID, in.MerchantID)
		if err != nil || open <= 0 {
			return err
		}
		amount = min(open, in.UpTo)
		_, err = commissionDebtNetted(
			ctx,
			tx,
			CommissionDebtNetted{
				OrderRef:   in.OrderRef,
				NettingID:  in.NettingID,
				ReceiverID: in.ReceiverID,
				Amount:     amount,
			},
		)
		return err
	})
	if err != nil {
		return 0, err
	}
	return amount, nil
}
