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

func (a Account) Key() string { return a.OwnerKind + ":" + a.OwnerID + ":" + a.Bucket }

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

func PlatformAvailable() Account     { return Account{OwnerPlatform, platformID, BucketAvailable} }
func PlatformSubsidyBudget() Account { return Account{OwnerPlatform, platformID, BucketSubsidyBudget} }
func PlatformCommission() Account    { return Account{OwnerPlatform, platformID, BucketCommission} }

func MerchantFrozen(id string) Account     { return Account{OwnerMerchant, id, BucketFrozen} }
func MerchantAvailable(id string) Account  { return Account{OwnerMerchant, id, BucketAvailable} }
func MerchantWithdrawn(id string) Account  { return Account{OwnerMerchant, id, BucketWithdrawn} }
func MerchantReceivable(id string) Account { return Account{OwnerMerchant, id, BucketReceivable} }

func ReceiverCommission(id string) Account { return Account{OwnerReceiver, id, BucketCommission} }
func ReceiverDebt(id string) Account       { return Account{OwnerReceiver, id, BucketDebt} }

// BuyersClearing is where buyers' money enters (payments) and leaves (refunds), per channel.
func BuyersClearing(channel string) Account { return Account{OwnerBuyers, channel, BucketClearing} }

// ChannelClearing holds money in flight at the channel, such as a withdrawal on its way to a bank.
func ChannelClearing(channel string) Account { return Account{OwnerChannel, channel, BucketClearing} }
