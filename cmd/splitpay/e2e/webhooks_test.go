package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// receiver is a subscriber's endpoint: it verifies every delivery's signature, fails the first failFirst
// deliveries of each event (500), or all while down (503), and counts the ones it acknowledged.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	secret    string
	mu        sync.Mutex
	failFirst int
	down      bool
	tries     map[string]int // event id → deliveries received
	acked     map[string]int // event id → deliveries answered 200
	forged    int
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	r := &receiver{t: t, failFirst: failFirst, tries: map[string]int{}, acked: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	var ev webhooks.Event
	if webhooks.Verify(r.secret, req.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute) != nil ||
		json.Unmarshal(body, &ev) != nil || ev.ID != req.Header.Get(webhooks.HeaderEventID) {
		r.forged++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.tries[ev.ID]++
	switch {
	case r.down:
		w.WriteHeader(http.StatusServiceUnavailable)
	case r.tries[ev.ID] <= r.failFirst:
		w.WriteHeader(http.StatusInternalServerError)
	default:
		r.acked[ev.ID]++
	}
}

func (r *receiver) counts(id string) (tries, acked, forged int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries[id], r.acked[id], r.forged
}

// subscribe registers the receiver for types and keeps the subscription's secret.
func (h *harness) subscribe(r *receiver, types ...string) webhooks.Subscription {
	h.t.Helper()
	var sub webhooks.Subscription
	h.post("/v1/webhooks", map[string]any{"url": r.srv.URL, "event_types": types}, &sub)
	if sub.Secret == "" {
		h.t.Fatalf("no secret: %+v", sub)
	}
	r.mu.Lock()
	r.secret = sub.Secret
	r.mu.Unlock()
	return sub
}

// delivery waits until the delivery of event to sub is in state.
func (h *harness) delivery(sub, event, state string, within time.Duration) webhooks.DeliveryView {
	h.t.Helper()
	var last []webhooks.DeliveryView
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var out struct{ Deliveries []webhooks.DeliveryView }
		if err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/webhooks/deliveries?state="+state, "", nil, &out); err != nil {
			h.t.Fatal(err)
		}
		for _, d := range out.Deliveries {
			if d.SubscriptionID == sub && d.EventID == event {
				return d
			}
		}
		last = out.Deliveries
	}
	h.t.Fatalf("the delivery of %s to %s is not %s within %s: %+v", event, sub, state, within, last)
	return webhooks.DeliveryView{}
}

// A receiver that fails three times, then answers 200, gets the order's events signed, and acknowledges each
// exactly once; a bad subscription is refused naming its field.
func TestWebhooksDeliverSignedEventsOnce(t *testing.T) {
	h := start(t, fastSettings)
	if resp, body := rawPost(t, h.s.APIURL+"/v1/webhooks", h.s.APIKey, "",
		`{"url":"http://example.com/hook","event_types":["order.paid"]}`); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, `"field":"url"`) {
		t.Errorf("plain http to a public host: %d %s", resp.StatusCode, body)
	}
	r := newReceiver(t, 3)
	sub := h.subscribe(r, webhooks.OrderCreated, webhooks.OrderPaid)
	no := h.orderNo(1)
	h.paidCart(no)
	for _, kind := range []string{webhooks.OrderCreated, webhooks.OrderPaid} {
		id := kind + ":" + no
		d := h.delivery(sub.ID, id, "DELIVERED", 60*time.Second)
		tries, acked, forged := r.counts(id)
		if tries != 4 || acked != 1 || forged != 0 || d.Attempts != 4 || d.LastStatus == nil || *d.LastStatus != 200 {
			t.Errorf("%s: received %d, acknowledged %d, forged %d; delivery %+v", id, tries, acked, forged, d)
		}
	}
	if tries, _, _ := r.counts(webhooks.OrderCompleted + ":" + no); tries != 0 {
		t.Errorf("an event type not subscribed to was delivered %d times", tries)
	}
}

// A receiver down past the retry window leaves a dead letter (DEAD_LETTER in the UI, DEAD in the API); once it
// is up, a replay delivers the event.
func TestWebhookDeadLetterReplays(t *testing.T) {
	h := start(t, fastSettings)
	r := newReceiver(t, 0)
	r.down = true
	sub := h.subscribe(r, "*")
	no := h.orderNo(1)
	h.create(h.cart(no))
	id := webhooks.OrderCreated + ":" + no
	h.delivery(sub.ID, id, "DEAD", 60*time.Second)
	h.searchable(workflows.WebhookWorkflowID(sub.ID, id), `SplitPayStatus = "DEAD_LETTER"`)

	r.mu.Lock()
	r.down = false
	r.mu.Unlock()
	h.post("/v1/webhooks/deliveries/replay", map[string]string{"subscription_id": sub.ID, "event_id": id,
		"by": "ops-anna", "reason": "the receiver is back"}, nil)
	h.delivery(sub.ID, id, "DELIVERED", 30*time.Second)
	h.searchable(workflows.WebhookWorkflowID(sub.ID, id), `SplitPayStatus = "DELIVERED"`)
	h.saveHistories("webhook-dead-letter-replayed", workflows.WebhookWorkflowID(sub.ID, id))
	if tries, acked, forged := r.counts(id); acked != 1 || tries < 2 || forged != 0 {
		t.Errorf("after the replay: received %d, acknowledged %d, forged %d", tries, acked, forged)
	}
}

