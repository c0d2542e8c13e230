package workflows

import (
	"time"

	"github.com/splitpay/splitpay/money"
)

// FrozenCheck is CheckFrozen's answer: the sub-order's unsplit money, on which the ledger and the channel agree.
type FrozenCheck struct {
	Unsplit money.Amount
}

// OrderViewInput writes the orders read model; Revision orders the writes.
type OrderViewInput struct {
	OrderNo     string
	Channel     string
	Status      string
	Total       money.Amount
	Paid        money.Amount
	MerchantIDs []string
	Revision    int64
	PaidAt      *time.Time
	CompletedAt *time.Time
}

// CheckDatabaseInput is the (empty, extendable) input of the CheckDatabase activity.
type CheckDatabaseInput struct{}

// DatabaseStatus is what CheckDatabase reports about the worker's PostgreSQL.
type DatabaseStatus struct {
	ServerVersion string   // e.g. "15.18"
	Migrations    []string // applied migrations, oldest first
}
