package activities

import (
	"context"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/bridge"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

func channelSubOrders(subs []workflows.PaymentSubOrder) []channels.SubOrder {
	out := make([]channels.SubOrder, len(subs))
	for i, s := range subs {
		out[i] = channels.SubOrder{
			SubMchID:      s.SubMchID,
			OutTradeNo:    s.OutTradeNo,
			Description:   s.Description,
			Amount:        s.Amount,
			ProfitSharing: s.ProfitSharing,
			SubsidyAmount: s.SubsidyAmount,
		}
	}
	return out
}

// CreateCombinedPayment places the combined order at the channel; repeating it returns the same parameters.
func (a *Activities) CreateCombinedPayment(
	ctx context.Context,
	in workflows.CreatePaymentInput,
) (workflows.PaymentParams, error) {
	o := channels.CombinedOrder{
		Scene:         in.Scene,
		OutTradeNo:    in.OutTradeNo,
		PayerOpenID:   in.PayerOpenID,
		PayerClientIP: in.PayerClientIP,
		H5Type:        in.H5Type,
		NotifyURL:     in.NotifyURL,
		SubOrders:     channelSubOrders(in.SubOrders),
	}
	if !in.ExpireAt.IsZero() {
		o.TimeExpireRFC3339 = in.ExpireAt.Format(time.RFC3339)
	}
	return onChannel(a, in.Channel, func(ch Channel) (workflows.PaymentParams, error) {
		p, err := ch.CreateCombined(ctx, o)
		return workflows.PaymentParams{PrepayID: p.PrepayID, H5URL: p.H5URL, CodeURL: p.CodeURL,
			OrderString: p.OrderString, PayURL: p.PayURL}, err
	})
}

// QueryCombinedPayment asks the channel for the order's state: the fallback when a notification is lost.
func (a *Activities) QueryCombinedPayment(
	ctx context.Context,
	in workflows.QueryPaymentInput,
) (workflows.PaymentStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.PaymentStatus, error) {
		st, err := ch.QueryCombined(ctx, in.OutTradeNo, channelSubOrders(in.SubOrders))
		return bridge.PaymentStatusOf(st), err
	})
}

// CloseCombinedPayment closes an unpaid order at the channel. Closing an order that is already closed is done.
func (a *Activities) CloseCombinedPayment(ctx context.Context, in workflows.ClosePaymentInput) (workflows.Done, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.Done, error) {
		err := ch.CloseCombined(ctx, "", in.OutTradeNo, channelSubOrders(in.SubOrders))
		if channels.IsReason(err, channels.ReasonAlreadyClosed) {
			err = nil
		}
		return workflows.Done{}, err
	})
}

// PostPayment posts a paid sub-order to the ledger once, keyed by the channel's transaction id.
func (a *Activities) PostPayment(ctx context.Context, in workflows.PostPaymentInput) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.PaymentReceived(ctx, ledger.PaymentReceived{
		OrderRef: ledger.OrderRef{
			Channel:    in.Channel,
			OrderNo:    in.OrderNo,
			SubOrderNo: in.SubOrderNo,
			MerchantID: in.MerchantID,
		},
		TransactionID: in.TransactionID,
		Amount:        in.Amount,
	}))
}

// PostPayments posts each paid sub-order (once per transaction id, as PostPayment), then writes the order's read
// model with its view (publishing its event): what a paid order needs of the ledger, in one activity.
func (a *Activities) PostPayments(ctx context.Context, in workflows.PostPaymentsInput) (workflows.Done, error) {
	for _, p := range in.Payments {
		if _, err := a.PostPayment(ctx, p); err != nil {
			return workflows.Done{}, err
		}
	}
	return a.SaveOrderView(ctx, in.View)
}
