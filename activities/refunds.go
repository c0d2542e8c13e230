package activities

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// ApplyRefund applies a refund at the channel; the same out_refund_no repeats the same refund.
func (a *Activities) ApplyRefund(ctx context.Context, in workflows.ApplyRefundInput) (workflows.RefundStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.RefundStatus, error) {
		st, err := ch.ApplyRefund(ctx, channels.RefundRequest{
			SubMchID:      in.SubMchID,
			TransactionID: in.TransactionID,
			OutRefundNo:   in.OutRefundNo,
			Reason:        in.Reason,
			Refund:        in.Refund,
			Total:         in.Total,
			NotifyURL:     in.NotifyURL,
			From:          in.From,
			Reversals:     reversals(in.Reversals),
		})
		return refundStatus(st), err
	})
}

func reversals(rs []workflows.Reversal) []channels.Reversal {
	var out []channels.Reversal
	for _, r := range rs {
		out = append(out, channels.Reversal{Account: r.Account, Amount: r.Amount})
	}
	return out
}

// QueryRefundStatus asks how a refund went; the workflow polls it while PROCESSING.
func (a *Activities) QueryRefundStatus(
	ctx context.Context,
	in workflows.ApplyRefundInput,
) (workflows.RefundStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.RefundStatus, error) {
		st, err := ch.QueryRefund(ctx, in.SubMchID, in.TransactionID, in.OutRefundNo)
		return refundStatus(st), err
	})
}

func refundStatus(st channels.RefundState) workflows.RefundStatus {
	return workflows.RefundStatus{RefundID: st.RefundID, Status: st.Status, Amount: st.Refund, From: st.From}
}

// PostRefund posts a successful refund to the ledger, once per channel refund id.
func (a *Activities) PostRefund(ctx context.Context, in workflows.PostRefundInput) (workflows.PostingResult, error) {
	res, err := postingResult(a.Ledger.Refunded(ctx, ledger.Refunded{
		OrderRef:   orderRef(in.SubOrderRef),
		RefundID:   in.RefundID,
		Amount:     in.Amount,
		FromFrozen: in.FromFrozen,
	}))
	if err == nil {
		err = forTemporal(a.publish(ctx, webhooks.Event{ID: webhooks.RefundSucceeded + ":" + in.RefundID,
			Type: webhooks.RefundSucceeded, Subject: in.SubOrderNo, Data: map[string]any{"order_no": in.OrderNo,
				"sub_order_no": in.SubOrderNo, "refund_id": in.RefundID, "amount": int64(in.Amount)}}))
	}
	return res, err
}

// CancelSubsidy gives up a subsidy not yet paid; cancelling twice is done.
func (a *Activities) CancelSubsidy(ctx context.Context, in workflows.CancelSubsidyInput) (workflows.Done, error) {
	return withCapability(a, in.Channel, "subsidies", func(ch channels.Subsidies) (workflows.Done, error) {
		return workflows.Done{}, ch.CancelSubsidy(ctx, in.SubMchID, in.TransactionID, in.Description)
	})
}

// ReturnShare asks a merchant receiver to give back part of a sharing request; the same out_return_no is the
// same return.
func (a *Activities) ReturnShare(ctx context.Context, in workflows.ReturnShareInput) (workflows.ReturnStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.ReturnStatus, error) {
		st, err := ch.Return(ctx, channels.ReturnRequest{
			SubMchID:    in.SubMchID,
			OutOrderNo:  in.OutOrderNo,
			OutReturnNo: in.OutReturnNo,
			ReturnMchID: in.ReturnMchID,
			Amount:      in.Amount,
			Description: in.Description,
		})
		return returnStatus(st), err
	})
}

// QueryReturnShare asks how a return went; the workflow polls it while PROCESSING.
func (a *Activities) QueryReturnShare(
	ctx context.Context,
	in workflows.ReturnShareInput,
) (workflows.ReturnStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.ReturnStatus, error) {
		st, err := ch.QueryReturn(ctx, in.SubMchID, in.OutOrderNo, in.OutReturnNo)
		return returnStatus(st), err
	})
}

func returnStatus(st channels.ReturnState) workflows.ReturnStatus {
	return workflows.ReturnStatus{
		ReturnNo:   st.ReturnNo,
		Result:     st.Result,
		FailReason: st.FailReason,
		Amount:     st.Amount,
	}
}

// PostSharingReturned posts a return: the receiver's commission back to the merchant, once per return.
func (a *Activities) PostSharingReturned(
	ctx context.Context,
	in workflows.PostSharingReturnedInput,
) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.SharingReturned(ctx, ledger.SharingReturned{
		OrderRef: orderRef(in.SubOrderRef),
		ReturnID: in.ReturnNo,
		From:     ledgerShare(in.ReceiverID, in.Amount),
		ToFrozen: in.ToFrozen,
	}))
}

