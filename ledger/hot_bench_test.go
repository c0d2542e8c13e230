package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
)

// The hot row: every sharing posting credits the platform's commission account, so concurrent sharings of
// different orders all update one row. 16 writers post sharings — each from its own merchant's frozen money —
// that all credit the platform (Hot), or each a receiver of its own (Spread); both report postings/s.
//
//	go test ./ledger -run '^$' -bench 'Sharing(Hot|Spread)' -benchtime 4000x
func BenchmarkSharingHot(b *testing.B)    { benchSharing(b, true) }
func BenchmarkSharingSpread(b *testing.B) { benchSharing(b, false) }

func benchSharing(b *testing.B, hot bool) {
	l := ledger.New(testenv.MigratedPool(b))
	ctx := context.Background()
	const writers = 16
	for w := range writers { // each writer's merchant holds enough frozen money for every posting
		if _, err := l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref(w, 0), TransactionID: fmt.Sprintf("fund%d", w),
			Amount: 1 << 40}); err != nil {
			b.Fatal(err)
		}
	}
	var n, writer atomic.Int64
	b.SetParallelism(writers / 2) // GOMAXPROCS is 2 here: 16 goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		w := int(writer.Add(1)-1) % writers
		for pb.Next() {
			i := int(n.Add(1))
			share := ledger.Share{ReceiverID: fmt.Sprintf("r%d", w), Amount: 1}
			if hot {
				share = ledger.Share{Platform: true, Amount: 1}
			}
			if _, err := l.ProfitShared(ctx, ledger.ProfitShared{OrderRef: ref(w, i),
				SharingOrderID: fmt.Sprintf("s%d", i), Shares: []ledger.Share{share}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "postings/s")
}

func ref(writer, i int) ledger.OrderRef {
	return ledger.OrderRef{Channel: "wechatpay", OrderNo: fmt.Sprintf("H%d-%d", writer, i),
		SubOrderNo: fmt.Sprintf("H%d-%d-sub1", writer, i), MerchantID: fmt.Sprintf("hm%d", writer)}
}
