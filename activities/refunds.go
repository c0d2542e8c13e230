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
		Reason: in.Reason, Refund: in.Refund, Total: in.Total, NotifyURL: in.NotifyURL, From: in.From})
	if err != nil {
		return workflows.RefundStatus{}, forTemporal(err)
	}
	return workflows.RefundStatus{RefundID: st.RefundID, Status: st.Status, Amount: st.Refund, From: st.From}, nil
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
	return workflows.RefundStatus{RefundID: st.RefundID, Status: st.Status, Amount: st.Refund, From: st.From}, nil
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

// ReturnShare asks a merchant receiver to give back part of a sharing request; the same out_return_no is the
// same return.
func (a *Activities) ReturnShare(ctx context.Context, in workflows.ReturnShareInput) (workflows.ReturnStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.ReturnStatus{}, err
	}
	st, err := ch.Return(ctx, channels.ReturnRequest{SubMchID: in.SubMchID, OutOrderNo: in.OutOrderNo, OutReturnNo: in.OutReturnNo,
		ReturnMchID: in.ReturnMchID, Amount: in.Amount, Description: in.Description})
	if err != nil {
		return workflows.ReturnStatus{}, forTemporal(err)
	}
	return workflows.ReturnStatus{ReturnNo: st.ReturnNo, Result: st.Result, FailReason: st.FailReason, Amount: st.Amount}, nil
}

// QueryReturnShare asks how a return went; the workflow polls it while PROCESSING.
func (a *Activities) QueryReturnShare(ctx context.Context, in workflows.ReturnShareInput) (workflows.ReturnStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.ReturnStatus{}, err
	}
	st, err := ch.QueryReturn(ctx, in.SubMchID, in.OutOrderNo, in.OutReturnNo)
	if err != nil {
		return workflows.ReturnStatus{}, forTemporal(err)
	}
	return workflows.ReturnStatus{ReturnNo: st.ReturnNo, Result: st.Result, FailReason: st.FailReason, Amount: st.Amount}, nil
}

// PostSharingReturned posts a return: the receiver's commission back to the merchant, once per return.
func (a *Activities) PostSharingReturned(ctx context.Context, in workflows.PostSharingReturnedInput) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.SharingReturned(ctx, ledger.SharingReturned{OrderRef: orderRef(in.SubOrderRef), ReturnID: in.ReturnNo,
		From: ledger.Share{ReceiverID: in.ReceiverID, Platform: in.ReceiverID == workflows.PlatformReceiverID, Amount: in.Amount}, ToFrozen: in.ToFrozen}))
}

// PostCommissionDebt books a person's unreturnable clawback, once per refund and receiver.
func (a *Activities) PostCommissionDebt(ctx context.Context, in workflows.PostCommissionDebtInput) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.CommissionDebtRecorded(ctx, ledger.CommissionDebtRecorded{OrderRef: orderRef(in.SubOrderRef),
		RefundNo: in.RefundNo, ReceiverID: in.ReceiverID, Amount: in.Amount}))
}

// ReturnSubsidy gives subsidy back to the platform at the channel and posts it; both idempotent on the
// out-number and the channel's id.
func (a *Activities) ReturnSubsidy(ctx context.Context, in workflows.ReturnSubsidyInput) (workflows.PostingResult, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.PostingResult{}, err
	}
	st, err := ch.ReturnSubsidy(ctx, channels.SubsidyReturnRequest{SubMchID: in.SubMchID, OutOrderNo: in.OutOrderNo, TransactionID: in.TransactionID,
		RefundID: in.RefundID, Amount: in.Amount, Description: "coupon voided by refund", From: fundsSource(in.FromFrozen)})
	if err != nil {
		return workflows.PostingResult{}, forTemporal(err)
	}
	return postingResult(a.Ledger.SubsidyReturned(ctx, ledger.SubsidyReturned{OrderRef: orderRef(in.SubOrderRef), ReturnID: st.SubsidyID,
		Amount: st.Amount, FromFrozen: in.FromFrozen}))
}

// NetCommissionDebts withholds from each person's planned share what it owes the merchant, and posts it; a
// repeat answers what the first call withheld.
func (a *Activities) NetCommissionDebts(ctx context.Context, in workflows.NetDebtsInput) ([]workflows.DebtNetting, error) {
	var out []workflows.DebtNetting
	for _, s := range in.Shares {
		id := workflows.NettingID(in.SubOrderNo, s.ReceiverID)
		n, err := a.Ledger.NetCommissionDebt(ctx, ledger.NetDebt{OrderRef: orderRef(in.SubOrderRef), NettingID: id, ReceiverID: s.ReceiverID, UpTo: s.Amount})
		if err != nil {
			return nil, forTemporal(err)
		}
		if n > 0 {
			out = append(out, workflows.DebtNetting{ReceiverID: s.ReceiverID, NettingID: id, Amount: n})
		}
	}
	return out, nil
}

func fundsSource(frozen bool) string {
	if frozen {
		return channels.FundsFrozen
	}
	return channels.FundsAvailable
}
