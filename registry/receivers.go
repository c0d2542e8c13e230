package registry

import (
	"context"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
)

// RemoveReceiver deletes the receiver at the channel (so nothing more can be shared to it) and marks it
// removed; later orders naming it are refused. Removing twice is done.
func (r *Registry) RemoveReceiver(ctx context.Context, channel, id string) (ledger.Receiver, error) {
	rc, err := r.GetReceiver(ctx, channel, id)
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

// GetReceiver answers a stored receiver's account at a channel (its name masked).
func (r *Registry) GetReceiver(ctx context.Context, channel, id string) (Receiver, error) {
	if err := knownChannel(channel); err != nil {
		return Receiver{}, err
	}
	rc, err := r.Ledger.GetReceiver(ctx, channel, id)
	return rc, forCaller(err, "receiver "+id+" on "+channel)
}

// GetMerchant answers a stored merchant at a channel.
func (r *Registry) GetMerchant(ctx context.Context, channel, id string) (Merchant, error) {
	if err := knownChannel(channel); err != nil {
		return Merchant{}, err
	}
	m, err := r.Ledger.GetMerchant(ctx, channel, id)
	return m, forCaller(err, "merchant "+id+" on "+channel)
}
