package activities

import (
	"context"
	"time"

	"github.com/splitpay/splitpay/risk"
	"github.com/splitpay/splitpay/workflows"
)

// EvaluateRisk judges an order by the risk rules, once per order number (risk.Evaluate): a retry answers the
// first decision and counts nothing twice.
func (a *Activities) EvaluateRisk(ctx context.Context, in workflows.RiskInput) (workflows.RiskDecision, error) {
	o := risk.Order{OrderNo: in.OrderNo, Channel: in.Channel, Payer: in.Payer, ClientIP: in.ClientIP, Device: in.Device}
	for _, p := range in.Parts {
		o.Parts = append(o.Parts, risk.Part{MerchantID: p.MerchantID, Amount: int64(p.Amount)})
	}
	d, err := risk.Evaluate(ctx, a.DB, o, a.Ledger.RefundStats)
	if err != nil {
		return workflows.RiskDecision{}, forTemporal(err)
	}
	return workflows.RiskDecision{Outcome: d.Outcome, Rule: d.Rule, Reason: d.Reason, Alerts: d.Alerts,
		RulesVersion: d.RulesVersion, ReviewTimeout: time.Duration(d.ReviewTimeoutMinutes) * time.Minute}, nil
}

// ReleaseRisk gives back what an unpaid order counted against its merchants' daily caps, once.
func (a *Activities) ReleaseRisk(ctx context.Context, in workflows.ReleaseRiskInput) (workflows.Done, error) {
	return workflows.Done{}, forTemporal(risk.Release(ctx, a.DB, in.OrderNo, in.Reason))
}
