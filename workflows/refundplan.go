package workflows

import (
	"fmt"

	"github.com/splitpay/splitpay/money"
)

// CouponState is a sub-order's goods and money as refunds leave them: the items still kept, and what the
// buyer has paid and the platform has subsidised, net of earlier refunds and subsidy returns.
type CouponState struct {
	Items     []Item
	Coupon    *Coupon
	BuyerPaid money.Amount
	Subsidy   money.Amount
}

// NewCouponState is the state at payment.
func NewCouponState(items []Item, c *Coupon) (CouponState, error) {
	s, err := PriceItems(items, c)
	if err != nil {
		return CouponState{}, err
	}
	return CouponState{Items: append([]Item(nil), items...), Coupon: c, BuyerPaid: s.BuyerPays, Subsidy: s.Subsidy}, nil
}

// ItemRefund asks to return Quantity of an item.
type ItemRefund struct {
	SKU      string
	Quantity int
}

// RefundSplit is what returning some items moves: the buyer's refund and the subsidy the merchant gives back
// to the platform when the coupon no longer applies (补差回退).
type RefundSplit struct {
	BuyerRefund   money.Amount
	SubsidyReturn money.Amount
	Before, After Price
}

// Refund recomputes the coupon on the items that remain. The buyer gets back what was paid beyond the new
// price of the kept goods (never below zero: a return that drops the order under the threshold can cost the
// buyer the discount, but never more than the returned goods are worth to them, and SplitPay never charges
// a buyer for a refund); the platform gets back the subsidy beyond what the kept goods still earn.
//
// The channel's own example: 满200减20 funded by the platform, two items of 100; the buyer paid 180, the platform
// subsidised 20. Returning one item leaves 100, below the threshold: the buyer gets 80, the merchant returns
// the 20 subsidy, and keeps 100 — the kept item's full price.
//
// Invariants (fuzzed): 0 ≤ BuyerRefund ≤ BuyerPaid; 0 ≤ SubsidyReturn ≤ Subsidy; returning everything refunds
// everything; the merchant keeps BuyerPaid + Subsidy − BuyerRefund − SubsidyReturn ≥ 0.
func (s CouponState) Refund(refund []ItemRefund) (RefundSplit, CouponState, error) {
	if len(refund) == 0 {
		return RefundSplit{}, s, &PlanError{"Items", "name at least one item to return"}
	}
	before, err := PriceItems(s.Items, s.Coupon)
	if err != nil {
		return RefundSplit{}, s, err
	}
	kept := append([]Item(nil), s.Items...)
	for i, r := range refund {
		field := fmt.Sprintf("Items[%d]", i)
		if r.Quantity <= 0 {
			return RefundSplit{}, s, &PlanError{field + ".Quantity", "must be positive"}
		}
		found := false
		for j := range kept {
			if kept[j].SKU == r.SKU {
				if kept[j].Quantity < r.Quantity {
					return RefundSplit{}, s, &PlanError{
						field + ".Quantity",
						fmt.Sprintf("only %d of %s left to return", kept[j].Quantity, r.SKU),
					}
				}
				kept[j].Quantity -= r.Quantity
				found = true
				break
			}
		}
		if !found {
			return RefundSplit{}, s, &PlanError{field + ".SKU", "no item " + r.SKU + " in the sub-order"}
		}
	}
	after, err := PriceItems(kept, s.Coupon)
	if err != nil {
		return RefundSplit{}, s, err
	}
	split := RefundSplit{Before: before, After: after,
		BuyerRefund:   max(0, s.BuyerPaid-after.BuyerPays),
		SubsidyReturn: max(0, s.Subsidy-after.Subsidy)}
	next := CouponState{
		Items:     kept,
		Coupon:    s.Coupon,
		BuyerPaid: s.BuyerPaid - split.BuyerRefund,
		Subsidy:   s.Subsidy - split.SubsidyReturn,
	}
	return split, next, nil
}

// Clawback is what one receiver gives back for a refund after sharing: merchant-type receivers by a return
// order (分账回退), persons as a commission debt netted from their future commissions.
type Clawback struct {
	ReceiverID string
	Type       string // ReceiverMerchant (return order) | ReceiverPersonal (debt)
	Account    string
	Amount     money.Amount
}

// PlanClawback says what each receiver gives back when a shared sub-order's base shrinks by a refund: each
// receiver keeps exactly what the sharing plan on the new base gives it (its rate of the new base, floored),
// and returns the rest of what it received. So clawbacks are in proportion to what each received, every fen
// is accounted for (received − clawback = the new plan's share), and several partial refunds in a row end
// where one refund of their sum would. A receiver that received less than its new share (the channel closed
// its share) returns nothing. in.Refunded is the total refunded so far, this refund included.
func PlanClawback(in SharingPlanInput, received []PlannedShare) ([]Clawback, SharingPlan, error) {
	plan, err := PlanSharing(in)
	if err != nil {
		return nil, plan, err
	}
	keep := map[string]money.Amount{}
	for _, s := range plan.Shares {
		keep[s.ReceiverID] = s.Amount
	}
	var out []Clawback
	for _, r := range received {
		if back := r.Amount - keep[r.ReceiverID]; back > 0 {
			out = append(out, Clawback{ReceiverID: r.ReceiverID, Type: r.Type, Account: r.Account, Amount: back})
		}
	}
	return out, plan, nil
}
