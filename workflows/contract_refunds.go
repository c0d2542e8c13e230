package workflows

import (
	"bytes"
	"encoding/json"

	"github.com/splitpay/splitpay/money"
)

// ApplyRefundInput refunds part of a sub-order at the channel.
type ApplyRefundInput struct {
	SubOrderRef
	OutRefundNo string
	Reason      string
	Refund      money.Amount
	Total       money.Amount // the sub-order's amount
	NotifyURL   string
	From        string // channels.FundsFrozen (the default while pending split) or channels.FundsAvailable
	// Reversals are the receivers that give their shares back in the refund itself, where the channel does
	// that (Limits.RefundReversesShares); they must be the same on every repeat of the refund.
	Reversals []Reversal
}

// Reversal is a receiver's share given back within a refund.
type Reversal struct {
	ReceiverID string
	Account    string
	Amount     money.Amount
}

// RefundStatus is the channel's view of a refund.
type RefundStatus struct {
	RefundID string
	Status   string // SUCCESS | PROCESSING | ABNORMAL | CLOSED
	Amount   money.Amount
	From     string // where the channel took the money from, when it says
}

// PostRefundInput posts a refund that succeeded: from frozen funds before finish, available ones after.
type PostRefundInput struct {
	SubOrderRef
	RefundID   string
	Amount     money.Amount
	FromFrozen bool
}

// CancelSubsidyInput gives up a sub-order's subsidy before it was paid (a refund voided the coupon).
type CancelSubsidyInput struct {
	SubOrderRef
	Description string
}

// ReturnShareInput asks a merchant receiver to give back part of a sharing request (分账回退).
type ReturnShareInput struct {
	SubOrderRef
	OutOrderNo  string // the sharing request the receiver was paid by
	OutReturnNo string
	ReturnMchID string
	Amount      money.Amount
	Description string
}

// ReturnStatus is a return's state: PROCESSING, SUCCESS or FAIL (FailReason ACCOUNT_ABNORMAL: the receiver
// lacks balance; TIME_OUT_CLOSED: it stayed short too long).
type ReturnStatus struct {
	ReturnNo   string
	Result     string
	FailReason string
	Amount     money.Amount
}

// PostSharingReturnedInput posts a successful return back to the merchant.
type PostSharingReturnedInput struct {
	SubOrderRef
	ReturnNo   string
	ReceiverID string
	Amount     money.Amount
	ToFrozen   bool
}

// PostCommissionDebtInput books a person's clawback as its debt and the merchant's receivable.
type PostCommissionDebtInput struct {
	SubOrderRef
	RefundNo   string // the refund's out_refund_no, unique
	ReceiverID string
	Amount     money.Amount
}

// ReturnSubsidyInput gives (part of) the subsidy back to the platform after a refund voided the coupon (补差回退).
type ReturnSubsidyInput struct {
	SubOrderRef
	OutOrderNo string // <sub-order>-sr<refund index>
	RefundID   string // the channel's id of the refund that voided it
	Amount     money.Amount
	FromFrozen bool
}

// NetDebtsInput asks, before a sub-order shares, to withhold from each person's share what it still owes this
// sub-order's merchant (debts from earlier clawbacks). Each netting is idempotent on <sub-order>-net-<receiver>.
type NetDebtsInput struct {
	SubOrderRef
	Shares []PlannedShare // the persons' planned shares: at most this much is withheld from each
}

// DebtNetting is what was withheld from one person's share against its debt; the request pays the rest.
type DebtNetting struct {
	ReceiverID string
	NettingID  string
	Amount     money.Amount
}

// DebtNettings is NetCommissionDebts' answer: what was withheld, person by person.
type DebtNettings struct {
	Nettings []DebtNetting
}

// UnmarshalJSON also reads the bare list that NetCommissionDebts answered before it answered a struct, so
// older histories replay.
func (d *DebtNettings) UnmarshalJSON(b []byte) error {
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '[' {
		return json.Unmarshal(b, &d.Nettings)
	}
	type plain DebtNettings
	return json.Unmarshal(b, (*plain)(d))
}

// NettingID is the out-number of a person's netting on a sub-order.
func NettingID(subOrderNo, receiverID string) string { return subOrderNo + "-net-" + receiverID }
