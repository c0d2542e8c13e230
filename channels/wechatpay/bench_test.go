package wechatpay_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
)

// timed runs op b.N times and reports the median latency beside the mean that go test prints.
func timed(b *testing.B, op func(i int)) {
	durations := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		op(i)
		durations = append(durations, time.Since(start))
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
}

// The adapter + simulator round trip of a combined create of two sub-orders: signing, HTTP on loopback, the
// simulator's signature check and state, its signed answer, and the SDK's verification of it.
func BenchmarkCombinedCreate(b *testing.B) {
	e := newEnv(b, channels.WeChatLimits())
	ctx := context.Background()
	timed(b, func(i int) {
		no := fmt.Sprintf("B%09d", i)
		if _, err := e.wx.CreateCombined(ctx, order(no, sub(shopA, no+"-1", 100, true, 0), sub(shopB, no+"-2", 200, true, 0))); err != nil {
			b.Fatal(err)
		}
	})
}

// Verifying and decrypting one payment notification (RSA-SHA256 signature + AES-256-GCM) with the SDK.
func BenchmarkParsePaymentNotification(b *testing.B) {
	e := newEnv(b, channels.WeChatLimits())
	body, err := e.sim.Envelope(
		&wxsim.Platform{MchID: spMchID, APIv3Key: apiV3Key},
		"TRANSACTION.SUCCESS",
		"transaction",
		[]byte(
			`{"combine_out_trade_no":"C1","sub_orders":[{"sub_mchid":"1900000109","out_trade_no":"C1-1","trade_state":"SUCCESS","transaction_id":"4200","amount":{"total_amount":100,"currency":"CNY"}}]}`,
		),
	)
	if err != nil {
		b.Fatal(err)
	}
	signed, _ := e.sim.SignedRequest("http://127.0.0.1/notify", body, false)
	timed(b, func(int) {
		req := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
		req.Header = signed.Header
		if _, _, err := parsePayment(e.wx, req); err != nil {
			b.Fatal(err)
		}
	})
}
