package e2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/audit"
)

// Least privilege: a key made through /v1/keys can do what its scopes allow and nothing else (403), a revoked
// key is refused at its next request (401), and a key over its rate gets 429 with Retry-After.
func TestKeysHoldOnlyTheirScopes(t *testing.T) {
	h := start(t, fastSettings)
	orders := h.newKey(`{"id":"` + strings.ToLower(h.prefix) + `-shop","scopes":["orders"]}`)
	codec := h.newKey(`{"scopes":["codec"]}`)
	no := h.orderNo(1)
	for _, c := range []struct {
		name, path, key, body string
		want                  int
	}{
		{"orders key creates an order", "/v1/orders", orders.Secret, mustJSON(t, h.cart(no)), http.StatusCreated},
		{"orders key cannot open payloads", "/codec/decode", orders.Secret, `{"payloads":[]}`, http.StatusForbidden},
		{"orders key cannot resume", "/v1/orders/" + no + "/resume", orders.Secret, `{"by":"x","reason":"y"}`,
			http.StatusForbidden},
		{"orders key cannot review", "/v1/orders/" + no + "/review", orders.Secret,
			`{"decision":"approve","by":"x","reason":"y"}`, http.StatusForbidden},
		{"orders key cannot refund", "/v1/orders/" + no + "/sub-orders/1/refunds", orders.Secret,
			`{"refund_no":"R1","amount":100}`, http.StatusForbidden},
		{"orders key cannot make keys", "/v1/keys", orders.Secret, `{"scopes":["admin"]}`, http.StatusForbidden},
		{"codec key opens payloads", "/codec/decode", codec.Secret, `{"payloads":[]}`, http.StatusOK},
		{"codec key cannot create orders", "/v1/orders", codec.Secret, mustJSON(t, h.cart(h.orderNo(2))),
			http.StatusForbidden},
	} {
		if resp, body := rawPost(t, h.s.APIURL+c.path, c.key, "", c.body); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, resp.StatusCode, c.want, body)
		} else if c.want == http.StatusForbidden && !strings.Contains(body, "lacks the scope") {
			t.Errorf("%s: the refusal does not name the scope: %s", c.name, body)
		}
	}
	if _, err := h.s.Starter.Temporal.DescribeWorkflowExecution(t.Context(), "order/"+h.orderNo(2), ""); err == nil {
		t.Error("a refused create started an order")
	}

	callersStayApart(t, h, orders)
	revokedAndRateLimited(t, h, orders, no)
}

// callersStayApart: Idempotency keys are each API key's own, so another caller's same key is another request.
func callersStayApart(t *testing.T, h *harness, orders api.KeyView) {
	other := h.newKey(`{"scopes":["orders"]}`)
	for i, key := range []string{orders.Secret, other.Secret} {
		no := h.orderNo(10 + i)
		if resp, body := rawPost(t, h.s.APIURL+"/v1/orders", key, "same-key", mustJSON(t, h.cart(no))); resp.StatusCode != http.StatusCreated ||
			!strings.Contains(body, no) {
			t.Errorf("caller %d's Idempotency-Key \"same-key\": %d %s", i, resp.StatusCode, body)
		}
	}
}

// revokedAndRateLimited: a revoked key is refused at its next request; a key over its rate gets 429.
func revokedAndRateLimited(t *testing.T, h *harness, orders api.KeyView, no string) {
	var revoked api.KeyView
	if err := h.api.Do(t.Context(), http.MethodDelete, "/v1/keys/"+orders.ID, "", nil, &revoked); err != nil ||
		revoked.RevokedAt == nil {
		t.Fatalf("revoke: %v %+v", err, revoked)
	}
	if resp, body := rawGet(t, h.s.APIURL+"/v1/orders/"+no, orders.Secret); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked key: %d %s", resp.StatusCode, body)
	}

	slow := h.newKey(`{"scopes":["orders"],"rate_per_second":0.01,"burst":2}`) // a token per 100 s: no refill in the test
	var codes []int
	var retryAfter string
	for range 3 {
		resp, _ := rawGet(t, h.s.APIURL+"/v1/orders/"+no, slow.Secret)
		codes = append(codes, resp.StatusCode)
		retryAfter = resp.Header.Get("Retry-After")
	}
	if wait, err := strconv.Atoi(retryAfter); codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests ||
		err != nil || wait < 1 || wait > 100 {
		t.Errorf("a key of 2 at once then one every 100 s: %v, Retry-After %q", codes, retryAfter)
	}
}

// The audit trail records each command with its actor before it runs and its answer after, and the risk
// rules' decision on the order; it keeps ids and amounts but no personal data, and refuses UPDATE, DELETE and
// TRUNCATE.
func TestAuditTrailRecordsCommands(t *testing.T) {
	h := start(t, fastSettings)
	shop := h.newKey(`{"scopes":["orders"]}`)
	ops := h.newKey(`{"scopes":["ops"]}`)
	no := h.orderNo(1)
	req := h.cart(no)
	req.Scene, req.PayerOpenID = "jsapi", "o-secret-openid-"+h.prefix
	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders", shop.Secret, "", mustJSON(t, req)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if resp, body := rawPost(t, h.s.APIURL+"/v1/orders/"+no+"/resume", ops.Secret, "",
		`{"sub_order":1,"by":"ops-anna","reason":"checked the channel"}`); resp.StatusCode/100 == 5 {
		t.Fatalf("resume: %d %s", resp.StatusCode, body)
	}
	var trail struct{ Entries []audit.Entry }
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/audit?subject="+no, "", nil, &trail); err != nil {
		t.Fatal(err)
	}
	got := map[string]audit.Entry{}
	for _, e := range trail.Entries {
		got[e.Actor+" "+e.Action+" "+strconv.Itoa(statusOf(e))] = e
	}
	create, answered := got["key:"+shop.ID+" POST /v1/orders 0"], got["key:"+shop.ID+" POST /v1/orders 201"]
	resume := got["key:"+ops.ID+" POST /v1/orders/{order_no}/resume 0"]
	switch {
	case len(trail.Entries) != 5 || create.RequestID == "" || answered.RequestID != create.RequestID ||
		got["risk risk decision 0"].Detail["outcome"] != "PASS":
		t.Errorf("the trail of %s: %+v", no, trail.Entries)
	case create.Detail["amount"] != float64(27800) || create.Detail["sub_orders"] != float64(2):
		t.Errorf("the create's detail: %v", create.Detail)
	case resume.Subject != no+"/sub1" || resume.Detail["by"] != "ops-anna" || resume.Detail["reason"] != "checked the channel":
		t.Errorf("the resume's entry: %+v", resume)
	}
	var dump string
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT string_agg(t::text, ' ') FROM audit_log t`).Scan(&dump); err != nil ||
		strings.Contains(dump, req.PayerOpenID) {
		t.Errorf("the trail holds the payer's openid (%v)", err)
	}
	for _, change := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := h.s.API.DB.Exec(t.Context(), change); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", change, err)
		}
	}
}

func statusOf(e audit.Entry) int {
	if e.Status == nil {
		return 0
	}
	return *e.Status
}

// newKey makes a key through the API with the bootstrap key.
func (h *harness) newKey(body string) api.KeyView {
	h.t.Helper()
	var k api.KeyView
	if err := h.api.Do(h.t.Context(), http.MethodPost, "/v1/keys", "", json.RawMessage(body), &k); err != nil ||
		k.Secret == "" {
		h.t.Fatalf("make a key %s: %v", body, err)
	}
	return k
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
