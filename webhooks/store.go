package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/workflows"
)

// Event is a fact SplitPay tells subscribers. Its ID comes from the business key (e.g. order.paid:T1001), so
// publishing it again is the same event.
type Event struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	Subject   string         `json:"subject"`
	CreatedAt time.Time      `json:"created_at"`
	Data      map[string]any `json:"data"` // ids, statuses and amounts; never personal data
}

// Delivery is one event for one subscription.
type Delivery struct {
	SubscriptionID string `json:"subscription_id"`
	EventID        string `json:"event_id"`
}

// WorkflowID is the delivery's workflow: one per (subscription, event).
func (d Delivery) WorkflowID() string {
	return workflows.WebhookWorkflowID(d.SubscriptionID, d.EventID)
}

// Record stores ev once, with a PENDING delivery for each subscription that wants its type at that moment, and
// answers the event's deliveries still PENDING (to start: a repeat of a half-done publication finds them). An
// event no subscription wants is not stored: it would never be sent, and every order publishes several.
func Record(ctx context.Context, db *pgxpool.Pool, ev Event) ([]Delivery, error) {
	var out []Delivery
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO webhook_events (id, type, subject, data)
			SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM webhook_subscriptions
				WHERE deleted_at IS NULL AND ($2 = ANY (event_types) OR '*' = ANY (event_types)))
			ON CONFLICT (id) DO NOTHING`, ev.ID, ev.Type, ev.Subject, ev.Data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (subscription_id, event_id)
				SELECT id, $1 FROM webhook_subscriptions
				WHERE deleted_at IS NULL AND ($2 = ANY (event_types) OR '*' = ANY (event_types))`, ev.ID, ev.Type); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT subscription_id, event_id FROM webhook_deliveries
			WHERE event_id = $1 AND state = 'PENDING' ORDER BY subscription_id`, ev.ID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Delivery])
		return err
	})
	return out, err
}

// Target is what one delivery sends, and where.
type Target struct {
	URL, Secret, Type string
	Body              []byte
	Gone              bool // the subscription was deleted: nothing to send
}

// Load answers what d sends: the event as JSON, the subscription's URL and secret.
func Load(ctx context.Context, db *pgxpool.Pool, d Delivery) (Target, error) {
	var t Target
	var ev Event
	var deleted *time.Time
	err := db.QueryRow(ctx, `SELECT s.url, s.secret, s.deleted_at, e.id, e.type, e.subject, e.created_at, e.data
		FROM webhook_subscriptions s, webhook_events e WHERE s.id = $1 AND e.id = $2`, d.SubscriptionID, d.EventID).
		Scan(&t.URL, &t.Secret, &deleted, &ev.ID, &ev.Type, &ev.Subject, &ev.CreatedAt, &ev.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return Target{Gone: true}, nil
	}
	if err != nil {
		return t, err
	}
	t.Gone, t.Type = deleted != nil, ev.Type
	t.Body, err = json.Marshal(ev)
	return t, err
}

// Mark records an attempt's outcome: state is PENDING (it failed, and will be tried again), DELIVERED, DEAD or
// CANCELLED.
func Mark(ctx context.Context, db *pgxpool.Pool, d Delivery, state string, status int, failure string) error {
	_, err := db.Exec(ctx, `UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1,
		last_status = nullif($4, 0), last_error = $5, updated_at = now(),
		delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() END
		WHERE subscription_id = $1 AND event_id = $2`, d.SubscriptionID, d.EventID, state, status, failure)
	return err
}

// Reopen makes a DEAD (or DELIVERED) delivery PENDING again, for a replay; ErrNoDelivery when there is none.
func Reopen(ctx context.Context, db *pgxpool.Pool, d Delivery) error {
	tag, err := db.Exec(ctx, `UPDATE webhook_deliveries SET state = 'PENDING', updated_at = now()
		WHERE subscription_id = $1 AND event_id = $2 AND state <> 'CANCELLED'`, d.SubscriptionID, d.EventID)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("%w: %s to %s", ErrNoDelivery, d.EventID, d.SubscriptionID)
	}
	return err
}

// ErrNoDelivery: no such delivery (or a cancelled one).
var ErrNoDelivery = errors.New("webhooks: no such delivery")

// DeliveryView is a delivery as ops see it.
type DeliveryView struct {
	Delivery
	EventType   string     `json:"event_type"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	LastStatus  *int       `json:"last_status,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Deliveries lists deliveries in state (all states when empty), the oldest change first.
func Deliveries(ctx context.Context, db *pgxpool.Pool, state string, limit int) ([]DeliveryView, error) {
	rows, err := db.Query(ctx, `SELECT d.subscription_id, d.event_id, e.type, d.state, d.attempts, d.last_status,
		d.last_error, d.delivered_at, d.updated_at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		WHERE $1 = '' OR d.state = $1 ORDER BY d.updated_at, d.event_id LIMIT $2`, state, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (DeliveryView, error) {
		var v DeliveryView
		err := row.Scan(&v.SubscriptionID, &v.EventID, &v.EventType, &v.State, &v.Attempts, &v.LastStatus,
			&v.LastError, &v.DeliveredAt, &v.UpdatedAt)
		return v, err
	})
}