// Risk holds and alerts reach subscribers and the metrics: an order held for review (risk.held), a merchant
// past 50 % of its cap (near_cap), and more than two forged notifications in a minute (forged_notifications).
func TestRiskHoldsAndAlertsAreEvents(t *testing.T) {
	h, m := startMetered(t, fastSettings)
	r := newReceiver(t, 0)
	sub := h.subscribe(r, webhooks.RiskHeld, webhooks.RiskAlert)
	if code, body := h.putRules(`{"default_tier":"standard","tiers":{"standard":{"alert_at":0.5}},"merchants":{` +
		`"m1":{"override":{"review_above":15000}},"m2":{"override":{"daily_amount":{"total":17600}}}}}`); code != http.StatusOK {
		t.Fatalf("the rules: %d %s", code, body)
	}
	no := h.orderNo(1)
	h.create(h.cart(no))
	h.delivery(sub.ID, webhooks.RiskHeld+":"+no, "DELIVERED", 30*time.Second)
	h.delivery(sub.ID, webhooks.RiskAlert+":"+no+":near_cap:m2:daily_amount.total", "DELIVERED", 30*time.Second)

	for i := range 3 {
		wrongKey, _ := h.s.Sim.Envelope(&wxsim.Platform{APIv3Key: "00000000000000000000000000000000"},
			"TRANSACTION.SUCCESS", "transaction", []byte(`{"combine_out_trade_no":"F`+strconv.Itoa(i)+`","sub_orders":[]}`))
		bad, _ := h.s.Sim.SignedRequest(h.s.APIURL+"/notify/wechatpay/transaction", wrongKey, false)
		h.allRefused(map[string]*http.Request{"wrong APIv3 key": bad})
	}
	var forged webhooks.DeliveryView
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && forged.EventID == ""; time.Sleep(200 * time.Millisecond) {
		var out struct{ Deliveries []webhooks.DeliveryView }
		if err := h.api.Do(t.Context(), http.MethodGet, "/v1/webhooks/deliveries?state=DELIVERED", "", nil, &out); err != nil {
			t.Fatal(err)
		}
		for _, d := range out.Deliveries {
			if strings.HasPrefix(d.EventID, webhooks.RiskAlert+":forged_notifications:") {
				forged = d
			}
		}
	}
	if forged.EventID == "" {
		t.Error("no forged-notification alert was delivered")
	}
	text := scrape(t, m)
	for _, kind := range []string{"near_cap", "forged_notifications"} {
		if value(text, `splitpay_risk_alerts_total{kind="`+kind+`"}`) < 1 {
			t.Errorf("the %s alert is not counted", kind)
		}
	}
}

// A withdrawal to a settlement account the shop changed at the channel a moment ago goes ahead, and raises a
// withdrawal_new_account alert (an event and the metric); the one before the change, the baseline, raises none.
func TestWithdrawalToANewAccountRaisesAnAlert(t *testing.T) {
	h, m := startMetered(t, fastSettings)
	r := newReceiver(t, 0)
	sub := h.subscribe(r, webhooks.RiskAlert)
	h.earnAvailable(h.orderNo(1), 5000)
	for i, no := range []string{h.prefix + "WA1", h.prefix + "WA2"} {
		if i == 1 {
			h.s.Sim.ChangeSettlementAccount(shop1, "6214830000009876")
		}
		h.post("/v1/merchants/m1/withdrawals", starter.WithdrawalRequest{OutRequestNo: no, Amount: 1000}, nil)
		h.withdrawal("m1", no, func(v api.WithdrawalView) bool { return v.ChannelState == channels.WithdrawCreated })
	}
	h.delivery(sub.ID, webhooks.RiskAlert+":withdrawal_new_account:m1:"+h.prefix+"WA2", "DELIVERED", 30*time.Second)
	h.saveHistories("withdrawal-new-account", workflows.WithdrawalWorkflowID("m1", h.prefix+"WA2"))
	if tries, _, _ := r.counts(webhooks.RiskAlert + ":withdrawal_new_account:m1:" + h.prefix + "WA1"); tries != 0 {
		t.Error("the baseline withdrawal raised an alert")
	}
	if value(scrape(t, m), `splitpay_risk_alerts_total{kind="withdrawal_new_account"}`) != 1 {
		t.Error("the alert is not counted once")
	}
}
