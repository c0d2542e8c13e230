package registry

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
)

// RemoveReceiver deletes the receiver at the channel (so nothing more can be shared to it) and marks it
// removed; later orders naming it are refused. Removing twice is done.
func (r *Registry) RemoveReceiver(ctx context.Context, id string) (ledger.Receiver, error) {
	rc, err := r.GetReceiver(ctx, id)
	if err != nil || rc.Status == ledger.ReceiverRemoved {
		return rc, err
	}
	unnamed := rc
	unnamed.Name = "" // the stored name is masked; deleting needs none
	if err := r.atChannel(ctx, unnamed, channels.ProfitSharing.DeleteReceiver); err != nil {
		return rc, err
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
