package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Event types SplitPay publishes.
const (
	OrderCreated       = "order.created"
	OrderPaid          = "order.paid"
	OrderCompleted     = "order.completed"
	OrderClosed        = "order.closed"
	RefundSucceeded    = "refund.succeeded"
	DebtRecorded       = "clawback.debt_recorded"
	DebtNetted         = "clawback.debt_netted"
	OnboardingChanged  = "onboarding.changed"
	WithdrawalFinished = "withdrawal.finished"
	RiskHeld           = "risk.held"
	RiskAlert          = "risk.alert"
	ReconDiscrepancies = "reconciliation.discrepancies"
)

// Types lists every event type; "*" subscribes to all.
var Types = []string{OrderCreated, OrderPaid, OrderCompleted, OrderClosed, RefundSucceeded, DebtRecorded,
	DebtNetted, OnboardingChanged, WithdrawalFinished, RiskHeld, RiskAlert, ReconDiscrepancies}

// Subscription is a receiver's URL and the event types it wants. Secret is shown once, when it is made.
type Subscription struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"`
	Secret     string    `json:"secret,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// FieldError names the field at fault.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// check validates the URL (https, or http to a loopback address for development) and the event types.
func (s Subscription) check() error {
	u, err := url.Parse(s.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return &FieldError{"url", "an absolute https URL"}
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return &FieldError{"url", "https, except to a loopback address"}
	case u.User != nil:
		return &FieldError{"url", "no credentials in the URL: verify the signature instead"}
	case len(s.EventTypes) == 0:
		return &FieldError{"event_types", fmt.Sprintf(`name at least one of %v, or "*"`, Types)}
	}
	for _, t := range s.EventTypes {
		if t != "*" && !slices.Contains(Types, t) {
			return &FieldError{"event_types", fmt.Sprintf("%q is not one of %v", t, Types)}
		}
	}
	return nil
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// Subscribe stores s with a new id and secret, and answers it with both.
func Subscribe(ctx context.Context, db *pgxpool.Pool, s Subscription) (Subscription, error) {
	if err := s.check(); err != nil {
		return s, err
	}
	s.ID, s.Secret = "wh-"+randomHex(8), "whsec_"+randomHex(24)
	err := db.QueryRow(ctx, `INSERT INTO webhook_subscriptions (id, url, event_types, secret, created_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING created_at`, s.ID, s.URL, s.EventTypes, s.Secret, s.CreatedBy).
		Scan(&s.CreatedAt)
	return s, err
}

// Subscriptions lists the live subscriptions, without secrets.
func Subscriptions(ctx context.Context, db *pgxpool.Pool) ([]Subscription, error) {
	rows, err := db.Query(ctx, `SELECT id, url, event_types, created_by, created_at FROM webhook_subscriptions
		WHERE deleted_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Subscription, error) {
		var s Subscription
		err := row.Scan(&s.ID, &s.URL, &s.EventTypes, &s.CreatedBy, &s.CreatedAt)
		return s, err
	})
}

// ErrNoSubscription: no live subscription has the id.
var ErrNoSubscription = errors.New("webhooks: no such subscription")

// Unsubscribe deletes a subscription: its pending deliveries are cancelled when they next run.
func Unsubscribe(ctx context.Context, db *pgxpool.Pool, id string) error {
	tag, err := db.Exec(ctx, `UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("%w: %s", ErrNoSubscription, id)
	}
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
