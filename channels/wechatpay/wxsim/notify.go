package wxsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// RetrySchedule is WeChat Pay's documented notification retry schedule (≈24 h 4 min in all).
var RetrySchedule = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute, 10 * time.Minute, 20 * time.Minute,
	30 * time.Minute, 30 * time.Minute, 30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
	3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// Envelope builds a signed-ready notification body: the resource encrypted under the platform's APIv3 key.
func (s *Sim) Envelope(p *Platform, eventType, originalType string, plaintext []byte) ([]byte, error) {
	s.mu.Lock()
	id := s.nextID("EV-")
	s.mu.Unlock()
	nonce := randomHex(6) // 12 characters, as WeChat's nonces are
	ct, err := seal(p.APIv3Key, nonce, originalType, plaintext)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wire.Notification{ID: id, CreateTime: time.Now().Format(time.RFC3339), EventType: eventType,
		ResourceType: "encrypt-resource", Summary: eventType, Resource: wire.NotificationResource{Algorithm: "AEAD_AES_256_GCM",
			Ciphertext: ct, AssociatedData: originalType, Nonce: nonce, OriginalType: originalType}})
}

// SignedRequest is a notification POST exactly as the channel sends it (for tests that tamper with it).
func (s *Sim) SignedRequest(url string, body []byte, probe bool) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	s.sign(req.Header, body, probe)
	req.Header.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	return req, nil
}

// notify delivers a notification in the background through simkit (WeChat's schedule, drops, duplicates and
// reordering on demand): any 2xx answer ends it. With ProbeSignatures each attempt series starts with a
// WECHATPAY/SIGNTEST/ copy that the receiver must reject.
func (s *Sim) notify(p *Platform, url, eventType, originalType string, plaintext []byte) {
	s.mu.Lock()
	probe := s.faults.ProbeSignatures
	s.mu.Unlock()
	body, err := s.Envelope(p, eventType, originalType, plaintext)
	if err != nil {
		return
	}
	var before func()
	if probe {
		before = func() {
			if req, err := s.SignedRequest(url, body, true); err == nil {
				s.kit.Do(req)
			}
		}
	}
	s.kit.Notify(func() (*http.Request, error) { return s.SignedRequest(url, body, false) },
		func(status int, _ []byte) bool { return status/100 == 2 }, before)
}

// serveControl is the unsigned /sim/ API for driving the simulator from outside the process (the buyer's side
// and the test clock): POST /sim/pay/{combine_out_trade_no}, POST /sim/advance?by=30s,
// POST /sim/refunds/{sub_mchid}/{out_refund_no}/settle[?abnormal=1], GET /sim/balances/{sub_mchid}.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sim/pay/{no}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, nil, s.Pay(r.PathValue("no")))
	})
	simkit.ControlRoutes(mux, s.Advance, s.SetFaults)
	mux.HandleFunc("POST /sim/refunds/{sub}/{no}/settle", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(
			w,
			nil,
			s.SettleRefund(r.PathValue("sub"), r.PathValue("no"), r.URL.Query().Get("abnormal") == "1"),
		)
	})
	mux.HandleFunc("GET /sim/balances/{sub}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, s.Balance(r.PathValue("sub")), nil)
	})
	mux.HandleFunc("GET /sim/receivers/{type}/{account}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(
			w,
			map[string]int64{"balance": s.ReceiverBalance(r.PathValue("type"), r.PathValue("account"))},
			nil,
		)
	})
	mux.ServeHTTP(w, r)
}

// PaymentNotification is the TRANSACTION.SUCCESS notification of a paid combined order, encrypted and signed as
// the channel sends it, for a caller that posts it itself (the notification benchmark): where to, the body, and
// the signed headers.
func (s *Sim) PaymentNotification(outTradeNo string) (url string, body []byte, header http.Header, err error) {
	s.mu.Lock()
	o := s.combined[outTradeNo]
	if o == nil || o.subOrders[0].state != channels.PaymentPaid {
		s.mu.Unlock()
		return "", nil, nil, fail(http.StatusNotFound, wire.CodeOrderNotExist, "order %s is not paid", outTradeNo)
	}
	plaintext := canonical(s.combineState(o))
	url, p := o.req.NotifyURL, o.platform
	s.mu.Unlock()
	if body, err = s.Envelope(p, "TRANSACTION.SUCCESS", "transaction", plaintext); err != nil {
		return "", nil, nil, err
	}
	req, err := s.SignedRequest(url, body, false)
	if err != nil {
		return "", nil, nil, err
	}
	return url, body, req.Header, nil
}
