package starter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/splitpay/splitpay/channels"
)

// Signal is what a notification becomes: a signal to the workflow it concerns, with its payload as JSON (the
// workflow's notice: numbers and states, no personal data).
type Signal struct {
	WorkflowID, Name string
	Payload          []byte
}

// Pending is a recorded notification whose signal is still to be delivered.
type Pending struct {
	Channel, EventID string
	Signal           Signal
}

// RelayOptions tune the relay: how many signals go out at once, and how often, and after how long, a
// notification still undelivered is sent again.
type RelayOptions struct {
	Senders    int           // default 16
	SweepEvery time.Duration // default 5 s
	SweepAfter time.Duration // default 10 s
	Logger     *slog.Logger
}

// StartRelay makes the notification path asynchronous. The API acknowledges a notification once the inbox holds
// it with its signal, so the channel stops retrying however busy Temporal is. The relay sends the signal at once.
// A sweep sends again whatever is still undelivered after SweepAfter, once per SweepAfter whichever process
// sweeps: a process that died between the two, a full queue, or Temporal unavailable. A notification
// acknowledged is never lost. A signal sent twice changes nothing: the workflow ignores what it knows. stop ends
// the relay; what it had not sent, the next sweep sends.
func (c *Client) StartRelay(o RelayOptions) (stop func()) {
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	c.relay = make(chan Pending, 4*o.Senders)
	var wg sync.WaitGroup
	for range o.Senders {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case p := <-c.relay:
					c.relayOne(ctx, p, o.Logger)
				}
			}
		})
	}
	wg.Go(func() { c.sweep(ctx, o) })
	return func() { cancel(); wg.Wait() }
}

func (o RelayOptions) withDefaults() RelayOptions {
	if o.Senders <= 0 {
		o.Senders = 16
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = 5 * time.Second
	}
	if o.SweepAfter <= 0 {
		o.SweepAfter = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// send hands a recorded notification to the relay, or delivers it now when there is none. A full queue leaves
// it to the sweep.
func (c *Client) send(ctx context.Context, p Pending) error {
	if c.relay == nil {
		return c.deliver(ctx, p)
	}
	select {
	case c.relay <- p:
	default:
	}
	return nil
}

// deliver signals a recorded notification and records that it was delivered. ErrNotFound: no running workflow
// wants it.
func (c *Client) deliver(ctx context.Context, p Pending) error {
	// The recorded JSON goes as it is: the JSON payload converter sends a json.RawMessage unchanged.
	err := c.Temporal.SignalWorkflow(ctx, p.Signal.WorkflowID, "", p.Signal.Name, json.RawMessage(p.Signal.Payload))
	if err = fromTemporal(err, "signal "+p.Signal.WorkflowID); err != nil {
		return err
	}
	// Best effort: unrecorded, a retry or the sweep signals again and the workflow ignores what it knows.
	_ = c.Records.NotificationDelivered(ctx, p.Channel, p.EventID)
	return nil
}

func (c *Client) relayOne(ctx context.Context, p Pending, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch err := c.deliver(ctx, p); {
	case errors.Is(err, ErrNotFound):
		// Verified, but no running workflow wants it: finished long ago, or not ours. Reconciliation compares the
		// bills with the ledger; sending it again would change nothing.
		log.Warn("notification for nothing running", "channel", p.Channel, "notification_id", p.EventID,
			"workflow_id", p.Signal.WorkflowID)
		_ = c.Records.NotificationDelivered(ctx, p.Channel, p.EventID)
	case err != nil && ctx.Err() == nil:
		log.Warn("notification not delivered yet; the relay's sweep sends it again", "channel", p.Channel,
			"notification_id", p.EventID, "error", err)
	}
}

// sweep sends again, every SweepEvery, the notifications undelivered for SweepAfter. It claims each for
// SweepAfter, so API processes sweeping the same inbox do not all send it, and one that keeps failing (Temporal
// down) is tried every SweepAfter, not at every sweep.
func (c *Client) sweep(ctx context.Context, o RelayOptions) {
	t := time.NewTicker(o.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pending, err := c.Records.ClaimUndelivered(ctx, o.SweepAfter, o.SweepAfter, 500)
		if err != nil {
			o.Logger.Warn("relay sweep: the inbox could not be read", "error", err)
			continue
		}
		for _, p := range pending {
			c.relayOne(ctx, p, o.Logger)
		}
	}
}

// record keeps a verified notification in the inbox with the signal it becomes, then hands it on. A repeat of
// one already delivered is acknowledged with nothing more.
func (c *Client) record(ctx context.Context, channel string, n channels.Notification, s Signal) (isNew bool,
	err error) {
	isNew, delivered, err := c.Records.RecordNotification(ctx, channel, n, s)
	switch {
	case err != nil:
		return false, fmt.Errorf("record notification: %w", err)
	case delivered:
		return false, nil
	}
	return isNew, c.send(ctx, Pending{Channel: channel, EventID: n.ID, Signal: s})
}
