package ledger

import (
	"context"

	"github.com/splitpay/splitpay/money"
)

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
		WithdrawalEventID(w.MerchantID, w.OutRequestNo),
		from,
		to,
		w.Amount,
	)
}

// WithdrawalEventID is the event id of a withdrawal's postings: the merchant and our out_request_no.
func WithdrawalEventID(merchantID, outRequestNo string) string {
	return merchantID + ":" + outRequestNo
}

// WithdrawalRequested: available funds leave for the channel; refused when they exceed the available balance.
func (l *Ledger) WithdrawalRequested(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalRequested, MerchantAvailable(w.Channel, w.MerchantID), ChannelClearing(w.Channel))
}

// WithdrawalSucceeded: the channel paid the bank.
func (l *Ledger) WithdrawalSucceeded(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalSucceeded, ChannelClearing(w.Channel), MerchantWithdrawn(w.Channel, w.MerchantID))
}

// WithdrawalFailed: the channel did not pay (FAIL, CLOSE); the money is available again.
func (l *Ledger) WithdrawalFailed(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalFailed, ChannelClearing(w.Channel), MerchantAvailable(w.Channel, w.MerchantID))
}

// WithdrawalBounced: the bank returned a withdrawal that had succeeded (REFUND); available again.
func (l *Ledger) WithdrawalBounced(ctx context.Context, w Withdrawal) (Result, error) {
	return l.withdrawal(ctx, w, KindWithdrawalBounced, MerchantWithdrawn(w.Channel, w.MerchantID), MerchantAvailable(w.Channel, w.MerchantID))
}
