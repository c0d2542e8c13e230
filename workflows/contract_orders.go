package workflows

import (
	"fmt"
	"time"

	"github.com/splitpay/splitpay/money"
)

// FrozenCheck is CheckFrozen's answer: the sub-order's unsplit money, on which the ledger and the channel agree.
type FrozenCheck struct {
	Unsplit money.Amount
}

// OrderViewInput writes the orders read model; Revision orders the writes.
type OrderViewInput struct {
	OrderNo     string
	Channel     string
	Status      string
	Total       money.Amount
	Paid        money.Amount
	MerchantIDs []string
	Revision    int64
	PaidAt      *time.Time
	CompletedAt *time.Time
}

// CheckDatabaseInput is the (empty, extendable) input of the CheckDatabase activity.
type CheckDatabaseInput struct{}

// DatabaseStatus is what CheckDatabase reports about the worker's PostgreSQL.
type DatabaseStatus struct {
	ServerVersion string   // e.g. "15.18"
	Migrations    []string // applied migrations, oldest first
}

// RiskInput is an order as the risk rules judge it (package risk): its merchants' parts, and who pays from
// where.
type RiskInput struct {
	OrderNo, Channel        string
	Payer, ClientIP, Device string
	Parts                   []RiskPart
}

// RiskPart is a merchant's part of an order.
type RiskPart struct {
	MerchantID string
	Amount     money.Amount
}

// Risk outcomes.
const (
	RiskPass   = "PASS"
	RiskReview = "REVIEW"
	RiskRefuse = "REFUSE"
)

// RiskDecision is EvaluateRisk's answer: the outcome, the rule that refused or held the order, and how long a
// held order waits for ops (the rules' review_timeout_minutes, a day by default: risk is its one home).
type RiskDecision struct {
	Outcome       string
	Rule, Reason  string
	Alerts        []string
	RulesVersion  int64
	ReviewTimeout time.Duration
}

// ReleaseRiskInput gives back what an order counted against its merchants' daily caps.
type ReleaseRiskInput struct {
	OrderNo string
	Reason  string
}

// ReviewRequest is UpdateReview's payload: ops' decision on a held order.
type ReviewRequest struct {
	Approve bool
	By      string
	Reason  string
}

// Summary is the activity's line in the UI.
func (in RiskInput) Summary() string {
	var total money.Amount
	for _, p := range in.Parts {
		total += p.Amount
	}
	return fmt.Sprintf("order %s: %d merchant part(s), %s", in.OrderNo, len(in.Parts), total)
}
