package activities

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// ApplyRefund applies a refund at the channel; the same out_refund_no repeats the same refund.
func (a *Activities) ApplyRefund(ctx context.Context, in workflows.ApplyRefundInput) (workflows.RefundStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.RefundStatus{}, err
	}
	st, err := ch.ApplyRefund(ctx, channels.RefundRequest{SubMchID: in.SubMchID, TransactionID: in.TransactionID, OutRefundNo: in.OutRefundNo,
		Reason: in.Reason, Refund: in.Refund, Total: in.Total, NotifyURL: in.NotifyURL})
	if err != nil {
		return workflows.RefundStatus{}, forTemporal(err)
	}
	return workflows.RefundStatus{RefundID: st.RefundID, Status: st.Status, Amount: st.Refund}, nil
}

// QueryRefundStatus asks how a refund went; the workflow polls it while PROCESSING.
func (a *Activities) QueryRefundStatus(ctx context.Context, in workflows.ApplyRefundInput) (workflows.RefundStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.RefundStatus{}, err
	}
	st, err := ch.QueryRefund(ctx, in.SubMchID, in.OutRefundNo)
	if err != nil {
		return workflows.RefundStatus{}, forTemporal(err)
	}
	return workflows.RefundStatus{RefundID: st.RefundID, Status: st.Status, Amount: st.Refund}, nil
}

// PostRefund posts a successful refund to the ledger, once per channel refund id.
func (a *Activities) PostRefund(ctx context.Context, in workflows.PostRefundInput) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.Refunded(ctx, ledger.Refunded{OrderRef: orderRef(in.SubOrderRef), RefundID: in.RefundID,
		Amount: in.Amount, FromFrozen: in.FromFrozen}))
}

// CancelSubsidy gives up a subsidy not yet paid; cancelling twice is done.
func (a *Activities) CancelSubsidy(ctx context.Context, in workflows.CancelSubsidyInput) error {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return err
	}
	return forTemporal(ch.CancelSubsidy(ctx, in.SubMchID, in.TransactionID, in.Description))
}
