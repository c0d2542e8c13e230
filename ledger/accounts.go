package ledger

import "fmt"

// Account names one ledger account: an owner and a bucket of that owner's money. Accounts are created on
// first use; Key is their stable name in the accounts table.
//
// Sign convention: a balance is what the account's owner holds, so money moving from A to B is an entry of
// −x on A and +x on B. The outside world (buyers paying, banks receiving withdrawals) is represented by
// clearing accounts whose balances go negative as money enters SplitPay's books.
type Account struct {
	OwnerKind string // platform | merchant | receiver | buyers | channel
	OwnerID   string
	Bucket    string
	Channel   string // where the money really sits: set for a merchant's or receiver's money at a channel
}

// Owner kinds and buckets.
const (
	OwnerPlatform = "platform"
	OwnerMerchant = "merchant"
	OwnerReceiver = "receiver"
	OwnerBuyers   = "buyers"
	OwnerChannel  = "channel"

	BucketAvailable     = "available"      // platform, merchant
	BucketSubsidyBudget = "subsidy_budget" // platform: funds coupons' subsidies
	BucketCommission    = "commission"     // platform income, receivers' earned commission
	BucketFrozen        = "frozen"         // merchant: paid orders waiting for sharing/finish
	BucketWithdrawn     = "withdrawn"      // merchant: paid out to its bank account
	BucketDebt          = "debt"           // receiver: clawbacks a person could not return (negative = owes)
	BucketReceivable    = "receivable"     // merchant: what persons owe it for clawbacks it fronted in refunds
	BucketClearing      = "clearing"       // buyers, channel: the outside world
)

// Key is "<owner kind>:<owner id>:<bucket>", with ":<channel>" for money held at a channel: a merchant's
// WeChat Pay funds and its Alipay funds are different money, and each must match that channel's own books.
func (a Account) Key() string {
	k := a.OwnerKind + ":" + a.OwnerID + ":" + a.Bucket
	if a.Channel != "" {
		k += ":" + a.Channel
	}
	return k
}

func (a Account) String() string { return a.Key() }

// NonNegative reports whether the account holds real money that cannot go below zero: a merchant's frozen
// and available funds at the channel. A posting that would overdraw one is refused.
func (a Account) NonNegative() bool {
	return a.OwnerKind == OwnerMerchant && (a.Bucket == BucketFrozen || a.Bucket == BucketAvailable)
}

func (a Account) validate() error {
	switch {
	case a.OwnerKind == "" || a.OwnerID == "" || a.Bucket == "":
		return fmt.Errorf("account %q: owner kind, owner id and bucket are all required", a.Key())
	case len(a.Key()) > 200:
		return fmt.Errorf("account key longer than 200 characters")
	}
	return nil
}

// The platform is a single owner; its id is fixed.
const platformID = "platform"

func PlatformAvailable() Account { return Account{OwnerPlatform, platformID, BucketAvailable, ""} }
func PlatformSubsidyBudget() Account {
	return Account{OwnerPlatform, platformID, BucketSubsidyBudget, ""}
}

// PlatformCommission is the platform's commission received at a channel.
func PlatformCommission(channel string) Account {
	return Account{OwnerPlatform, platformID, BucketCommission, channel}
}

// A merchant's frozen, available and withdrawn funds, and a receiver's commission, are money at one channel.
func MerchantFrozen(channel, id string) Account {
	return Account{OwnerMerchant, id, BucketFrozen, channel}
}
func MerchantAvailable(channel, id string) Account {
	return Account{OwnerMerchant, id, BucketAvailable, channel}
}
func MerchantWithdrawn(channel, id string) Account {
	return Account{OwnerMerchant, id, BucketWithdrawn, channel}
}
func ReceiverCommission(channel, id string) Account {
	return Account{OwnerReceiver, id, BucketCommission, channel}
}

// A person's debt to a merchant, and the merchant's claim on it, are claims, not money at a channel: a debt
// from an Alipay refund can be netted from a later WeChat Pay commission.
func MerchantReceivable(id string) Account { return Account{OwnerMerchant, id, BucketReceivable, ""} }
func ReceiverDebt(id string) Account       { return Account{OwnerReceiver, id, BucketDebt, ""} }

// BuyersClearing is where buyers' money enters (payments) and leaves (refunds), per channel.
func BuyersClearing(channel string) Account { return Account{OwnerBuyers, channel, BucketClearing, ""} }

// ChannelClearing holds money in flight at the channel, such as a withdrawal on its way to a bank.
func ChannelClearing(channel string) Account {
	return Account{OwnerChannel, channel, BucketClearing, ""}
}
