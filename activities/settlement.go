package activities

import (
	"context"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// newAccountWindow: a withdrawal this soon after its settlement account changed raises an alert.
const newAccountWindow = 7 * 24 * time.Hour

// CheckSettlementAccount reads the account a withdrawal is about to go to, records it, and raises a
// withdrawal_new_account alert (a metric and a risk.alert event, once per withdrawal) when it changed within
// newAccountWindow. The first account seen for a merchant is its baseline.
func (a *Activities) CheckSettlementAccount(ctx context.Context, in workflows.WithdrawInput) (workflows.SettlementCheck, error) {
	acc, err := withCapability(a, in.Channel, "withdrawals", func(ch channels.Funds) (channels.SettlementAccount, error) {
		return ch.SettlementAccount(ctx, in.SubMchID)
	})
	if err != nil {
		return workflows.SettlementCheck{}, err
	}
	changed, err := a.Ledger.SettlementSeen(ctx, in.Channel, in.MerchantID, acc.NumberMasked)
	if err != nil {
		return workflows.SettlementCheck{}, forTemporal(err)
	}
	out := workflows.SettlementCheck{ChangedAt: changed, Recent: changed != nil && time.Since(*changed) < newAccountWindow}
	if !out.Recent {
		return out, nil
	}
	const kind = "withdrawal_new_account"
	a.Metrics.Alert(kind)
	err = a.publish(ctx, webhooks.Event{ID: webhooks.RiskAlert + ":" + kind + ":" + in.MerchantID + ":" + in.OutRequestNo,
		Type: webhooks.RiskAlert, Subject: in.MerchantID, Data: map[string]any{"alert": kind, "merchant_id": in.MerchantID,
			"out_request_no": in.OutRequestNo, "channel": in.Channel, "amount": int64(in.Amount), "changed_at": changed}})
	return out, forTemporal(err)
}
