package workflows

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/money"
)

var couponExample = &Coupon{Threshold: 20000, Discount: 2000, FundedBy: CouponByPlatform}

// SPEC.md's worked example, from the channel's own documentation.
func TestCouponExampleRefundOneOfTwoItems(t *testing.T) {
	st, err := NewCouponState([]Item{{SKU: "tea", UnitPrice: 10000, Quantity: 2}}, couponExample)
	if err != nil {
		t.Fatal(err)
	}
	if st.BuyerPaid != 18000 || st.Subsidy != 2000 {
		t.Fatalf("at payment: buyer paid %s, subsidy %s; want 180.00 and 20.00", st.BuyerPaid, st.Subsidy)
	}
	split, next, err := st.Refund([]ItemRefund{{SKU: "tea", Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if split.BuyerRefund != 8000 || split.SubsidyReturn != 2000 {
		t.Errorf(
			"refund one item: buyer gets %s (want 80.00), merchant returns subsidy %s (want 20.00)",
			split.BuyerRefund,
			split.SubsidyReturn,
		)
	}
	if keeps := next.BuyerPaid + next.Subsidy; keeps != 10000 {
		t.Errorf("the merchant keeps %s, want the kept item's 100.00", keeps)
	}
	// Returning the second item refunds the rest: 100, and no subsidy is left to return.
	split, next, err = next.Refund([]ItemRefund{{SKU: "tea", Quantity: 1}})
	if err != nil || split.BuyerRefund != 10000 || split.SubsidyReturn != 0 || next.BuyerPaid != 0 {
		t.Errorf("second item: %+v %v", split, err)
	}
}

func TestCouponRefunds(t *testing.T) {
	three := []Item{{SKU: "a", UnitPrice: 10000, Quantity: 3}}
	cases := []struct {
		name                string
		items               []Item
		coupon              *Coupon
		refund              []ItemRefund
		buyer, refundReturn money.Amount
	}{
		{"the coupon still applies after the return", three, couponExample, []ItemRefund{{"a", 1}}, 10000, 0},
		{"merchant-funded coupon voided: no subsidy to return", []Item{{"a", 10000, 2}},
			&Coupon{Threshold: 20000, Discount: 2000, FundedBy: CouponByMerchant}, []ItemRefund{{"a", 1}}, 8000, 0},
		{"no coupon", three, nil, []ItemRefund{{"a", 2}}, 20000, 0},
		// A cheap item that drops the order under the threshold costs the buyer the discount, but the buyer is
		// never charged: the refund is zero, and the merchant still returns the subsidy it no longer earns.
		{"a return worth less than the lost discount", []Item{{"big", 19500, 1}, {"small", 1000, 1}}, couponExample,
			[]ItemRefund{{"small", 1}}, 0, 2000},
	}
	for _, c := range cases {
		st, err := NewCouponState(c.items, c.coupon)
		if err != nil {
			t.Fatal(err)
		}
		split, _, err := st.Refund(c.refund)
		if err != nil || split.BuyerRefund != c.buyer || split.SubsidyReturn != c.refundReturn {
			t.Errorf("%s: %+v %v; want buyer %s, subsidy return %s", c.name, split, err, c.buyer, c.refundReturn)
		}
	}
	st, _ := NewCouponState(three, couponExample)
	var pe *PlanError
	for _, bad := range [][]ItemRefund{{{"a", 4}}, {{"b", 1}}, {{"a", 0}}, nil} {
		if _, after, err := st.Refund(bad); !errors.As(err, &pe) || after.BuyerPaid != st.BuyerPaid {
			t.Errorf("refund %v: %v (and the state must not change)", bad, err)
		}
	}
}

func TestClawbackKeepsEachReceiverAtTheNewPlan(t *testing.T) {
	in := input(18000, 2000, 0, "0.05", "0.10", "0.05", "0.03") // base 200: 10, 20, 10, 6
	plan, err := PlanSharing(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Refunded = 8000 + 2000 // the coupon example's refund and subsidy return: base 100
	claws, after, err := PlanClawback(in, plan.Shares)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Amount{"r0": 500, "r1": 1000, "r2": 500, "r3": 300}
	var total money.Amount
	for _, c := range claws {
		if want[c.ReceiverID] != c.Amount {
			t.Errorf("%s gives back %s, want %s", c.ReceiverID, c.Amount, want[c.ReceiverID])
		}
		total += c.Amount
	}
	if len(claws) != 4 || total != plan.Shared-after.Shared {
		t.Errorf("clawbacks %+v; total %s, shared before %s after %s", claws, total, plan.Shared, after.Shared)
	}
	// Merchant receivers (r0 the platform, r3 the supplier) by return order; persons by debt.
	if claws[0].Type != ReceiverMerchant || claws[1].Type != ReceiverPersonal {
		t.Errorf("types: %+v", claws)
	}
}

// Over random orders and random return sequences: no negative amounts, no refund beyond what was paid, the
// merchant never keeps less than nothing, a full return refunds everything, and clawbacks conserve every fen.
func FuzzRefundArithmetic(f *testing.F) {
	f.Add(int64(10000), uint8(2), int64(3000), int64(20000), int64(2000), true, uint8(1), uint8(1), uint16(500), uint16(1000))
	f.Add(int64(19500), uint8(1), int64(1000), int64(20000), int64(2000), true, uint8(0), uint8(1), uint16(3000), uint16(0))
	f.Fuzz(func(t *testing.T, priceA int64, qtyA uint8, priceB, threshold, discount int64, platform bool,
		retA, retB uint8, rate1, rate2 uint16,
	) {
		if priceA <= 0 || priceB <= 0 || priceA > 1e8 || priceB > 1e8 || threshold < 0 || threshold > 1e10 ||
			discount <= 0 || discount > 1e9 {
			return
		}
		funded := CouponByMerchant
		if platform {
			funded = CouponByPlatform
		}
		items := []Item{
			{SKU: "a", UnitPrice: money.Amount(priceA), Quantity: int(qtyA%5) + 1},
			{SKU: "b", UnitPrice: money.Amount(priceB), Quantity: 1},
		}
		c := &Coupon{Threshold: money.Amount(threshold), Discount: money.Amount(discount), FundedBy: funded}
		steps := []ItemRefund{{"a", int(retA)%items[0].Quantity + 1}, {"b", int(retB % 2)}}
		paid, subsidy, back := refundSequenceConserves(t, items, c, steps)
		if paid > 0 {
			// basis points, ≤ 15% each: within the 30% cap
			clawbackConserves(t, paid, subsidy, back, money.Amount(rate1%1500), money.Amount(rate2%1500))
		}
	})
}

// refundSequenceConserves returns the steps, then whatever is left, checking every state on the way; it
// answers what was paid and subsidised, and what the steps gave back (refunds and subsidy returns).
func refundSequenceConserves(t *testing.T, items []Item, c *Coupon, steps []ItemRefund) (paid, subsidy, back money.Amount) {
	st, err := NewCouponState(items, c)
	if err != nil {
		t.Fatal(err)
	}
	paid, subsidy = st.BuyerPaid, st.Subsidy
	var refunded, returned money.Amount
	for _, step := range steps {
		if step.Quantity == 0 {
			continue
		}
		split, next, err := st.Refund([]ItemRefund{step})
		if err != nil {
			t.Fatal(err)
		}
		if split.BuyerRefund < 0 || split.SubsidyReturn < 0 || split.BuyerRefund > st.BuyerPaid ||
			split.SubsidyReturn > st.Subsidy {
			t.Fatalf("refund %+v from state %+v", split, st)
		}
		refunded, returned, st = refunded+split.BuyerRefund, returned+split.SubsidyReturn, next
		if st.BuyerPaid+st.Subsidy < 0 || st.BuyerPaid != paid-refunded || st.Subsidy != subsidy-returned {
			t.Fatalf("state %+v after refunds %s/%s of %s/%s", st, refunded, returned, paid, subsidy)
		}
	}
	var rest []ItemRefund // return whatever is left: everything is then refunded
	for _, it := range st.Items {
		if it.Quantity > 0 {
			rest = append(rest, ItemRefund{it.SKU, it.Quantity})
		}
	}
	if len(rest) > 0 {
		split, next, err := st.Refund(rest)
		if err != nil {
			t.Fatal(err)
		}
		if next.BuyerPaid != 0 || next.Subsidy != 0 || split.BuyerRefund != st.BuyerPaid {
			t.Fatalf("full return left %+v", next)
		}
	}
	return paid, subsidy, refunded + returned
}

// clawbackConserves plans the sharing of a paid order with a merchant and a person receiving r1 and r2 basis
// points, then the clawback after back was refunded: what is clawed back is exactly what the new plan no
// longer shares.
func clawbackConserves(t *testing.T, paid, subsidy, back, r1, r2 money.Amount) {
	in := SharingPlanInput{
		Paid:                   paid,
		Subsidy:                subsidy,
		MaxRatio:               d("0.30"),
		MaxReceiversPerRequest: 5,
		MaxRequests:            20,
		Rules: []CommissionRule{
			{ReceiverID: "m", Role: RoleSupplier, Type: ReceiverMerchant, Account: "1", Rate: decimal.New(int64(r1), -4)},
			{ReceiverID: "p", Role: RoleDistributor, Type: ReceiverPersonal, Account: "o", Rate: decimal.New(int64(r2), -4)},
		},
	}
	plan, err := PlanSharing(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Refunded = min(back, paid+subsidy)
	claws, after, err := PlanClawback(in, plan.Shares)
	if err != nil {
		t.Fatal(err)
	}
	var clawed money.Amount
	for _, c := range claws {
		if c.Amount <= 0 {
			t.Fatalf("clawback %+v", c)
		}
		clawed += c.Amount
	}
	if plan.Shared-clawed != after.Shared {
		t.Fatalf("shared %s − clawed back %s ≠ new plan's %s", plan.Shared, clawed, after.Shared)
	}
}
