package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/workflows"
)

// /metrics moves as money does: a paid order's notification counts as verified, its activities (channel calls and
// ledger postings) with their outcomes, latency and money in fen, the SDK's own series are there, the running
// processes are counted by status from visibility, and a forged notification counts as forged. No label holds an
// order number or a merchant id.
func TestMetricsMoveForAPaidOrderAndAForgery(t *testing.T) {
	h, m := startMetered(t, fastSettings)
	go m.WatchProcesses(t.Context(), h.s.Starter.Temporal, 200*time.Millisecond, h.s.API.Logger)
	no := h.orderNo(1)
	h.paidCart(no)
	h.waitFor(no, 60*time.Second, "completed", completed)
	text := scrape(t, m)
	for _, series := range []string{
		`splitpay_notifications_total{channel="wechatpay",kind="transaction",result="verified"}`,
		`splitpay_activities_total{activity="PostPayments",channel="wechatpay",outcome="ok"}`,
		`splitpay_money_fen_total{activity="PostPayments",channel="wechatpay"}`,
		`splitpay_activities_total{activity="Share",channel="wechatpay",outcome="ok"}`,
		`splitpay_activity_duration_seconds_count{activity="CreateCombinedPayment",channel="wechatpay"}`,
		`splitpay_money_fen_total{activity="PostFinished",channel="wechatpay"}`,
	} {
		if value(text, series) < 1 {
			t.Errorf("%s is not counted", series)
		}
	}
	if !regexp.MustCompile(`(?m)^temporal_\w+`).MatchString(text) {
		t.Error("no series of the SDK's")
	}
	if strings.Contains(text, no) || strings.Contains(text, `"m1"`) || strings.Contains(text, shop1) {
		t.Error("a label holds an order number or a merchant id")
	}
	for end := time.Now().Add(10 * time.Second); !strings.Contains(text, `splitpay_processes{status="`+
		workflows.StatusCompleted+`",workflow_type="SubOrder"}`); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the running processes are not counted by status")
		}
		text = scrape(t, m)
	}

	forged := `splitpay_notifications_total{channel="wechatpay",kind="transaction",result="forged"}`
	before := value(text, forged)
	wrongKey, _ := h.s.Sim.Envelope(&wxsim.Platform{APIv3Key: "00000000000000000000000000000000"},
		"TRANSACTION.SUCCESS", "transaction", []byte(`{"combine_out_trade_no":"`+no+`","sub_orders":[]}`))
	bad, _ := h.s.Sim.SignedRequest(h.s.APIURL+"/notify/wechatpay/transaction", wrongKey, false)
	h.allRefused(map[string]*http.Request{"wrong APIv3 key": bad})
	if after := value(scrape(t, m), forged); after != before+1 {
		t.Errorf("forged notifications: %v before, %v after", before, after)
	}
}

// scrape reads /metrics as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// value is a series' value in the scraped text (0 when absent).
func value(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return 0
}
