package ledger

import (
	"context"
	"crypto/sha256"
	"time"
)

// Notification is a verified, decrypted channel notification as the inbox records it, with the signal it
// becomes: the workflow it concerns, the signal's name and its payload (JSON; numbers and states only).
type Notification struct {
	Channel    string
	EventID    string // the channel's notification id (WeChat's envelope id, Alipay's notify_id)
	EventType  string // e.g. TRANSACTION.SUCCESS
	Resource   []byte // decrypted resource; only its digest is stored
	WorkflowID string
	Signal     string
	Payload    []byte
}

// RecordNotification stores n once. isFirst is false when the same event was recorded before; delivered says
// whether that earlier one reached its workflow (NotificationDelivered), so a retry needs no second signal.
func (l *Ledger) RecordNotification(ctx context.Context, n Notification) (isFirst, delivered bool, err error) {
	if err := first(required("Channel", n.Channel), required("EventID", n.EventID),
		required("EventType", n.EventType)); err != nil {
		return false, false, err
	}
	digest := sha256.Sum256(n.Resource)
	var payload any // NULL when there is none
	if len(n.Payload) > 0 {
		payload = string(n.Payload)
	}
	// One round trip. The outer SELECT sees the table as before the INSERT: a new row reads as not delivered.
	err = l.db.QueryRow(ctx, `
		WITH ins AS (INSERT INTO inbox (channel, event_id, event_type, digest, workflow_id, signal, payload)
			VALUES ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''), $7::jsonb)
			ON CONFLICT (channel, event_id) DO NOTHING RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM ins),
			coalesce((SELECT delivered_at IS NOT NULL FROM inbox WHERE channel = $1 AND event_id = $2), false)`,
		n.Channel, n.EventID, n.EventType, digest[:], n.WorkflowID, n.Signal, payload).Scan(&isFirst, &delivered)
	return isFirst, delivered, err
}

// NotificationDelivered records that a notification's signal reached its workflow (or that no workflow wants it).
func (l *Ledger) NotificationDelivered(ctx context.Context, channel, eventID string) error {
	_, err := l.db.Exec(ctx, `UPDATE inbox SET delivered_at = now()
		WHERE channel = $1 AND event_id = $2 AND delivered_at IS NULL`, channel, eventID)
	return err
}

// ClaimUndelivered answers up to limit recorded notifications whose signal has not been delivered for at least
// olderThan, oldest first, and claims them for hold: until then, no sweep in any process answers them again
// (rows another sweep is claiming right now are skipped, not waited for). Resource is not kept, so it is empty.
func (l *Ledger) ClaimUndelivered(ctx context.Context, olderThan, hold time.Duration, limit int) ([]Notification,
	error) {
	rows, err := l.db.Query(ctx, `
		UPDATE inbox SET resend_at = now() + $2::interval
		WHERE (channel, event_id) IN (
			SELECT channel, event_id FROM inbox
			WHERE delivered_at IS NULL AND workflow_id IS NOT NULL AND received_at < now() - $1::interval
				AND (resend_at IS NULL OR resend_at <= now())
			ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING channel, event_id, event_type, workflow_id, signal, coalesce(payload::text, 'null')`,
		olderThan, hold, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var payload string
		if err := rows.Scan(&n.Channel, &n.EventID, &n.EventType, &n.WorkflowID, &n.Signal, &payload); err != nil {
			return nil, err
		}
		n.Payload = []byte(payload)
		out = append(out, n)
	}
	return out, rows.Err()
}
