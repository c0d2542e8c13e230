package ledger

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/money"
)

// Posting kinds. Each is written by one function below with a typed input; the idempotency key is
// "<channel>:<kind>:<the channel's id for the event>", so the same channel event can never post twice.
const (
	KindPayment             = "payment"              // buyer → merchant frozen
	KindSubsidy             = "subsidy"              // platform subsidy budget → merchant frozen (补差)
	KindSharing             = "sharing"              // merchant frozen → receivers' commission (分账)
	KindSharingReturn       = "sharing_return"       // a receiver's commission → merchant (分账回退)
	KindCommissionDebt      = "commission_debt"      // a person's unreturnable clawback → their debt
	KindCommissionDebtNet   = "commission_debt_net"  // later commission withheld against the debt
	KindFinish              = "finish"               // merchant frozen → available (完结分账 / unfreeze)
	KindRefund              = "refund"               // merchant frozen or available → buyer
	KindSubsidyReturn       = "subsidy_return"       // merchant → platform subsidy budget (补差回退)
	KindWithdrawalRequested = "withdrawal_requested" // merchant available → in flight at the channel
	KindWithdrawalSucceeded = "withdrawal_succeeded" // in flight → merchant withdrawn
	KindWithdrawalFailed    = "withdrawal_failed"    // in flight → back to available (FAIL / CLOSE)
	KindWithdrawalBounced   = "withdrawal_bounced"   // withdrawn → back to available (the bank returned it)
)

// OrderRef ties a posting to a channel event of a sub-order.
type OrderRef struct {
	Channel    string // wechatpay | alipay
	OrderNo    string // combined order number
	SubOrderNo string // the sub-order's out_trade_no
	MerchantID string // SplitPay's merchant id of the sub-order's sub-merchant
}

func (r OrderRef) validate(needOrder bool) error {
	if r.Channel == "" {
		return &ValidationError{"Channel", "required"}
	}
	if r.MerchantID == "" {
		return &ValidationError{"MerchantID", "required"}
	}
	if needOrder && (r.OrderNo == "" || r.SubOrderNo == "") {
		return &ValidationError{"OrderNo/SubOrderNo", "required"}
	}
	return nil
}

func positive(field string, a money.Amount) error {
	if a <= 0 {
		return &ValidationError{field, "must be a positive number of fen"}
	}
	return nil
}

func required(field, v string) error {
	if v == "" {
		return &ValidationError{field, "required"}
	}
	return nil
}

// first returns the first non-nil error.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// transfer posts amount from one account to another for an order event.
func (l *Ledger) transfer(
	ctx context.Context,
	ref OrderRef,
	kind, eventID string,
	from, to Account,
	amount money.Amount,
) (Result, error) {
	return l.Post(ctx, transferPosting(ref, kind, eventID, from, to, amount))
}

func transferPosting(ref OrderRef, kind, eventID string, from, to Account, amount money.Amount) Posting {
	return Posting{
		Key: ref.Channel + ":" + kind + ":" + eventID, Kind: kind, OrderNo: ref.OrderNo, SubOrderNo: ref.SubOrderNo,
		Entries: []Entry{{from, -amount}, {to, amount}},
	}
}

// PaymentReceived: the buyer paid a sub-order; the money sits frozen in the sub-merchant's account.
type PaymentReceived struct {
	OrderRef
	TransactionID string // the channel's transaction id of the sub-order
	Amount        money.Amount
}

func (l *Ledger) PaymentReceived(ctx context.Context, in PaymentReceived) (Result, error) {
	if err := first(in.validate(true), required("TransactionID", in.TransactionID), positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindPayment,
		in.TransactionID,
		BuyersClearing(in.Channel),
		MerchantFrozen(in.MerchantID),
		in.Amount,
	)
}

// SubsidyPaid: the platform paid the sub-merchant the discount its coupon gave the buyer; it joins the frozen
// sharing base.
type SubsidyPaid struct {
	OrderRef
	SubsidyID string // the channel's subsidy id (or our out_subsidy_no when the channel gives none)
	Amount    money.Amount
}

func (l *Ledger) SubsidyPaid(ctx context.Context, in SubsidyPaid) (Result, error) {
	if err := first(in.validate(true), required("SubsidyID", in.SubsidyID), positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindSubsidy,
		in.SubsidyID,
		PlatformSubsidyBudget(),
		MerchantFrozen(in.MerchantID),
		in.Amount,
	)
}

// Share is one receiver's part of a sharing request. Platform marks the platform's own commission.
type Share struct {
	ReceiverID string // SplitPay receiver id; ignored when Platform
	Platform   bool
	Amount     money.Amount
}

func (s Share) account() Account {
	if s.Platform {
		return PlatformCommission()
	}
	return ReceiverCommission(s.ReceiverID)
}

// ProfitShared: one sharing request of a sub-order succeeded; each receiver's commission moves out of the
// sub-merchant's frozen funds.
type ProfitShared struct {
	OrderRef
	SharingOrderID string // the channel's order_id of the sharing request
	Shares         []Share
}

func (l *Ledger) ProfitShared(ctx context.Context, in ProfitShared) (Result, error) {
	if err := first(in.validate(true), required("SharingOrderID", in.SharingOrderID)); err != nil {
		return Result{}, err
	}
	if len(in.Shares) == 0 {
		return Result{}, &ValidationError{"Shares", "at least one share"}
	}
	var total money.Amount
	entries := make([]Entry, 0, len(in.Shares)+1)
	for _, s := range in.Shares {
		if err := positive("Shares.Amount", s.Amount); err != nil {
			return Result{}, err
		}
		if !s.Platform && s.ReceiverID == "" {
			return Result{}, &ValidationError{"Shares.ReceiverID", "required unless Platform"}
		}
		var err error
		if total, err = money.Add(total, s.Amount); err != nil {
			return Result{}, &ValidationError{"Shares.Amount", err.Error()}
		}
		entries = append(entries, Entry{s.account(), s.Amount})
	}
	entries = append(entries, Entry{MerchantFrozen(in.MerchantID), -total})
	return l.Post(ctx, Posting{
		Key: in.Channel + ":" + KindSharing + ":" + in.SharingOrderID, Kind: KindSharing,
		OrderNo: in.OrderNo, SubOrderNo: in.SubOrderNo, Entries: entries,
	})
}

