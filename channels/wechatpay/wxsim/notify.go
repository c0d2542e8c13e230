package wxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

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

// notify delivers a notification in the background, retrying on any non-2xx answer on the (scaled) schedule;
// faults may drop it or send it twice.
func (s *Sim) notify(p *Platform, url, eventType, originalType string, plaintext []byte) {
	s.mu.Lock()
	drop, dup, scale, probe := s.faults.DropNotifications, s.faults.DuplicateNotify, s.notifyScale, s.faults.ProbeSignatures
	var delay time.Duration
	if s.faults.ReorderNotify > 0 {
		delay = time.Duration(s.rng.Int64N(int64(s.faults.ReorderNotify)))
	}
	s.mu.Unlock()
	if drop {
		return
	}
	body, err := s.Envelope(p, eventType, originalType, plaintext)
	if err != nil {
		return
	}
	times := 1
	if dup {
		times = 2
	}
	for range times {
		s.pending.Add(1)
		go func() {
			defer s.pending.Done()
			time.Sleep(delay)
			if probe { // WeChat's probe traffic: the receiver must reject it, whatever it answers
				if req, err := s.SignedRequest(url, body, true); err == nil {
					if resp, err := s.client.Do(req); err == nil {
						resp.Body.Close()
					}
				}
			}
			for attempt := 0; ; attempt++ {
				if s.deliver(url, body) || attempt == len(RetrySchedule) {
					return
				}
				time.Sleep(time.Duration(float64(RetrySchedule[attempt]) * scale))
			}
		}()
	}
}

func (s *Sim) deliver(url string, body []byte) bool {
	req, err := s.SignedRequest(url, body, false)
	if err != nil {
		return false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// serveControl is the unsigned /sim/ API for driving the simulator from outside the process (the buyer's side
// and the test clock): POST /sim/pay/{combine_out_trade_no}, POST /sim/advance?by=30s,
// POST /sim/refunds/{sub_mchid}/{out_refund_no}/settle[?abnormal=1], GET /sim/balances/{sub_mchid}.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sim/pay/{no}", func(w http.ResponseWriter, r *http.Request) {
		controlReply(w, nil, s.Pay(r.PathValue("no")))
	})
	mux.HandleFunc("POST /sim/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err == nil {
			s.Advance(d)
		}
		controlReply(w, nil, err)
	})
	mux.HandleFunc("POST /sim/refunds/{sub}/{no}/settle", func(w http.ResponseWriter, r *http.Request) {
		controlReply(
			w,
			nil,
			s.SettleRefund(r.PathValue("sub"), r.PathValue("no"), r.URL.Query().Get("abnormal") == "1"),
		)
	})
	mux.HandleFunc("GET /sim/balances/{sub}", func(w http.ResponseWriter, r *http.Request) {
		controlReply(w, s.Balance(r.PathValue("sub")), nil)
	})
	mux.HandleFunc("GET /sim/receivers/{type}/{account}", func(w http.ResponseWriter, r *http.Request) {
		controlReply(
			w,
			map[string]int64{"balance": s.ReceiverBalance(r.PathValue("type"), r.PathValue("account"))},
			nil,
		)
	})
	mux.HandleFunc("PUT /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&f)
		if err == nil {
			s.SetFaults(f)
		}
		controlReply(w, nil, err)
	})
	mux.ServeHTTP(w, r)
}

func controlReply(w http.ResponseWriter, out any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}
