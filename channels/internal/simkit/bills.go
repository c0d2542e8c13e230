package simkit

import (
	"time"

	"github.com/splitpay/splitpay/money"
)

// BillFaults are discrepancies a simulator injects into the bills it serves. Its own records do not change, so
// a reconciliation finds the bill and the ledger apart. Ids are the channel's ids on the lines (transaction,
// trade, refund, sharing or settle numbers).
type BillFaults struct {
	Drop   map[string]bool         // lines of these ids are left out
	Amount map[string]money.Amount // lines of these ids show this amount (with the line's own sign)
	Extra  []ExtraPayment          // payments the trade bill lists that nobody made
	Late   time.Duration           // bills are made this much after their usual hour the next day
}

// ExtraPayment is a payment line a day's trade bill lists.
type ExtraPayment struct {
	Day        string // YYYY-MM-DD, China time
	SubMchID   string // the sub-merchant, where the bill names one
	ID         string // the channel's transaction or trade number
	OutTradeNo string
	Amount     money.Amount
}

// Shown is the amount a bill shows for an id (keeping amount's sign), and false when its line is dropped.
func (f BillFaults) Shown(id string, amount money.Amount) (money.Amount, bool) {
	if f.Drop[id] {
		return 0, false
	}
	if a, ok := f.Amount[id]; ok {
		if amount < 0 {
			return -a, true
		}
		return a, true
	}
	return amount, true
}