// SharingReturned: a merchant-type receiver (the platform, a supplier) gave its share back (分账回退). The
// money lands in the sub-merchant's frozen funds, or available ones when the order was already finished.
type SharingReturned struct {
	OrderRef
	ReturnID string // the channel's return id
	From     Share  // who returns, and how much
	ToFrozen bool
}

func (l *Ledger) SharingReturned(ctx context.Context, in SharingReturned) (Result, error) {
	if err := first(in.validate(true), required("ReturnID", in.ReturnID), positive("From.Amount", in.From.Amount)); err != nil {
		return Result{}, err
	}
	if !in.From.Platform && in.From.ReceiverID == "" {
		return Result{}, &ValidationError{"From.ReceiverID", "required unless Platform"}
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindSharingReturn,
		in.ReturnID,
		in.From.account(),
		merchantBucket(in.MerchantID, in.ToFrozen),
		in.From.Amount,
	)
}

func merchantBucket(id string, frozen bool) Account {
	if frozen {
		return MerchantFrozen(id)
	}
	return MerchantAvailable(id)
}

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
	if err := first(in.validate(true), required("RefundNo", in.RefundNo), required("ReceiverID", in.ReceiverID), positive("Amount", in.Amount)); err != nil {
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
	if err := first(in.validate(true), required("NettingID", in.NettingID), required("ReceiverID", in.ReceiverID), positive("Amount", in.Amount)); err != nil {
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
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "debt:"+in.ReceiverID+"@"+in.MerchantID); err != nil {
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

// Finished: what was not shared is unfrozen to the sub-merchant's available balance (完结分账).
type Finished struct {
	OrderRef
	FinishID string // the channel's order_id of the finish request
	Amount   money.Amount
}

func (l *Ledger) Finished(ctx context.Context, in Finished) (Result, error) {
	if err := first(in.validate(true), required("FinishID", in.FinishID), positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindFinish,
		in.FinishID,
		MerchantFrozen(in.MerchantID),
		MerchantAvailable(in.MerchantID),
		in.Amount,
	)
}

// Refunded: the buyer got money back, from frozen funds (before finish) or available ones (after).
type Refunded struct {
	OrderRef
	RefundID   string // the channel's refund id
	Amount     money.Amount
	FromFrozen bool
}

func (l *Ledger) Refunded(ctx context.Context, in Refunded) (Result, error) {
	if err := first(in.validate(true), required("RefundID", in.RefundID), positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindRefund,
		in.RefundID,
		merchantBucket(in.MerchantID, in.FromFrozen),
		BuyersClearing(in.Channel),
		in.Amount,
	)
}

// SubsidyReturned: a refund voided the coupon, so the sub-merchant gives the subsidy back (补差回退).
type SubsidyReturned struct {
	OrderRef
	ReturnID   string // the channel's subsidy return id
	Amount     money.Amount
	FromFrozen bool
}

func (l *Ledger) SubsidyReturned(ctx context.Context, in SubsidyReturned) (Result, error) {
	if err := first(in.validate(true), required("ReturnID", in.ReturnID), positive("Amount", in.Amount)); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		in.OrderRef,
		KindSubsidyReturn,
		in.ReturnID,
		merchantBucket(in.MerchantID, in.FromFrozen),
		PlatformSubsidyBudget(),
		in.Amount,
	)
}

// Withdrawal is a sub-merchant's withdrawal to its bank account, keyed by our out_request_no.
type Withdrawal struct {
	Channel      string
	MerchantID   string
	OutRequestNo string
	Amount       money.Amount
}

func (w Withdrawal) validate() error {
	return first(required("Channel", w.Channel), required("MerchantID", w.MerchantID),
		required("OutRequestNo", w.OutRequestNo), positive("Amount", w.Amount))
}

func (l *Ledger) withdrawal(ctx context.Context, w Withdrawal, kind string, from, to Account) (Result, error) {
	if err := w.validate(); err != nil {
		return Result{}, err
	}
	return l.transfer(
		ctx,
		OrderRef{Channel: w.Channel, MerchantID: w.MerchantID},
		kind,
		w.MerchantID+":"+w.OutRequestNo,
		from,
		to,
		w.Amount,
	)
}

// WithdrawalRequested: available funds leave for the channel; refused when they exceed the available balance.
func (l *Ledger) WithdrawalRequested(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalRequested, MerchantAvailable(w.MerchantID), ChannelClearing(w.Channel))
}

// WithdrawalSucceeded: the channel paid the bank.
func (l *Ledger) WithdrawalSucceeded(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalSucceeded, ChannelClearing(w.Channel), MerchantWithdrawn(w.MerchantID))
}

// WithdrawalFailed: the channel did not pay (FAIL, CLOSE); the money is available again.
func (l *Ledger) WithdrawalFailed(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalFailed, ChannelClearing(w.Channel), MerchantAvailable(w.MerchantID))
}

// WithdrawalBounced: the bank returned a withdrawal that had succeeded (REFUND); available again.
func (l *Ledger) WithdrawalBounced(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalBounced, MerchantWithdrawn(w.MerchantID), MerchantAvailable(w.MerchantID))
}
