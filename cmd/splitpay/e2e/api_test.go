package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/starter"
)

func rawPost(t *testing.T, url, key, idem, body string) (*http.Response, string) {
	t.Helper()
	return rawDo(t, http.MethodPost, url, key, idem, body)
}

func rawGet(t *testing.T, url, key string) (*http.Response, string) {
	t.Helper()
	return rawDo(t, http.MethodGet, url, key, "", "")
}

// rawDo sends one request as a caller would, with a bearer key (none when empty) and an Idempotency-Key (none
// when empty), and answers the response and its body.
func rawDo(t *testing.T, method, url, key, idem, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAPIRefusesUnauthenticatedCallers(t *testing.T) {
	h := start(t, fastSettings)
	for _, key := range []string{"", "sk_wrong", h.s.APIKey + "x"} {
		resp, body := rawPost(t, h.s.APIURL+"/v1/orders", key, "", `{}`)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"UNAUTHENTICATED"`) {
			t.Errorf("key %q: %d %s", key, resp.StatusCode, body)
		}
	}
}

// Bad input gets 400 with the field named, and nothing is created.
func TestAPIBadInputNamesTheField(t *testing.T) {
	h := start(t, fastSettings)
	ok := h.cart(h.orderNo(1))
	cases := map[string]func(*starter.CreateOrderRequest){
		"order_no":                          func(r *starter.CreateOrderRequest) { r.OrderNo = "no spaces!" },
		"sub_orders":                        func(r *starter.CreateOrderRequest) { r.SubOrders = nil },
		"sub_orders[1].amount":              func(r *starter.CreateOrderRequest) { r.SubOrders[1].Amount = -5 },
		"sub_orders[0].merchant_id":         func(r *starter.CreateOrderRequest) { r.SubOrders[0].MerchantID = "nobody" },
		"sub_orders[0].commissions[1].rate": func(r *starter.CreateOrderRequest) { r.SubOrders[0].Commissions[1].Rate = "ten percent" },
		"sub_orders[0].commissions[2].receiver_id": func(r *starter.CreateOrderRequest) {
			r.SubOrders[0].Commissions[2].ReceiverID = "stranger"
		},
		"sub_orders[0].commissions": func(r *starter.CreateOrderRequest) { r.SubOrders[0].Commissions[1].Rate = "0.29" }, // over the 30% cap
		"scene":                     func(r *starter.CreateOrderRequest) { r.Scene = "fax" },
		"payer_openid":              func(r *starter.CreateOrderRequest) { r.Scene = "jsapi" },
	}
	for field, edit := range cases {
		req := h.cart(ok.OrderNo)
		req.SubOrders = append([]cart.SubOrderRequest(nil), req.SubOrders...)
		req.SubOrders[0].Commissions = append([]cart.CommissionRequest(nil), req.SubOrders[0].Commissions...)
		edit(&req)
		var apiErr *api.Error
		err := h.api.Do(t.Context(), http.MethodPost, "/v1/orders", "", req, nil)
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	for body, field := range map[string]string{
		`{"order_no": 7}`: "order_no", `{"order_no":"ABCDEF12","colour":"red"}`: "colour", `{`: "body",
	} {
		resp, out := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", body, resp.StatusCode, out)
		}
	}
	big := `{"order_no":"` + strings.Repeat("x", 2<<20) + `"}`
	if resp, out := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d %.200s", resp.StatusCode, out)
	}
	var apiErr *api.Error
	// A party read on a channel SplitPay does not speak is a 400 naming it, not a 404.
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/merchants/m1?channel=paypal", "", nil, nil); !errors.As(err, &apiErr) ||
		apiErr.Status != http.StatusBadRequest || apiErr.Field != "channel" {
		t.Errorf("?channel=paypal: %v", err)
	}
	// Nothing was started: the order does not exist.
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/orders/"+ok.OrderNo, "", nil, nil); !errors.As(err, &apiErr) ||
		apiErr.Status != http.StatusNotFound {
		t.Errorf("after refused creates: %v", err)
	}
}

// An Idempotency-Key replays the first answer to the same request and refuses another request.
func TestAPIIdempotencyKey(t *testing.T) {
	h := start(t, fastSettings)
	body := `{"id":"m9","sub_mchid":"1900000777","display_name":"Kiln Nine"}`
	first, firstBody := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-1", body)
	again, againBody := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-1", body)
	if first.StatusCode != http.StatusCreated || again.StatusCode != http.StatusCreated || firstBody != againBody ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %q / %d %q %v", first.StatusCode, firstBody, again.StatusCode, againBody, again.Header)
	}
	other, otherBody := rawPost(
		t,
		h.s.APIURL+"/v1/merchants",
		h.s.APIKey,
		"idem-1",
		strings.Replace(body, "Nine", "Ten", 1),
	)
	if other.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(otherBody, "IDEMPOTENCY_KEY_REUSED") {
		t.Errorf("other request under the key: %d %s", other.StatusCode, otherBody)
	}
	var m api.MerchantView
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/merchants/m9", "", nil, &m); err != nil ||
		m.DisplayName != "Kiln Nine" {
		t.Errorf("the refused request changed the merchant: %+v %v", m, err)
	}
	// A bad request's 400 is kept too: repeating it under its key gives the same answer.
	bad := `{"id":"m10","sub_mchid":"12","display_name":"x"}`
	r1, b1 := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-2", bad)
	r2, b2 := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-2", bad)
	if r1.StatusCode != http.StatusBadRequest || r2.StatusCode != http.StatusBadRequest ||
		!bytes.Equal([]byte(b1), []byte(b2)) {
		t.Errorf("400 replay: %d %s / %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
	}
}

// badInput is a request that will always fail, and the answer it must get.
type badInput struct {
	name, method, path, idem, body string
	status                         int
	field                          string
}

// badInputs are the requests TestAPIBadInputIsNeverAnOutage sends; no is an order awaiting payment.
func badInputs(h *harness, no string) []badInput {
	orderWith := func(description string) string {
		return `{"order_no":"` + h.orderNo(2) + `","sub_orders":[{"merchant_id":"m1","description":"` + description +
			`","amount":100}]}`
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	receiver := func(account, name string) string {
		return `{"id":"d9","type":"PERSONAL_OPENID","account":"` + account + `","name":"` + name + `","relation":"DISTRIBUTOR"}`
	}
	sub := "/v1/orders/" + no + "/sub-orders/1"
	return append([]badInput{
		{"NUL in an order's text", "POST", "/v1/orders", "", orderWith(`tea\u0000`), 400, "sub_orders[0].description"},
		{"control character in text", "POST", "/v1/orders", "", orderWith(`tea\u001b[31m`), 400, "sub_orders[0].description"},
		{"body not UTF-8", "POST", "/v1/orders", "", orderWith("tea\xff\xfe"), 400, "body"},
		{"NUL in a merchant's name", "POST", "/v1/merchants", "",
			`{"id":"m9","sub_mchid":"1900009999","display_name":"Tea\u0000House"}`, 400, "display_name"},
		{"a sub_mchid another merchant has", "POST", "/v1/merchants", "",
			`{"id":"m9","sub_mchid":"` + shop1 + `","display_name":"Copycat"}`, 409, ""},
		{"NUL in a receiver's name", "POST", "/v1/receivers", "", receiver("o-d9", `Li\u0000`), 400, "name"},
		{"an account another receiver has", "POST", "/v1/receivers", "", receiver("o-l1-openid", "Li Lei"), 409, ""},
		{"an openid that is no openid", "POST", "/v1/receivers", "", receiver("o d9!", "Li Lei"), 400, "account"},
		{"Idempotency-Key not UTF-8", "POST", "/v1/orders", "key-\xff", orderWith("tea"), 400, "Idempotency-Key"},
		{"Idempotency-Key with a tab", "POST", "/v1/orders", "key\tone", orderWith("tea"), 400, "Idempotency-Key"},
		{"path id not UTF-8", "GET", "/v1/orders/%FF%FE", "", "", 400, "path"},
		{"path id with NUL", "GET", "/v1/orders/A%00B", "", "", 400, "path"},
		{"confirmed_by too long", "POST", sub + "/receipt", "", `{"confirmed_by":"` + long(65) + `"}`, 400, "confirmed_by"},
		{"receipt for a sub-order the order lacks", "POST", "/v1/orders/" + no + "/sub-orders/9/receipt", "",
			`{"confirmed_by":"shop"}`, 400, "sub_order"},
		{"refund reason too long", "POST", sub + "/refunds", "",
			`{"refund_no":"R1","amount":100,"reason":"` + long(81) + `"}`, 400, "reason"},
		{"withdrawal remark too long", "POST", "/v1/merchants/m1/withdrawals", "",
			`{"out_request_no":"W1","amount":100,"remark":"` + long(57) + `"}`, 400, "remark"},
		{"onboarding name too long", "POST", "/v1/onboardings", "",
			`{"out_request_no":"OB1","merchant_id":"m8","display_name":"` + long(129) + `"}`, 400, "display_name"},
		{"resume reason too long", "POST", "/v1/orders/" + no + "/resume", "",
			`{"by":"ops:ann","reason":"` + long(257) + `"}`, 400, "reason"},
		{"resume an order not waiting for ops", "POST", "/v1/orders/" + no + "/resume", "",
			`{"by":"ops:ann","reason":"try"}`, 409, ""},
		{"NUL in an applicant's name", "POST", "/v1/onboardings", "",
			`{"out_request_no":"OB1","merchant_id":"m8","legal_person":{"name":"Li\u0000"}}`, 400, "legal_person.name"},
		{"onboarding on a channel SplitPay does not speak", "POST", "/v1/onboardings", "",
			onboardingWith(func(r *api.OnboardingRequest) { r.Channels = []string{"wechatpay", "paypal"} }), 400, "channels[1]"},
		{"onboarding on Alipay without its profile", "POST", "/v1/onboardings", "",
			onboardingWith(func(r *api.OnboardingRequest) { r.Alipay = nil }), 400, "alipay"},
		{"NUL in the Alipay account", "POST", "/v1/onboardings", "",
			onboardingWith(func(r *api.OnboardingRequest) { r.Alipay.SettleLogonID = "li\u0000@example.com" }), 400,
			"alipay.settle_logon_id"},
		{"health query not UTF-8", "GET", "/healthz?probe=%FF", "", "", 400, "probe"},
		{"codec body not a payload list", "POST", "/codec/decode", "", `{"payloads": 7}`, 400, ""},
		{"codec body too large", "POST", "/codec/decode", "", `{"payloads":[{"data":"` + long(9<<20) + `"}]}`, 413, ""},
	}, append(reconcileBadInputs(), controlBadInputs(h, no)...)...)
}

// controlBadInputs are bad input to the risk rules, reviews, keys, webhooks and the audit trail.
func controlBadInputs(h *harness, no string) []badInput {
	return []badInput{
		{"NUL in a device id", "POST", "/v1/orders", "", `{"order_no":"` + h.orderNo(2) + `","device_id":"d\u0000",` +
			`"sub_orders":[{"merchant_id":"m1","description":"tea","amount":100}]}`, 400, "device_id"},
		{"NUL in a blocklist", "PUT", "/v1/risk/rules", "", `{"default_tier":"a","tiers":{"a":{}},` +
			`"blocklist":{"ips":["1.2.3.4\u0000"]}}`, 400, "blocklist.ips[0]"},
		{"a review that is neither", "POST", "/v1/orders/" + no + "/review", "",
			`{"decision":"maybe","by":"ops","reason":"x"}`, 400, "decision"},
		{"a key's unknown scope", "POST", "/v1/keys", "", `{"scopes":["everything"]}`, 400, "scopes"},
		{"NUL in a webhook URL", "POST", "/v1/webhooks", "", `{"url":"https://x.test/\u0000","event_types":["*"]}`,
			400, "url"},
		{"an audit page past the limit", "GET", "/v1/audit?limit=1001", "", "", 400, "limit"},
		{"an audit page after no id", "GET", "/v1/audit?after=-1", "", "", 400, "after"},
		{"a dead-letter page of no state", "GET", "/v1/webhooks/deliveries?state=LOST", "", "", 400, "state"},
	}
}

// reconcileBadInputs are the reconciliation endpoints' bad input.
func reconcileBadInputs() []badInput {
	return []badInput{
		{"reconcile a channel SplitPay does not speak", "POST", "/v1/reconciliations", "",
			`{"channel":"paypal","from":"2026-11-05"}`, 400, "channel"},
		{"reconcile a day that is no day", "POST", "/v1/reconciliations", "", `{"channel":"wechatpay","from":"yesterday"}`,
			400, "from"},
		{"reconcile backwards", "POST", "/v1/reconciliations", "",
			`{"channel":"wechatpay","from":"2026-11-05","to":"2026-11-01"}`, 400, "to"},
		{"reconcile more than 92 days", "POST", "/v1/reconciliations", "",
			`{"channel":"alipay","from":"2026-01-01","to":"2026-11-01"}`, 400, "to"},
		{"reconcile the future", "POST", "/v1/reconciliations", "", `{"channel":"alipay","from":"2999-01-01"}`, 400, "from"},
		{"report of a day that is no day", "GET", "/v1/reconciliations?channel=wechatpay&date=2026-13-01", "", "", 400,
			"date"},
		{"resolve a discrepancy that is no number", "POST", "/v1/reconciliations/discrepancies/abc/resolve", "",
			`{"by":"ops:ann","reason":"checked"}`, 400, "id"},
		{"NUL in a resolution's reason", "POST", "/v1/reconciliations/discrepancies/1/resolve", "",
			`{"by":"ops:ann","reason":"ok\u0000"}`, 400, "reason"},
		{"resolve no discrepancy", "POST", "/v1/reconciliations/discrepancies/999999/resolve", "",
			`{"by":"ops:ann","reason":"checked"}`, 404, ""},
	}
}

// onboardingWith is a valid two-channel application for OB0001, edited.
func onboardingWith(edit func(*api.OnboardingRequest)) string {
	r := application("OB0001", "m8")
	edit(&r)
	b, _ := json.Marshal(r) // a NUL is escaped as \u0000, as a client would send it
	return string(b)
}

// Input that will always fail gets a 4xx in the API's JSON error shape, naming the field where there is one —
// never a 503 "retry", which invites retry storms — and starts or stores nothing.
func TestAPIBadInputIsNeverAnOutage(t *testing.T) {
	h := start(t, fastSettings)
	no := h.orderNo(1)
	h.create(h.cart(no)) // an order awaiting payment: not waiting for ops
	for _, c := range badInputs(h, no) {
		req, _ := http.NewRequest(c.method, h.s.APIURL+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+h.s.APIKey)
		req.Header.Set("Content-Type", "application/json")
		if c.idem != "" {
			req.Header["Idempotency-Key"] = []string{c.idem}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var body struct {
			Error struct{ Code, Message, Field string }
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != c.status || err != nil || body.Error.Code == "" || body.Error.Field != c.field {
			t.Errorf("%s: %d %+v (%v); want %d naming %q", c.name, resp.StatusCode, body.Error, err, c.status, c.field)
		}
	}
	// Nothing was started or stored.
	var rules struct{ Version int64 }
	var keys struct{ Keys []api.KeyView }
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/risk/rules", "", nil, &rules); err != nil || rules.Version != 0 {
		t.Errorf("risk rules after refused input: version %d (%v)", rules.Version, err)
	}
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/keys", "", nil, &keys); err != nil || len(keys.Keys) != 1 {
		t.Errorf("keys after refused input: %+v (%v)", keys.Keys, err)
	}
	var apiErr *api.Error
	for _, path := range []string{
		"/v1/orders/" + h.orderNo(2), "/v1/merchants/m9", "/v1/receivers/d9", "/v1/onboardings/OB1", "/v1/onboardings/OB0001",
		"/v1/reconciliations?channel=wechatpay&date=2026-11-05", "/v1/reconciliations?channel=alipay&date=2026-01-01",
	} {
		if err := h.api.Do(t.Context(), http.MethodGet, path, "", nil, nil); !errors.As(err, &apiErr) ||
			apiErr.Status != http.StatusNotFound {
			t.Errorf("GET %s after refused input: %v", path, err)
		}
	}
}
