package workflows

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/money"
)

// Roles of sharing receivers in the 链动 model.
const (
	RolePlatform    = "platform"    // the platform's commission
	RoleDistributor = "distributor" // a level-1 or level-2 distributor (a person)
	RoleSupplier    = "supplier"    // a supplier (a merchant)
)

// Receiver types at the channel: merchants can be pulled back from (分账回退), persons cannot.
const (
	ReceiverMerchant = "MERCHANT_ID"
	ReceiverPersonal = "PERSONAL_OPENID"
)

// CommissionRule gives one receiver a rate of the sharing base.
type CommissionRule struct {
	ReceiverID string          // SplitPay's receiver id ("platform" for the platform)
	Role       string          // RolePlatform | RoleDistributor | RoleSupplier
	Type       string          // ReceiverMerchant | ReceiverPersonal
	Account    string          // the channel account: merchant id or openid
	Rate       decimal.Decimal // e.g. 0.10 for a level-1 distributor
}

// SharingPlanInput is what a sub-order's sharing plan is computed from.
type SharingPlanInput struct {
	Paid     money.Amount // what the buyer paid for the sub-order
	Subsidy  money.Amount // the platform's subsidy paid to the merchant (补差), part of the base
	Refunded money.Amount // refunded before sharing; shrinks the base
	Rules    []CommissionRule
	MaxRatio decimal.Decimal // the channel's cap on what may be shared away (0.30)
	// Channel limits on requests.
	MaxReceiversPerRequest int
	MaxRequests            int
}

// PlannedShare is one receiver's amount.
type PlannedShare struct {
	ReceiverID string
	Role       string
	Type       string
	Account    string
	Amount     money.Amount
}

// SharingPlan is who gets what of a sub-order, and the requests that carry it.
type SharingPlan struct {
	Base          money.Amount     // paid + subsidy − refunded
	Shares        []PlannedShare   // non-zero shares, in rule order
	Batches       [][]PlannedShare // ≤ MaxReceiversPerRequest each, ≤ MaxRequests in all
	Shared        money.Amount     // the sum of Shares
	MerchantKeeps money.Amount     // Base − Shared: unfrozen to the merchant at finish
}

// PlanError is a plan that cannot be carried out: which input, and why.
type PlanError struct {
	Field  string
	Reason string
}

func (e *PlanError) Error() string { return fmt.Sprintf("sharing plan: %s: %s", e.Field, e.Reason) }

// PlanSharing computes a sub-order's sharing plan. Each share is the receiver's rate of the base, floored to
// the fen, so the remainder stays with the merchant; shares of zero fen are dropped (the channel refuses
// them). The total must stay within MaxRatio of the base, and the shares must fit the channel's request
// limits; otherwise PlanError says which limit.
//
// Invariants (fuzzed): Shared + MerchantKeeps = Base; Shared ≤ floor(Base × MaxRatio); every share is within
// one fen below its exact rate; each receiver appears once; batches respect the limits.
func PlanSharing(in SharingPlanInput) (SharingPlan, error) {
	switch {
	case in.Paid <= 0:
		return SharingPlan{}, &PlanError{"Paid", "must be positive"}
	case in.Subsidy < 0 || in.Refunded < 0:
		return SharingPlan{}, &PlanError{"Subsidy/Refunded", "must not be negative"}
	case in.MaxReceiversPerRequest <= 0 || in.MaxRequests <= 0:
		return SharingPlan{}, &PlanError{"MaxReceiversPerRequest/MaxRequests", "must be positive"}
	}
	base, err := money.Sum(in.Paid, in.Subsidy, -in.Refunded)
	if err != nil || base < 0 {
		return SharingPlan{}, &PlanError{"Refunded", "exceeds what was paid and subsidised"}
	}
	plan := SharingPlan{Base: base}
	seen := map[string]bool{}
	for i, r := range in.Rules {
		field := fmt.Sprintf("Rules[%d]", i)
		switch {
		case r.ReceiverID == "" || r.Account == "":
			return SharingPlan{}, &PlanError{field, "receiver id and account are required"}
		case seen[r.ReceiverID]:
			return SharingPlan{}, &PlanError{field, "receiver " + r.ReceiverID + " appears twice"}
		case r.Type != ReceiverMerchant && r.Type != ReceiverPersonal:
			return SharingPlan{}, &PlanError{field + ".Type", "MERCHANT_ID or PERSONAL_OPENID"}
		}
		seen[r.ReceiverID] = true
		amount, err := money.ShareOf(base, r.Rate)
		if err != nil {
			return SharingPlan{}, &PlanError{field + ".Rate", err.Error()}
		}
		if amount == 0 {
			continue
		}
		plan.Shares = append(
			plan.Shares,
			PlannedShare{ReceiverID: r.ReceiverID, Role: r.Role, Type: r.Type, Account: r.Account, Amount: amount},
		)
		plan.Shared += amount
	}
	if err := money.CheckCap(base, in.MaxRatio, sharesOf(plan.Shares)...); err != nil {
		return SharingPlan{}, &PlanError{"Rules", err.Error()}
	}
	plan.MerchantKeeps = base - plan.Shared
	plan.Batches = batch(plan.Shares, in.MaxReceiversPerRequest)
	if len(plan.Batches) > in.MaxRequests {
		return SharingPlan{}, &PlanError{
			"Rules",
			fmt.Sprintf("%d receivers need %d requests; the channel allows %d per order",
				len(plan.Shares), len(plan.Batches), in.MaxRequests),
		}
	}
	return plan, nil
}

func sharesOf(ps []PlannedShare) []money.Amount {
	out := make([]money.Amount, len(ps))
	for i, p := range ps {
		out[i] = p.Amount
	}
	return out
}

// batch groups shares into requests of at most n receivers. Merchant receivers go first, so a clawback's
// return orders (possible only from merchants) refer to as few requests as possible; order is otherwise kept.
func batch(shares []PlannedShare, n int) [][]PlannedShare {
	ordered := append([]PlannedShare(nil), shares...)
	sort.SliceStable(ordered, func(i, j int) bool {
		return ordered[i].Type == ReceiverMerchant && ordered[j].Type != ReceiverMerchant
	})
	var out [][]PlannedShare
	for len(ordered) > 0 {
		k := min(n, len(ordered))
		out = append(out, ordered[:k:k])
		ordered = ordered[k:]
	}
	return out
}
