package workflows

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/money"
)

var d = decimal.RequireFromString

func rules(rates ...string) []CommissionRule {
	roles := []string{
		RolePlatform,
		RoleDistributor,
		RoleDistributor,
		RoleSupplier,
		RoleDistributor,
		RoleDistributor,
		RoleDistributor,
	}
	var out []CommissionRule
	for i, r := range rates {
		typ := ReceiverPersonal
		if roles[i%len(roles)] != RoleDistributor {
			typ = ReceiverMerchant
		}
		out = append(
			out,
			CommissionRule{
				ReceiverID: fmt.Sprintf("r%d", i),
				Role:       roles[i%len(roles)],
				Type:       typ,
				Account:    fmt.Sprintf("acct%d", i),
				Rate:       d(r),
			},
		)
	}
	return out
}

func input(paid, subsidy, refunded money.Amount, rates ...string) SharingPlanInput {
	return SharingPlanInput{Paid: paid, Subsidy: subsidy, Refunded: refunded, Rules: rules(rates...),
		MaxRatio: d("0.30"), MaxReceiversPerRequest: 5, MaxRequests: 20}
}

func TestPlanTheChannelsCouponExample(t *testing.T) {
	// 满200减20: the buyer paid 180, the platform subsidised 20: the base is 200. Platform 5%, L1 10%, L2 5%.
	p, err := PlanSharing(input(18000, 2000, 0, "0.05", "0.10", "0.05"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Base != 20000 || p.Shared != 4000 || p.MerchantKeeps != 16000 || len(p.Batches) != 1 {
		t.Errorf("plan = %+v", p)
	}
	if p.Shares[0].Amount != 1000 || p.Shares[1].Amount != 2000 || p.Shares[2].Amount != 1000 {
		t.Errorf("shares = %+v", p.Shares)
	}
	// One item refunded before sharing: the base shrinks to 100 + 20 − 100 → every share follows.
	p, err = PlanSharing(input(18000, 2000, 10000, "0.05", "0.10", "0.05"))
	if err != nil || p.Base != 10000 || p.Shared != 2000 {
		t.Errorf("after a refund: %+v %v", p, err)
	}
}

func TestPlanFloorsAndDropsZeroShares(t *testing.T) {
	p, err := PlanSharing(input(999, 0, 0, "0.10", "0.001"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Shares) != 1 || p.Shares[0].Amount != 99 || p.MerchantKeeps != 900 {
		t.Errorf("plan = %+v (99.9 fen floors to 99; 0.999 fen is dropped)", p)
	}
}

func TestPlanRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		in    SharingPlanInput
		field string
	}{
		"over the cap":          {input(10000, 0, 0, "0.20", "0.11"), "Rules"},
		"refund beyond payment": {input(100, 0, 101, "0.1"), "Refunded"},
		"rate above one":        {input(100, 0, 0, "1.5"), "Rules[0].Rate"},
		"unpaid":                {input(0, 0, 0, "0.1"), "Paid"},
		"too many requests": {func() SharingPlanInput {
			in := input(1000000, 0, 0, "0.01", "0.01", "0.01", "0.01", "0.01", "0.01")
			in.MaxRequests = 1
			return in
		}(), "Rules"},
		"duplicate receiver": {func() SharingPlanInput {
			in := input(1000, 0, 0, "0.1", "0.1")
			in.Rules[1].ReceiverID = in.Rules[0].ReceiverID
			return in
		}(), "Rules[1]"},
	} {
		_, err := PlanSharing(tc.in)
		var pe *PlanError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: err = %v, want PlanError on %s", name, err, tc.field)
		}
	}
}

func TestPlanBatchesMerchantsFirst(t *testing.T) {
	in := input(1000000, 0, 0, "0.01", "0.01", "0.01", "0.01", "0.01", "0.01", "0.01")
	p, err := PlanSharing(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Batches) != 2 || len(p.Batches[0]) != 5 || len(p.Batches[1]) != 2 {
		t.Fatalf("batches = %+v", p.Batches)
	}
	if p.Batches[0][0].Type != ReceiverMerchant || p.Batches[0][1].Type != ReceiverMerchant {
		t.Errorf("merchant receivers must come first: %+v", p.Batches[0])
	}
}

