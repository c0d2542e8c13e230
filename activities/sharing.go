package activities

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// PaySubsidy pays the platform's subsidy into the sub-order's frozen funds and posts it; both are idempotent
// on the out-number, so a retry pays and posts once.
func (a *Activities) PaySubsidy(ctx context.Context, in workflows.SubsidyInput) (workflows.PostingResult, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.PostingResult{}, err
	}
	st, err := ch.CreateSubsidy(ctx, channels.SubsidyRequest{SubMchID: in.SubMchID, TransactionID: in.TransactionID,
		OutSubsidyNo: in.OutSubsidyNo, Amount: in.Amount, Description: in.Description, RefundID: in.RefundID})
	if err != nil {
		return workflows.PostingResult{}, forTemporal(err)
	}
	r, err := a.Ledger.SubsidyPaid(ctx, ledger.SubsidyPaid{OrderRef: orderRef(in.SubOrderRef), SubsidyID: st.SubsidyID, Amount: st.Amount})
	return postingResult(r, err)
}

// Share sends one batch of the sharing plan.
func (a *Activities) Share(ctx context.Context, in workflows.ShareInput) (workflows.ShareStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.ShareStatus{}, err
	}
	req := channels.SharingRequest{SubMchID: in.SubMchID, TransactionID: in.TransactionID, OutOrderNo: in.OutOrderNo}
	for _, s := range in.Shares {
		req.Receivers = append(req.Receivers, channels.SharingReceiver{Type: s.Type, Account: s.Account, Amount: s.Amount, Description: s.Role})
	}
	st, err := ch.Share(ctx, req)
	if err != nil {
		return workflows.ShareStatus{}, forTemporal(err)
	}
	return shareStatus(st), nil
}

// QueryShare asks how a sharing request went; the workflow polls it with backoff while PROCESSING.
func (a *Activities) QueryShare(ctx context.Context, in workflows.ShareInput) (workflows.ShareStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.ShareStatus{}, err
	}
	st, err := ch.QuerySharing(ctx, in.SubMchID, in.TransactionID, in.OutOrderNo)
	if err != nil {
		return workflows.ShareStatus{}, forTemporal(err)
	}
	return shareStatus(st), nil
}

func shareStatus(st channels.SharingState) workflows.ShareStatus {
	out := workflows.ShareStatus{OrderID: st.OrderID, Status: st.Status}
	for _, r := range st.Receivers {
		out.Receivers = append(out.Receivers, workflows.ShareReceiverStatus{Account: r.Account, Amount: r.Amount, Result: r.Result, FailReason: r.FailReason})
	}
	return out
}

// Finish unfreezes what was not shared.
func (a *Activities) Finish(ctx context.Context, in workflows.FinishInput) (workflows.FinishResult, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.FinishResult{}, err
	}
	st, err := ch.Finish(ctx, channels.FinishRequest{SubMchID: in.SubMchID, TransactionID: in.TransactionID, OutOrderNo: in.OutOrderNo, Description: in.Description})
	if err != nil {
		return workflows.FinishResult{}, forTemporal(err)
	}
	return workflows.FinishResult{OrderID: st.OrderID, Amount: st.FinishAmount}, nil
}

// PostSharing posts a settled sharing request to the ledger, once per channel sharing order.
func (a *Activities) PostSharing(ctx context.Context, in workflows.PostSharingInput) (workflows.PostingResult, error) {
	in2 := ledger.ProfitShared{OrderRef: orderRef(in.SubOrderRef), SharingOrderID: in.SharingOrderID}
	for _, s := range in.Shares {
		in2.Shares = append(in2.Shares, ledger.Share{ReceiverID: s.ReceiverID, Platform: s.ReceiverID == workflows.PlatformReceiverID, Amount: s.Amount})
	}
	return postingResult(a.Ledger.ProfitShared(ctx, in2))
}

// PostFinished posts the unfreeze (frozen → available) to the ledger, once per finish order.
func (a *Activities) PostFinished(ctx context.Context, in workflows.PostFinishedInput) (workflows.PostingResult, error) {
	return postingResult(a.Ledger.Finished(ctx, ledger.Finished{OrderRef: orderRef(in.SubOrderRef), FinishID: in.FinishOrderID, Amount: in.Amount}))
}

func orderRef(r workflows.SubOrderRef) ledger.OrderRef {
	return ledger.OrderRef{Channel: r.Channel, OrderNo: r.OrderNo, SubOrderNo: r.SubOrderNo, MerchantID: r.MerchantID}
}

func postingResult(r ledger.Result, err error) (workflows.PostingResult, error) {
	if err != nil {
		return workflows.PostingResult{}, forTemporal(err)
	}
	return workflows.PostingResult{PostingID: r.PostingID, Duplicate: r.Duplicate}, nil
}
