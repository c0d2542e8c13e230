package registry

import (
	"context"
	"fmt"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
)

// Balance is a merchant's money at the channel and in the ledger, side by side.
type Balance struct {
	MerchantID       string       `json:"merchant_id"`
	SubMchID         string       `json:"sub_mchid"`
	Available        money.Amount `json:"available"` // at the channel: withdrawable
	Pending          money.Amount `json:"pending"`   // at the channel: frozen until sharing finishes
	LedgerAvailable  money.Amount `json:"ledger_available"`
	LedgerFrozen     money.Amount `json:"ledger_frozen"`
	LedgerWithdrawn  money.Amount `json:"ledger_withdrawn"`
	LedgerReceivable money.Amount `json:"ledger_receivable"` // fronted for persons' clawbacks, netted later
}

// MerchantBalance reads the merchant's balance at the channel and in the ledger.
func (r *Registry) MerchantBalance(ctx context.Context, channel, merchantID string) (Balance, error) {
	m, err := r.GetMerchant(ctx, channel, merchantID)
	if err != nil {
		return Balance{}, err
	}
	ch, ok := r.Funds[m.Channel]
	if !ok {
		return Balance{}, fmt.Errorf("registry: no %s channel configured for balances", m.Channel)
	}
	b, err := ch.Balance(ctx, m.SubMchID)
	if err != nil {
		return Balance{}, fmt.Errorf("balance at the channel: %w", err)
	}
	l, err := r.Ledger.MerchantBalances(ctx, channel, merchantID)
	if err != nil {
		return Balance{}, err
	}
	return Balance{
		MerchantID:       m.ID,
		SubMchID:         m.SubMchID,
		Available:        b.Available,
		Pending:          b.Pending,
		LedgerAvailable:  l[ledger.BucketAvailable],
		LedgerFrozen:     l[ledger.BucketFrozen],
		LedgerWithdrawn:  l[ledger.BucketWithdrawn],
		LedgerReceivable: l[ledger.BucketReceivable],
	}, nil
}