// FuzzPlanSharing: for any input, a plan either fails with a PlanError or keeps every invariant.
func FuzzPlanSharing(f *testing.F) {
	f.Add(int64(18000), int64(2000), int64(0), uint16(500), uint16(1000), uint16(500), uint16(0), uint8(5))
	f.Add(int64(1), int64(0), int64(0), uint16(3000), uint16(0), uint16(0), uint16(0), uint8(1))
	f.Add(int64(999999999), int64(12345), int64(5), uint16(1), uint16(2), uint16(3), uint16(2994), uint8(2))
	f.Fuzz(func(t *testing.T, paid, subsidy, refunded int64, bp0, bp1, bp2, bp3 uint16, perRequest uint8) {
		in := SharingPlanInput{
			Paid:                   money.Amount(paid),
			Subsidy:                money.Amount(subsidy),
			Refunded:               money.Amount(refunded),
			MaxRatio:               d("0.30"),
			MaxReceiversPerRequest: int(perRequest%6) + 1,
			MaxRequests:            2,
		}
		for i, bp := range []uint16{bp0, bp1, bp2, bp3} {
			typ := ReceiverPersonal
			if i%2 == 0 {
				typ = ReceiverMerchant
			}
			in.Rules = append(
				in.Rules,
				CommissionRule{ReceiverID: fmt.Sprint("r", i), Type: typ, Account: fmt.Sprint("a", i),
					Rate: decimal.New(int64(bp%10001), -4)},
			)
		}
		p, err := PlanSharing(in)
		if err != nil {
			var pe *PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if p.Shared+p.MerchantKeeps != p.Base || p.MerchantKeeps < 0 {
			t.Fatalf("shared %d + keeps %d != base %d", p.Shared, p.MerchantKeeps, p.Base)
		}
		limit, _ := money.MaxShareable(p.Base, in.MaxRatio)
		if p.Shared > limit {
			t.Fatalf("shared %d above the cap %d", p.Shared, limit)
		}
		batchesCarryTheShares(t, in, p)
		for i, s := range p.Shares {
			exact := decimal.NewFromInt(int64(p.Base)).Mul(in.Rules[indexOf(in.Rules, s.ReceiverID)].Rate)
			got := decimal.NewFromInt(int64(s.Amount))
			if got.GreaterThan(exact) || exact.Sub(got).GreaterThanOrEqual(decimal.NewFromInt(1)) {
				t.Fatalf("share %d = %d, exact %s", i, s.Amount, exact)
			}
		}
	})
}

func indexOf(rules []CommissionRule, id string) int {
	for i, r := range rules {
		if r.ReceiverID == id {
			return i
		}
	}
	return -1
}

// batchesCarryTheShares: every batch within the receivers-per-request limit, each receiver once with a positive
// amount, the batches carrying exactly what is shared, within the request limit.
func batchesCarryTheShares(t *testing.T, in SharingPlanInput, p SharingPlan) {
	seen := map[string]bool{}
	var inBatches money.Amount
	for _, b := range p.Batches {
		if len(b) == 0 || len(b) > in.MaxReceiversPerRequest {
			t.Fatalf("batch of %d", len(b))
		}
		for _, s := range b {
			if seen[s.ReceiverID] || s.Amount <= 0 {
				t.Fatalf("receiver %s twice or with %d", s.ReceiverID, s.Amount)
			}
			seen[s.ReceiverID] = true
			inBatches += s.Amount
		}
	}
	if inBatches != p.Shared || len(p.Batches) > in.MaxRequests {
		t.Fatalf("batches carry %d of %d, in %d requests", inBatches, p.Shared, len(p.Batches))
	}
}
