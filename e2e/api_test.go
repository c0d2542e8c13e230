package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/starter"
)

func rawPost(t *testing.T, url, key, idem, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
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
		req.SubOrders = append([]starter.SubOrderRequest(nil), req.SubOrders...)
		req.SubOrders[0].Commissions = append([]starter.CommissionRequest(nil), req.SubOrders[0].Commissions...)
		edit(&req)
		var apiErr *api.Error
		err := h.api.Do(t.Context(), http.MethodPost, "/v1/orders", "", req, nil)
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	for body, field := range map[string]string{`{"order_no": 7}`: "order_no", `{"order_no":"ABCDEF12","colour":"red"}`: "colour", `{`: "body"} {
		resp, out := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", body, resp.StatusCode, out)
		}
	}
	big := `{"order_no":"` + strings.Repeat("x", 2<<20) + `"}`
	if resp, out := rawPost(t, h.s.APIURL+"/v1/orders", h.s.APIKey, "", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d %.200s", resp.StatusCode, out)
	}
	// Nothing was started: the order does not exist.
	var apiErr *api.Error
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/orders/"+ok.OrderNo, "", nil, nil); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
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
	other, otherBody := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-1", strings.Replace(body, "Nine", "Ten", 1))
	if other.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(otherBody, "IDEMPOTENCY_KEY_REUSED") {
		t.Errorf("other request under the key: %d %s", other.StatusCode, otherBody)
	}
	var m api.MerchantView
	if err := h.api.Do(t.Context(), http.MethodGet, "/v1/merchants/m9", "", nil, &m); err != nil || m.DisplayName != "Kiln Nine" {
		t.Errorf("the refused request changed the merchant: %+v %v", m, err)
	}
	// A bad request's 400 is kept too: repeating it under its key gives the same answer.
	bad := `{"id":"m10","sub_mchid":"12","display_name":"x"}`
	r1, b1 := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-2", bad)
	r2, b2 := rawPost(t, h.s.APIURL+"/v1/merchants", h.s.APIKey, "idem-2", bad)
	if r1.StatusCode != http.StatusBadRequest || r2.StatusCode != http.StatusBadRequest || !bytes.Equal([]byte(b1), []byte(b2)) {
		t.Errorf("400 replay: %d %s / %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
	}
}
