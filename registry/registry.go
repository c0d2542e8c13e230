// Package registry is what SplitPay keeps about parties outside Temporal: merchants and sharing receivers
// (registered at the channel and stored in PostgreSQL, names masked), merchants' balances, the notification
// inbox and the orders read model. The API calls it for parties; the starter reads it through
// starter.Records, which *Registry implements.
package registry

import (
	"time"

	"context"
	"errors"
	"fmt"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// Registry reads and writes parties in the ledger's tables and registers receivers at the channels.
type Registry struct {
	Ledger *ledger.Ledger
	// Receivers registers sharing receivers at each channel, by channel name.
	Receivers map[string]channels.ProfitSharing
	// Funds reads merchants' balances at each channel, by channel name.
	Funds map[string]channels.Funds
}

// Merchant, Receiver and OrderRow are the stored records, as the ledger's tables hold them.
type (
	Merchant = ledger.Merchant
	Receiver = ledger.Receiver
	OrderRow = ledger.OrderView
)

// ErrTaken: another merchant already holds the channel id.
var ErrTaken = ledger.ErrTaken

var _ starter.Records = (*Registry)(nil)

// forCaller turns the ledger's refusals into the starter's errors, which the API maps to 4xx.
func forCaller(err error, what string) error {
	var ve *ledger.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ledger.ErrNotFound):
		return fmt.Errorf("%s: %w", what, starter.ErrNotFound)
	case errors.As(err, &ve):
		return &starter.InputError{Field: ve.Field, Reason: ve.Reason}
	}
	return err
}

// Merchant answers a merchant at a channel for resolving carts and withdrawals (cart.Directory).
func (r *Registry) Merchant(ctx context.Context, channel, id string) (cart.Merchant, error) {
	m, err := r.Ledger.GetMerchant(ctx, channel, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return cart.Merchant{}, fmt.Errorf("merchant %s on %s: %w", id, channel, cart.ErrUnknown)
	}
	return cart.Merchant{ID: m.ID, Channel: m.Channel, SubMchID: m.SubMchID, Status: m.Status,
		Active: m.Status == ledger.MerchantActive}, err
}

// Receiver answers a receiver's account at a channel for resolving carts (cart.Directory).
func (r *Registry) Receiver(ctx context.Context, channel, id string) (cart.Receiver, error) {
	rc, err := r.Ledger.GetReceiver(ctx, channel, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return cart.Receiver{}, fmt.Errorf("receiver %s on %s: %w", id, channel, cart.ErrUnknown)
	}
	return cart.Receiver{ID: rc.ID, Channel: rc.Channel, Type: rc.Type, Account: rc.Account, Relation: rc.Relation,
		Active: rc.Status == ledger.ReceiverActive}, err
}

// RecordNotification keeps a verified notification in the inbox, once per event id.
func (r *Registry) RecordNotification(
	ctx context.Context,
	channel string,
	n channels.Notification,
	s starter.Signal,
) (isNew, delivered bool, err error) {
	return r.Ledger.RecordNotification(ctx, ledger.Notification{Channel: channel, EventID: n.ID, EventType: n.EventType,
		Resource: n.Plaintext, WorkflowID: s.WorkflowID, Signal: s.Name, Payload: s.Payload})
}

// NotificationDelivered records that a notification's signal reached its workflow.
func (r *Registry) NotificationDelivered(ctx context.Context, channel, eventID string) error {
	return r.Ledger.NotificationDelivered(ctx, channel, eventID)
}

// ClaimUndelivered answers notifications whose signal is still to be delivered, and claims them for hold (the
// relay's sweep).
func (r *Registry) ClaimUndelivered(
	ctx context.Context,
	olderThan, hold time.Duration,
	limit int,
) ([]starter.Pending, error) {
	ns, err := r.Ledger.ClaimUndelivered(ctx, olderThan, hold, limit)
	out := make([]starter.Pending, len(ns))
	for i, n := range ns {
		out[i] = starter.Pending{Channel: n.Channel, EventID: n.EventID,
			Signal: starter.Signal{WorkflowID: n.WorkflowID, Name: n.Signal, Payload: n.Payload}}
	}
	return out, err
}

// StoredOrder is the read model's summary of an order, for when its workflow cannot answer.
func (r *Registry) StoredOrder(ctx context.Context, orderNo string) (workflows.OrderState, error) {
	v, err := r.Ledger.GetOrder(ctx, orderNo)
	if err != nil {
		return workflows.OrderState{}, forCaller(err, "order "+orderNo)
	}
	st := workflows.OrderState{OrderNo: v.OrderNo, Channel: v.Channel, Status: v.Status, Total: v.TotalAmount}
	if v.PaidAt != nil {
		st.PaidAt = *v.PaidAt
	}
	return st, nil
}

// ListOrders lists orders from the read model, newest first; after is the last order number of the previous page.
func (r *Registry) ListOrders(ctx context.Context, status, after string, limit int) ([]OrderRow, error) {
	return r.Ledger.ListOrders(ctx, status, after, limit)
}

// BeginOnboarding records a merchant-to-be as onboarding on a channel; one already active there is a conflict.
func (r *Registry) BeginOnboarding(ctx context.Context, channel, merchantID, displayName string) error {
	m, err := r.Ledger.GetMerchant(ctx, channel, merchantID)
	switch {
	case err == nil && m.Status == ledger.MerchantActive:
		return &starter.ConflictError{
			Reason: fmt.Sprintf("merchant %s is already active on %s (sub-merchant %s)", m.ID, channel, m.SubMchID),
		}
	case err == nil:
		return nil
	case !errors.Is(err, ledger.ErrNotFound):
		return err
	}
	return forCaller(r.Ledger.UpsertMerchant(ctx, ledger.Merchant{
		ID:          merchantID,
		Channel:     channel,
		Status:      ledger.MerchantOnboarding,
		DisplayName: displayName,
	}), "merchant "+merchantID)
}
