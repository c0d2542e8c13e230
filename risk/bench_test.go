package risk_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/risk"
)

// BenchmarkEvaluate is what the risk rules add to an order's create: one evaluation with every rule kind on (caps
// per channel and in total, velocity by payer, IP and device, the refund rate read from the ledger) for a
// two-merchant order. It reports the p50 and p99 of the evaluations it ran.
//
//	go test ./risk -run '^$' -bench Evaluate -benchtime 2000x
func BenchmarkEvaluate(b *testing.B) {
	db := testenv.MigratedPool(b)
	r := rules(risk.Limits{DailyAmount: map[string]int64{"total": 1 << 40, "wechatpay": 1 << 40},
		DailyCount: map[string]int64{"total": 1 << 40}, SingleOrderMax: 1 << 30, ReviewAbove: 1 << 30,
		Velocity: []risk.Velocity{{By: risk.ByPayer, Max: 1 << 30, Minutes: 60}, {By: risk.ByIP, Max: 1 << 30, Minutes: 60},
			{By: risk.ByDevice, Max: 1 << 30, Minutes: 60}},
		RefundRate: &risk.RefundRate{Max: 0.5, Days: 7, MinOrders: 10}, AlertAt: 0.8})
	if _, err := risk.Save(b.Context(), db, r, "bench"); err != nil {
		b.Fatal(err)
	}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		o := risk.Order{OrderNo: fmt.Sprintf("B%08d", i), Channel: "wechatpay", Payer: fmt.Sprintf("payer%d", i%50),
			ClientIP: fmt.Sprintf("10.0.0.%d", i%20), Device: fmt.Sprintf("dev%d", i%30),
			Parts: []risk.Part{{MerchantID: fmt.Sprintf("m%d", i%10), Amount: 19000}, {MerchantID: "m99", Amount: 8800}}}
		start := time.Now()
		d, err := risk.Evaluate(b.Context(), db, o, ledger.RefundStats)
		took = append(took, time.Since(start))
		if err != nil || d.Outcome != risk.Pass {
			b.Fatal(d, err)
		}
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