// PostCommissionDebt books a person's unreturnable clawback, once per refund and receiver.
func (a *Activities) PostCommissionDebt(
	ctx context.Context,
	in workflows.PostCommissionDebtInput,
) (workflows.PostingResult, error) {
	res, err := postingResult(a.Ledger.CommissionDebtRecorded(ctx, ledger.CommissionDebtRecorded{
		OrderRef:   orderRef(in.SubOrderRef),
		RefundNo:   in.RefundNo,
		ReceiverID: in.ReceiverID,
		Amount:     in.Amount,
	}))
	if err == nil {
		err = forTemporal(a.publish(ctx, webhooks.Event{ID: webhooks.DebtRecorded + ":" + in.RefundNo + ":" + in.ReceiverID,
			Type: webhooks.DebtRecorded, Subject: in.SubOrderNo, Data: map[string]any{"order_no": in.OrderNo,
				"sub_order_no": in.SubOrderNo, "refund_no": in.RefundNo, "receiver_id": in.ReceiverID,
				"merchant_id": in.MerchantID, "amount": int64(in.Amount)}}))
	}
	return res, err
}

// ApplySubsidyReturn gives subsidy back to the platform at the channel (补差回退), from the bucket named; the
// same out-number is the same return.
func (a *Activities) ApplySubsidyReturn(
	ctx context.Context,
	in workflows.ReturnSubsidyInput,
) (workflows.SubsidyStatus, error) {
	return withCapability(a, in.Channel, "subsidies", func(ch channels.Subsidies) (workflows.SubsidyStatus, error) {
		st, err := ch.ReturnSubsidy(ctx, channels.SubsidyReturnRequest{
			SubMchID:      in.SubMchID,
			OutOrderNo:    in.OutOrderNo,
			TransactionID: in.TransactionID,
			RefundID:      in.RefundID,
			Amount:        in.Amount,
			Description:   "coupon voided by refund",
			From:          fundsSource(in.FromFrozen),
		})
		return workflows.SubsidyStatus{SubsidyID: st.SubsidyID, Amount: st.Amount}, err
	})
}

// PostSubsidyReturned posts a subsidy return, once per channel id.
func (a *Activities) PostSubsidyReturned(
	ctx context.Context,
	in workflows.PostSubsidyInput,
) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.SubsidyReturned(ctx, ledger.SubsidyReturned{
		OrderRef:   orderRef(in.SubOrderRef),
		ReturnID:   in.SubsidyID,
		Amount:     in.Amount,
		FromFrozen: in.FromFrozen,
	}))
}

// ReturnSubsidy is ApplySubsidyReturn then PostSubsidyReturned in one activity, as workflows before
// "split-subsidy" call it.
func (a *Activities) ReturnSubsidy(
	ctx context.Context,
	in workflows.ReturnSubsidyInput,
) (workflows.PostingResult, error) {
	st, err := a.ApplySubsidyReturn(ctx, in)
	if err != nil {
		return workflows.PostingResult{}, err
	}
	return a.PostSubsidyReturned(ctx, workflows.PostSubsidyInput{
		SubOrderRef: in.SubOrderRef,
		SubsidyID:   st.SubsidyID,
		Amount:      st.Amount,
		FromFrozen:  in.FromFrozen,
	})
}

// NetCommissionDebts withholds from each person's planned share what it owes the merchant, and posts it; a
// repeat answers what the first call withheld.
func (a *Activities) NetCommissionDebts(
	ctx context.Context,
	in workflows.NetDebtsInput,
) (workflows.DebtNettings, error) {
	var out workflows.DebtNettings
	for _, s := range in.Shares {
		id := workflows.NettingID(in.SubOrderNo, s.ReceiverID)
		n, err := a.Ledger.NetCommissionDebt(ctx, ledger.NetDebt{
			OrderRef:   orderRef(in.SubOrderRef),
			NettingID:  id,
			ReceiverID: s.ReceiverID,
			UpTo:       s.Amount,
		})
		if err != nil {
			return workflows.DebtNettings{}, forTemporal(err)
		}
		if n > 0 {
			out.Nettings = append(
				out.Nettings,
				workflows.DebtNetting{ReceiverID: s.ReceiverID, NettingID: id, Amount: n},
			)
			if err := a.publish(ctx, webhooks.Event{ID: webhooks.DebtNetted + ":" + id, Type: webhooks.DebtNetted,
				Subject: in.SubOrderNo, Data: map[string]any{"order_no": in.OrderNo, "sub_order_no": in.SubOrderNo,
					"receiver_id": s.ReceiverID, "merchant_id": in.MerchantID, "amount": int64(n)}}); err != nil {
				return workflows.DebtNettings{}, forTemporal(err)
			}
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
