package e2e

import (
	enumspb "go.temporal.io/api/enums/v1"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/workflows"
)

// putRules sets the risk rules through the API and answers the status and body.
func (h *harness) putRules(body string) (int, string) {
	h.t.Helper()
	resp, out := rawDo(h.t, http.MethodPut, h.s.APIURL+"/v1/risk/rules", h.s.APIKey, "", body)
	return resp.StatusCode, out
}

// Rules as data, end to end: a bad rule is refused naming its field; an order above the review threshold is
// held with no payment until ops approve it, then paid and completed; one rejected closes with nothing at the
// channel; a blocked device is refused with RISK_REFUSED and no order left behind, and the same number passes
// once the rule is lifted.
func TestRiskHoldsReviewsAndRefuses(t *testing.T) {
	h := start(t, fastSettings)
	if code, body := h.putRules(`{"default_tier":"standard","tiers":{"standard":{"velocity":[{"by":"email","max":1,"minutes":1}]}}}`); code != http.StatusBadRequest ||
		!strings.Contains(body, `"field":"tiers.standard.velocity[0].by"`) {
		t.Errorf("a bad rule: %d %s", code, body)
	}
	rules := `{"default_tier":"standard","tiers":{"standard":{"review_above":15000}},"blocklist":{"devices":["dev-bad"]}}`
	if code, body := h.putRules(rules); code != http.StatusOK || !strings.Contains(body, `"version":1`) {
		t.Fatalf("the rules: %d %s", code, body)
	}
	approved, rejected, blocked := h.orderNo(1), h.orderNo(2), h.orderNo(3)
	for _, no := range []string{approved, rejected} {
		if o := h.create(h.cart(no)); o.Status != workflows.StatusRiskReview || o.Payment.CodeURL != "" {
			t.Fatalf("%s above the review threshold: %+v", no, o)
		}
	}
	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders/"+approved+"/review", h.s.APIKey, "",
		`{"decision":"approve","by":"ops-anna","reason":"known buyer"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", resp.StatusCode, body)
	}
	v := h.waitFor(approved, 30*time.Second, "placed", func(v api.OrderView) bool { return v.Payment.CodeURL != "" })
	if err := h.s.Sim.Pay(approved); err != nil {
		t.Fatalf("pay the approved order (%+v): %v", v, err)
	}
	h.waitFor(approved, 90*time.Second, "completed", completed)
	h.saveHistories("risk-approved", workflows.OrderWorkflowID(approved))

	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders/"+rejected+"/review", h.s.APIKey, "",
		`{"decision":"reject","by":"ops-anna","reason":"stolen card"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("reject: %d %s", resp.StatusCode, body)
	}
	h.waitFor(rejected, 30*time.Second, "closed", func(v api.OrderView) bool { return v.Status == workflows.StatusClosed })
	h.saveHistories("risk-rejected", workflows.OrderWorkflowID(rejected))
	if err := h.s.Sim.Pay(rejected); err == nil {
		t.Error("a rejected order was placed at the channel")
	}

	req := h.cart(blocked)
	req.DeviceID = "dev-bad"
	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", mustJSON(t, req)); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `"code":"RISK_REFUSED"`) || !strings.Contains(body, "blocklist.device") {
		t.Errorf("a blocked device: %d %s", resp.StatusCode, body)
	}
	if err := h.s.Sim.Pay(blocked); err == nil {
		t.Error("a refused order was placed at the channel")
	}
	h.closed(workflows.OrderWorkflowID(blocked)) // a refused order's workflow fails, which frees its number
	h.saveHistories("risk-refused", workflows.OrderWorkflowID(blocked))
	h.putRules(`{"default_tier":"standard","tiers":{"standard":{}}}`)
	if o := h.create(req); o.Status != workflows.StatusAwaitingPayment {
		t.Errorf("the same number once the rule is lifted: %+v", o)
	}
	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders/"+blocked+"/review", h.s.APIKey, "",
		`{"decision":"approve","by":"ops-anna","reason":"not held"}`); resp.StatusCode != http.StatusConflict {
		t.Errorf("a review of an order not held: %d %s", resp.StatusCode, body)
	}
}

// Two orders racing through the API for the last of a merchant's daily cap: exactly one is created.
func TestRiskCapRaceThroughTheAPI(t *testing.T) {
	h := start(t, fastSettings)
	// m2's part of the standard cart is 88.00 yuan: its cap leaves room for two such parts.
	if code, body := h.putRules(`{"default_tier":"standard","tiers":{"standard":{}},"merchants":{"m2":{"override":{"daily_amount":{"total":17600}}}}}`); code != http.StatusOK {
		t.Fatalf("the rules: %d %s", code, body)
	}
	h.create(h.cart(h.orderNo(1)))
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			resp, _ := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", mustJSON(t, h.cart(h.orderNo(2+i))))
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	if !(codes[0] == http.StatusCreated && codes[1] == http.StatusUnprocessableEntity) &&
		!(codes[1] == http.StatusCreated && codes[0] == http.StatusUnprocessableEntity) {
		t.Errorf("two orders for the last 88.00 yuan of m2's cap: %v", codes)
	}
}

// closed waits until the workflow has ended.
func (h *harness) closed(workflowID string) {
	h.t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		d, err := h.s.Starter.Temporal.DescribeWorkflowExecution(h.t.Context(), workflowID, "")
		if err == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return
		}
	}
	h.t.Fatalf("%s is still running", workflowID)
}
