package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/splitpay/splitpay/webhooks"
)

// ForgedAlert raises an alert (a metric and a risk.alert event) when more than Count forged notifications
// arrive within one Window.
type ForgedAlert struct {
	Count  int
	Window time.Duration
}

func (a ForgedAlert) withDefaults() ForgedAlert {
	if a.Count <= 0 {
		a.Count = 20
	}
	if a.Window <= 0 {
		a.Window = time.Minute
	}
	return a
}

// forgedWindow keeps the times of the last Count+1 forged notifications (per API process): when they all fall
// within Window, the alert is raised, at most once per Window.
type forgedWindow struct {
	mu     sync.Mutex
	times  []time.Time
	raised time.Time
}

func (f *forgedWindow) count(ctx context.Context, s *Server) {
	cfg := s.ForgedAlert.withDefaults()
	now := time.Now()
	f.mu.Lock()
	f.times = append(f.times, now)
	if len(f.times) > cfg.Count+1 {
		f.times = f.times[len(f.times)-cfg.Count-1:]
	}
	raise := len(f.times) > cfg.Count && now.Sub(f.times[0]) <= cfg.Window && now.Sub(f.raised) > cfg.Window
	if raise {
		f.raised = now
	}
	f.mu.Unlock()
	if !raise {
		return
	}
	const kind = "forged_notifications"
	s.Metrics.Alert(kind)
	s.Logger.Warn("forged notifications above their alert rate", "more_than", cfg.Count, "within", cfg.Window)
	err := s.Events.Publish(ctx, webhooks.Event{ID: fmt.Sprintf("%s:%s:%d", webhooks.RiskAlert, kind, now.UnixNano()),
		Type: webhooks.RiskAlert, Subject: "notifications", Data: map[string]any{"alert": kind,
			"more_than": cfg.Count, "within_seconds": int(cfg.Window.Seconds())}})
	if err != nil {
		s.Logger.Error("the forged-notification alert was not published", "error", err)
	}
}
