package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
)

// RemoveReceiver deletes the receiver at the channel (so nothing more can be shared to it) and marks it
// removed; later orders naming it are refused. Removing twice is done.
func (r *Registry) RemoveReceiver(ctx context.Context, id string) (ledger.Receiver, error) {
	rc, err := r.GetReceiver(ctx, id)
	if err != nil || rc.Status == ledger.ReceiverRemoved {
		return rc, err
	}
	if rc.Relation != "PLATFORM" {
		ch, ok := r.Receivers[rc.Channel]
		if !ok {
			return rc, fmt.Errorf("registry: no %s channel configured to remove receivers", rc.Channel)
		}
		err := ch.DeleteReceiver(
			ctx,
			channels.ReceiverRegistration{Type: rc.Type, Account: rc.Account, RelationType: rc.Relation},
		)
		var be *channels.BusinessError
		if errors.As(err, &be) && !be.Retryable {
			return rc, &starter.ChannelError{Code: be.Code, Message: be.Message}
		}
		if err != nil {
			return rc, fmt.Errorf("delete receiver at the channel: %w", err)
		}
	}
	rc.Status = ledger.ReceiverRemoved
	return rc, forCaller(r.Ledger.UpsertReceiver(ctx, rc), "receiver "+id)
}

// GetReceiver answers a stored receiver (its name masked).
func (r *Registry) GetReceiver(ctx context.Context, id string) (Receiver, error) {
	rc, err := r.Ledger.GetReceiver(ctx, id)
	return rc, forCaller(err, "receiver "+id)
}

// GetMerchant answers a stored merchant.
func (r *Registry) GetMerchant(ctx context.Context, id string) (Merchant, error) {
	m, err := r.Ledger.GetMerchant(ctx, id)
	return m, forCaller(err, "merchant "+id)
}
