package risk_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/risk"
)

func rules(l risk.Limits) risk.Rules {
	return risk.Rules{DefaultTier: "standard", Tiers: map[string]risk.Limits{"standard": l, "trusted": {}}}
}

func save(t *testing.T, db *pgxpool.Pool, r risk.Rules) {
	t.Helper()
	if _, err := risk.Save(t.Context(), db, r, "test"); err != nil {
		t.Fatal(err)
	}
}

func evaluate(t *testing.T, db *pgxpool.Pool, o risk.Order) risk.Decision {
	t.Helper()
	d, err := risk.Evaluate(t.Context(), db, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func order(no, merchant string, amount int64) risk.Order {
	return risk.Order{OrderNo: no, Channel: "wechatpay", Parts: []risk.Part{{MerchantID: merchant, Amount: amount}}}
}

// Each rule kind refuses or holds as configured, names its rule, and a refused order counts nothing.
func TestEachRuleKind(t *testing.T) {
	db := testenv.MigratedPool(t)
	stats := func(_ context.Context, _ ledger.Querier, m string, _ int) (int64, int64, error) {
		if m == "refunder" {
			return 20, 8, nil
		}
		return 20, 1, nil
	}
	r := rules(risk.Limits{DailyAmount: map[string]int64{"total": 100000, "alipay": 5000},
		DailyCount: map[string]int64{"total": 3}, SingleOrderMax: 60000, ReviewAbove: 40000,
		Velocity:   []risk.Velocity{{By: risk.ByPayer, Max: 2, Minutes: 10}},
		RefundRate: &risk.RefundRate{Max: 0.3, Days: 7, MinOrders: 10}})
	r.Blocklist = risk.Blocklist{Devices: []string{"dev-bad"}, IPs: []string{"10.9.9.9"}}
	r.Merchants = map[string]risk.MerchantRules{"big": {Tier: "trusted"},
		"capped": {Override: &risk.Limits{DailyAmount: map[string]int64{"total": 1000}}}}
	save(t, db, r)
	cases := []struct {
		name  string
		o     risk.Order
		want  string
		rule  string
		stats risk.RefundStats
	}{
		{"a plain order", order("A1", "m1", 10000), risk.Pass, "", nil},
		{"over the single-order maximum", order("A2", "m1", 60001), risk.Refuse, "single_order_max", nil},
		{"a trusted merchant has no maximum", order("A3", "big", 60001), risk.Pass, "", nil},
		{"above the review threshold", order("A4", "m2", 40001), risk.Review, "review_above", nil},
		{"an override's cap", order("A5", "capped", 1001), risk.Refuse, "daily_amount.total", nil},
		{"a channel's cap", risk.Order{OrderNo: "A6", Channel: "alipay", Parts: []risk.Part{{MerchantID: "m3", Amount: 5001}}},
			risk.Refuse, "daily_amount.alipay", nil},
		{"a blocked device", risk.Order{OrderNo: "A7", Channel: "wechatpay", Device: "dev-bad",
			Parts: []risk.Part{{MerchantID: "m1", Amount: 1}}}, risk.Refuse, "blocklist.device", nil},
		{"a blocked IP", risk.Order{OrderNo: "A8", Channel: "wechatpay", ClientIP: "10.9.9.9",
			Parts: []risk.Part{{MerchantID: "m1", Amount: 1}}}, risk.Refuse, "blocklist.ip", nil},
		{"a refund rate over 30 %", order("A9", "refunder", 100), risk.Review, "refund_rate", stats},
		{"a refund rate under it", order("A10", "m4", 100), risk.Pass, "", stats},
	}
	for _, c := range cases {
		d, err := risk.Evaluate(t.Context(), db, c.o, c.stats)
		if err != nil || d.Outcome != c.want || d.Rule != c.rule {
			t.Errorf("%s: %+v %v, want %s %q", c.name, d, err, c.want, c.rule)
		}
	}
	velocityAndCounts(t, db)
}

// velocityAndCounts: the payer's third order in ten minutes is refused; a merchant's fourth order of the day is
// refused; a refused order counts nothing.
func velocityAndCounts(t *testing.T, db *pgxpool.Pool) {
	// Velocity: the payer's third order in ten minutes is refused.
	for i, want := range []string{risk.Pass, risk.Pass, risk.Refuse} {
		o := order(fmt.Sprintf("V%d", i), "m5", 100)
		o.Payer = "openid-1"
		if d := evaluate(t, db, o); d.Outcome != want {
			t.Errorf("the payer's order %d: %+v", i+1, d)
		}
	}
	// The day's count: m6's fourth order is refused, and refused orders never counted.
	for i, want := range []string{risk.Pass, risk.Pass, risk.Pass, risk.Refuse} {
		if d := evaluate(t, db, order(fmt.Sprintf("C%d", i), "m6", 100)); d.Outcome != want {
			t.Errorf("m6's order %d: %+v", i+1, d)
		}
	}
	var counted int64
	if err := db.QueryRow(t.Context(), `SELECT coalesce(sum(amount), 0) FROM risk_counters WHERE merchant_id = 'capped'`).
		Scan(&counted); err != nil || counted != 0 {
		t.Errorf("a refused order counted %d (%v)", counted, err)
	}
}

// A repeated evaluation answers the first decision and counts nothing twice; a release gives the reservation
// back once.
func TestEvaluateOnceReleaseOnce(t *testing.T) {
	db := testenv.MigratedPool(t)
	save(t, db, rules(risk.Limits{DailyAmount: map[string]int64{"total": 10000}}))
	for range 3 {
		if d := evaluate(t, db, order("R1", "m1", 6000)); d.Outcome != risk.Pass {
			t.Fatalf("R1: %+v", d)
		}
	}
	if d := evaluate(t, db, order("R2", "m1", 6000)); d.Outcome != risk.Refuse {
		t.Fatalf("R2 with R1 counted once: %+v", d)
	}
	for range 2 {
		if err := risk.Release(t.Context(), db, "R1", "closed unpaid"); err != nil {
			t.Fatal(err)
		}
	}
	if d := evaluate(t, db, order("R3", "m1", 10000)); d.Outcome != risk.Pass {
		t.Errorf("after R1's release the whole cap is free: %+v", d)
	}
	var amount, orders int64
	if err := db.QueryRow(t.Context(), `SELECT amount, orders FROM risk_counters WHERE merchant_id = 'm1' AND scope = 'total'`).
		Scan(&amount, &orders); err != nil || amount != 10000 || orders != 1 {
		t.Errorf("counters: %d fen, %d orders (%v)", amount, orders, err)
	}
}

// Two orders racing for the last 100 yuan of a daily cap: exactly one passes, 50 times over.
func TestRaceForTheLastOfACap(t *testing.T) {
	db := testenv.MigratedPool(t)
	save(t, db, rules(risk.Limits{DailyAmount: map[string]int64{"total": 50 * 100_000}}))
	for round := range 50 {
		merchant := fmt.Sprintf("race%d", round)
		// The merchant has taken all of its 50,000 yuan but the last 100.
		if d := evaluate(t, db, order(merchant+"-0", merchant, 50*100_000-10_000)); d.Outcome != risk.Pass {
			t.Fatal(d)
		}
		var wg sync.WaitGroup
		outcomes := make([]string, 2)
		for i := range 2 {
			wg.Go(func() {
				d, err := risk.Evaluate(context.Background(), db, order(fmt.Sprintf("%s-race%d", merchant, i), merchant, 10_000), nil)
				if err != nil {
					t.Error(err)
				}
				outcomes[i] = d.Outcome
			})
		}
		wg.Wait()
		if passed := count(outcomes, risk.Pass); passed != 1 || count(outcomes, risk.Refuse) != 1 {
			t.Fatalf("round %d: %v", round, outcomes)
		}
	}
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// The rules are checked field by field.
func TestRulesValidate(t *testing.T) {
	for field, r := range map[string]risk.Rules{
		"tiers":                                  {},
		"default_tier":                           {DefaultTier: "x", Tiers: map[string]risk.Limits{"a": {}}},
		"tiers.a.daily_amount.weixin":            {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {DailyAmount: map[string]int64{"weixin": 1}}}},
		"tiers.a.daily_count.total":              {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {DailyCount: map[string]int64{"total": 0}}}},
		"tiers.a.velocity[0].by":                 {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {Velocity: []risk.Velocity{{By: "email", Max: 1, Minutes: 1}}}}},
		"tiers.a.refund_rate.max":                {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {RefundRate: &risk.RefundRate{Max: 2, Days: 1}}}},
		"merchants.m1.tier":                      {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {}}, Merchants: map[string]risk.MerchantRules{"m1": {Tier: "b"}}},
		"merchants.m1.override.single_order_max": {DefaultTier: "a", Tiers: map[string]risk.Limits{"a": {}}, Merchants: map[string]risk.MerchantRules{"m1": {Override: &risk.Limits{SingleOrderMax: -1}}}},
	} {
		var fe *risk.FieldError
		err := r.Validate()
		if !asField(err, &fe) || fe.Field != field {
			t.Errorf("want a refusal of %s, got %v", field, err)
		}
	}
}

func asField(err error, fe **risk.FieldError) bool {
	e, ok := err.(*risk.FieldError)
	*fe = e
	return ok
}

// The refund rate is read inside the evaluation's own transaction: with more orders judged at once than the pool
// has connections, none waits for a second connection while holding the first (and its merchant's locks).
func TestRefundRateUnderLoad(t *testing.T) {
	db := testenv.MigratedPool(t)
	save(t, db, rules(risk.Limits{RefundRate: &risk.RefundRate{Max: 0.5, Days: 7}}))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	n := int(db.Config().MaxConns) * 4
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := risk.Evaluate(ctx, db, order(fmt.Sprintf("L%d", i), fmt.Sprintf("m%d", i%3), 100), ledger.RefundStats)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("%d evaluations at once on %d connections: %v", n, db.Config().MaxConns, err)
		}
	}
}
