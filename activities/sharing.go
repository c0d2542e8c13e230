package activities

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// ConfirmSettlement confirms a sub-order's settlement at the channel, frozen for sharing; the channel answers
// the same confirm for the same out-number.
func (a *Activities) ConfirmSettlement(ctx context.Context, in workflows.SettleInput) (workflows.SettleStatus, error) {
	return withCapability(a, in.Channel, "settlement confirm", func(ch channels.Settlement) (workflows.SettleStatus, error) {
		st, err := ch.ConfirmSettlement(ctx, channels.SettleRequest{SubMchID: in.SubMchID,
			TransactionID: in.TransactionID, OutRequestNo: in.OutRequestNo, Amount: in.Amount})
		return workflows.SettleStatus{Amount: st.Amount}, err
	})
}

// CreateSubsidy pays the platform's subsidy into the sub-order's frozen funds (补差); the channel answers the
// same subsidy for the same out-number.
func (a *Activities) CreateSubsidy(ctx context.Context, in workflows.SubsidyInput) (workflows.SubsidyStatus, error) {
	return withCapability(a, in.Channel, "subsidies", func(ch channels.Subsidies) (workflows.SubsidyStatus, error) {
		st, err := ch.CreateSubsidy(ctx, channels.SubsidyRequest{
			SubMchID:      in.SubMchID,
			TransactionID: in.TransactionID,
			OutSubsidyNo:  in.OutSubsidyNo,
			Amount:        in.Amount,
			Description:   in.Description,
			RefundID:      in.RefundID,
		})
		return workflows.SubsidyStatus{SubsidyID: st.SubsidyID, Amount: st.Amount}, err
	})
}

// PostSubsidyPaid posts a paid subsidy, once per channel subsidy id.
func (a *Activities) PostSubsidyPaid(
	ctx context.Context,
	in workflows.PostSubsidyInput,
) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.SubsidyPaid(ctx, ledger.SubsidyPaid{
		OrderRef:  orderRef(in.SubOrderRef),
		SubsidyID: in.SubsidyID,
		Amount:    in.Amount,
	}))
}

// PaySubsidy is CreateSubsidy then PostSubsidyPaid in one activity, as workflows before "split-subsidy" call it.
func (a *Activities) PaySubsidy(ctx context.Context, in workflows.SubsidyInput) (workflows.PostingResult, error) {
	st, err := a.CreateSubsidy(ctx, in)
	if err != nil {
		return workflows.PostingResult{}, err
	}
	return a.PostSubsidyPaid(
		ctx,
		workflows.PostSubsidyInput{SubOrderRef: in.SubOrderRef, SubsidyID: st.SubsidyID, Amount: st.Amount},
	)
}

// Share sends one batch of the sharing plan.
func (a *Activities) Share(ctx context.Context, in workflows.ShareInput) (workflows.ShareStatus, error) {
	req := channels.SharingRequest{SubMchID: in.SubMchID, TransactionID: in.TransactionID, OutOrderNo: in.OutOrderNo}
	for _, s := range in.Shares {
		req.Receivers = append(req.Receivers, channels.SharingReceiver{
			Type:        s.Type,
			Account:     s.Account,
			Amount:      s.Amount,
			Description: s.Role,
		})
	}
	return onChannel(a, in.Channel, func(ch Channel) (workflows.ShareStatus, error) {
		st, err := ch.Share(ctx, req)
		return shareStatus(st), err
	})
}

// QueryShare asks how a sharing request went; the workflow polls it with backoff while PROCESSING.
func (a *Activities) QueryShare(ctx context.Context, in workflows.ShareInput) (workflows.ShareStatus, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.ShareStatus, error) {
		st, err := ch.QuerySharing(ctx, in.SubMchID, in.TransactionID, in.OutOrderNo)
		return shareStatus(st), err
	})
}

func shareStatus(st channels.SharingState) workflows.ShareStatus {
	out := workflows.ShareStatus{OrderID: st.OrderID, Status: st.Status}
	for _, r := range st.Receivers {
		out.Receivers = append(out.Receivers, workflows.ShareReceiverStatus{
			Account:    r.Account,
			Amount:     r.Amount,
			Result:     r.Result,
			FailReason: r.FailReason,
		})
	}
	return out
}

// Finish unfreezes what was not shared.
func (a *Activities) Finish(ctx context.Context, in workflows.FinishInput) (workflows.FinishResult, error) {
	return onChannel(a, in.Channel, func(ch Channel) (workflows.FinishResult, error) {
		st, err := ch.Finish(ctx, channels.FinishRequest{
			SubMchID:      in.SubMchID,
			TransactionID: in.TransactionID,
			OutOrderNo:    in.OutOrderNo,
			Description:   in.Description,
		})
		return workflows.FinishResult{OrderID: st.OrderID, Amount: st.FinishAmount}, err
	})
}

// PostSharing posts a settled sharing request to the ledger, once per channel sharing order.
func (a *Activities) PostSharing(ctx context.Context, in workflows.PostSharingInput) (workflows.PostingResult, error) {
	p := ledger.ProfitShared{OrderRef: orderRef(in.SubOrderRef), SharingOrderID: in.SharingOrderID}
	for _, s := range in.Shares {
		p.Shares = append(p.Shares, ledgerShare(s.ReceiverID, s.Amount))
	}
	return postingResult(a.Ledger.ProfitShared(ctx, p))
}

// PostFinished posts the unfreeze (frozen → available) to the ledger, once per finish order.
func (a *Activities) PostFinished(
	ctx context.Context,
	in workflows.PostFinishedInput,
) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.Finished(ctx, ledger.Finished{
		OrderRef: orderRef(in.SubOrderRef),
		FinishID: in.FinishOrderID,
		Amount:   in.Amount,
	}))
}

func orderRef(r workflows.SubOrderRef) ledger.OrderRef {
	return ledger.OrderRef{Channel: r.Channel, OrderNo: r.OrderNo, SubOrderNo: r.SubOrderNo, MerchantID: r.MerchantID}
}

func ledgerShare(receiverID string, amount money.Amount) ledger.Share {
	return ledger.Share{ReceiverID: receiverID, Platform: receiverID == workflows.PlatformReceiverID, Amount: amount}
}

func postingResult(r ledger.Result, err error) (workflows.PostingResult, error) {
	if err != nil {
		return workflows.PostingResult{}, forTemporal(err)
	}
	return workflows.PostingResult{PostingID: r.PostingID, Duplicate: r.Duplicate}, nil
}
