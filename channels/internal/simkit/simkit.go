// Package simkit is the mechanics every channel simulator shares: injected faults drawn from a seeded generator,
// the delivery of notifications on a channel's retry schedule (dropped, duplicated or reordered on demand), and
// the idempotency of out-numbers (the same number with the same content is the same request; with other content
// it is refused). The simulators (wxsim, alisim) keep only their channel's wire and rules.
package simkit

import (
	"bytes"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faults are failures injected into a simulator. Rates are probabilities in [0, 1]; keys are endpoint
// prefixes (a path, or an Alipay method name).
type Faults struct {
	SystemErrorRate   map[string]float64 // the channel's system error, before any state change
	RateLimitRate     map[string]float64 // the channel's rate limit
	Delay             map[string]time.Duration
	DropNotifications bool          // notifications are never sent (掉单)
	DuplicateNotify   bool          // every notification is sent twice
	ReorderNotify     time.Duration // each notification waits a random time below this: later ones may overtake
}

// Fault is what an endpoint call draws.
type Fault int

// Faults a call may draw.
const (
	NoFault Fault = iota
	SystemError
	RateLimited
)

// Kit holds a simulator's seeded generator, faults and notification deliveries.
type Kit struct {
	mu       sync.Mutex
	rng      *mrand.Rand
	faults   Faults
	scale    float64
	client   *http.Client
	schedule []time.Duration
	pending  sync.WaitGroup
	instance int64
}

// New returns a kit whose notifications retry on schedule (the channel's documented one).
func New(seed uint64, schedule []time.Duration) *Kit {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return &Kit{rng: mrand.New(mrand.NewPCG(seed, 1)), scale: 1, schedule: schedule,
		client: &http.Client{Timeout: 5 * time.Second}, instance: int64(binary.BigEndian.Uint64(b[:]) % 1_000_000)}
}

// ID is a channel's number: prefix, the day, this simulator's instance and seq, so it stays unique across
// simulators that share a ledger.
func (k *Kit) ID(prefix string, day time.Time, seq int64) string {
	return fmt.Sprintf("%s%s%06d%08d", prefix, day.Format("20060102"), k.instance, seq)
}

// Instance is a random number of this simulator (0..999999), for the ids it hands out: they stay unique across
// simulators that share a ledger (a demo run after another), as the channel's own ids are.
func (k *Kit) Instance() int64 { return k.instance }

// SetFaults replaces the injected faults.
func (k *Kit) SetFaults(f Faults) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.faults = f
}

// SetNotifyScale compresses (<1) the retry schedule.
func (k *Kit) SetNotifyScale(scale float64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.scale = scale
}

// Float64 draws from the seeded generator, for a simulator's own random choices.
func (k *Kit) Float64() float64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rng.Float64()
}

// Draw sleeps any injected delay for endpoint, then draws its fault.
func (k *Kit) Draw(endpoint string) Fault {
	k.mu.Lock()
	var sleep time.Duration
	for prefix, d := range k.faults.Delay {
		if strings.HasPrefix(endpoint, prefix) {
			sleep += d
		}
	}
	fault := NoFault
	for prefix, rate := range k.faults.SystemErrorRate {
		if strings.HasPrefix(endpoint, prefix) && k.rng.Float64() < rate {
			fault = SystemError
		}
	}
	for prefix, rate := range k.faults.RateLimitRate {
		if fault == NoFault && strings.HasPrefix(endpoint, prefix) && k.rng.Float64() < rate {
			fault = RateLimited
		}
	}
	k.mu.Unlock()
	time.Sleep(sleep)
	return fault
}

// Notify delivers a notification in the background until the receiver answers accepted(status, body), retrying
// on the (scaled) schedule; faults may drop it, send it twice or delay it. request builds each attempt afresh;
// before, when set, is sent first and its answer ignored (WeChat's signature probes).
func (k *Kit) Notify(request func() (*http.Request, error), accepted func(int, []byte) bool, before func()) {
	k.mu.Lock()
	f, scale := k.faults, k.scale
	var delay time.Duration
	if f.ReorderNotify > 0 {
		delay = time.Duration(k.rng.Int64N(int64(f.ReorderNotify)))
	}
	k.mu.Unlock()
	if f.DropNotifications {
		return
	}
	times := 1
	if f.DuplicateNotify {
		times = 2
	}
	for range times {
		k.pending.Add(1)
		go func() {
			defer k.pending.Done()
			time.Sleep(delay)
			if before != nil {
				before()
			}
			for attempt := 0; ; attempt++ {
				if k.deliver(request, accepted) || attempt == len(k.schedule) {
					return
				}
				time.Sleep(time.Duration(float64(k.schedule[attempt]) * scale))
			}
		}()
	}
}

func (k *Kit) deliver(request func() (*http.Request, error), accepted func(int, []byte) bool) bool {
	req, err := request()
	if err != nil {
		return false
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<12))
	return accepted(resp.StatusCode, body)
}

// Do sends req with the kit's client, for one-off sends (a probe) whose answer does not matter.
func (k *Kit) Do(req *http.Request) {
	if resp, err := k.client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// Wait blocks until every notification being delivered has finished its attempts.
func (k *Kit) Wait() { k.pending.Wait() }

// Requests remembers each out-number's content and answer: the same number with the same content answers the
// same; with other content it is a conflict. Callers hold their own lock.
type Requests[T any] map[string]*Request[T]

// Request is one remembered request.
type Request[T any] struct {
	Content []byte
	State   T
}

// Seen looks key up: the earlier request and whether content matches it (ok is false for a new key).
func (r Requests[T]) Seen(key string, content []byte) (prior *Request[T], same, ok bool) {
	p, ok := r[key]
	if !ok {
		return nil, false, false
	}
	return p, bytes.Equal(p.Content, content), true
}

// Remember records a new request.
func (r Requests[T]) Remember(key string, content []byte, state T) *Request[T] {
	p := &Request[T]{Content: append([]byte(nil), content...), State: state}
	r[key] = p
	return p
}
