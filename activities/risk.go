package activities

import (
	"context"
	"strings"
	"time"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/risk"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// EvaluateRisk judges an order by the risk rules, once per order number (risk.Evaluate): a retry answers the
// first decision and counts nothing twice.
func (a *Activities) EvaluateRisk(ctx context.Context, in workflows.RiskInput) (workflows.RiskDecision, error) {
	o := risk.Order{OrderNo: in.OrderNo, Channel: in.Channel, Payer: in.Payer, ClientIP: in.ClientIP, Device: in.Device}
	for _, p := range in.Parts {
		o.Parts = append(o.Parts, risk.Part{MerchantID: p.MerchantID, Amount: int64(p.Amount)})
	}
	d, err := risk.Evaluate(ctx, a.DB, o, ledger.RefundStats)
	if err == nil {
		err = a.publishRisk(ctx, in, d)
	}
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

// publishRisk tells subscribers of a hold and of each alert the decision raised.
func (a *Activities) publishRisk(ctx context.Context, in workflows.RiskInput, d risk.Decision) error {
	if d.Outcome == risk.Review {
		if err := a.publish(ctx, webhooks.Event{ID: webhooks.RiskHeld + ":" + in.OrderNo, Type: webhooks.RiskHeld,
			Subject: in.OrderNo, Data: map[string]any{"order_no": in.OrderNo, "channel": in.Channel, "rule": d.Rule,
				"reason": d.Reason}}); err != nil {
			return err
		}
	}
	for _, alert := range d.Alerts {
		kind, _, _ := strings.Cut(alert, ":") // near_cap:<merchant>:… → near_cap: the label stays low-cardinality
		a.Metrics.Alert(kind)
		if err := a.publish(ctx, webhooks.Event{ID: webhooks.RiskAlert + ":" + in.OrderNo + ":" + alert,
			Type: webhooks.RiskAlert, Subject: in.OrderNo, Data: map[string]any{"order_no": in.OrderNo,
				"alert": alert}}); err != nil {
			return err
		}
	}
	return nil
}
