package ledger

import (
	"context"

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
	Channel    string // wechatpay (the only channel so far)
	OrderNo    string // combined order number
	SubOrderNo string // the sub-order's out_trade_no
	MerchantID string // SplitPay's merchant id of the sub-order's sub-merchant
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
		MerchantFrozen(in.Channel, in.MerchantID),
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
		MerchantFrozen(in.Channel, in.MerchantID),
		in.Amount,
	)
}

// Share is one receiver's part of a sharing request. Platform marks the platform's own commission.
type Share struct {
	ReceiverID string // SplitPay receiver id; ignored when Platform
	Platform   bool
	Amount     money.Amount
}

func (s Share) account(channel string) Account {
	if s.Platform {
		return PlatformCommission(channel)
	}
	return ReceiverCommission(channel, s.ReceiverID)
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
		entries = append(entries, Entry{s.account(in.Channel), s.Amount})
	}
	entries = append(entries, Entry{MerchantFrozen(in.Channel, in.MerchantID), -total})
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
		in.From.account(in.Channel),
		merchantBucket(in.Channel, in.MerchantID, in.ToFrozen),
		in.From.Amount,
	)
}

func merchantBucket(channel, id string, frozen bool) Account {
	if frozen {
		return MerchantFrozen(channel, id)
	}
	return MerchantAvailable(channel, id)
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
		MerchantFrozen(in.Channel, in.MerchantID),
		MerchantAvailable(in.Channel, in.MerchantID),
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
		merchantBucket(in.Channel, in.MerchantID, in.FromFrozen),
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
		merchantBucket(in.Channel, in.MerchantID, in.FromFrozen),
		PlatformSubsidyBudget(),
		in.Amount,
	)
}
