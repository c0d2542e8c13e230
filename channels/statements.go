package channels

import (
	"context"
	"iter"
	"time"

	"github.com/splitpay/splitpay/money"
)

// ChinaTime is the channels' clock for business days: a bill's day, its cut-off at midnight, and when it is made.
var ChinaTime = time.FixedZone("CST", 8*3600)

// BillsMade is when both channels have made the bills of t's business day: 10:01 the next day, China time
// (WeChat Pay makes them by 10:00, Alipay by 09:00). Reconciling a day earlier waits for its bills.
func BillsMade(t time.Time) time.Time {
	t = t.In(ChinaTime)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 10, 1, 0, 0, ChinaTime)
}

// DayStart is the start of a business day (YYYY-MM-DD) in ChinaTime.
func DayStart(day string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, day, ChinaTime)
}

// The money events a bill line can be, named as the ledger names its postings: a line's Kind and EventID give
// the posting key <channel>:<kind>:<event id> that reconciliation matches it with.
const (
	EventPayment       = "payment"
	EventRefund        = "refund"
	EventSharing       = "sharing"
	EventSharingReturn = "sharing_return"
	EventSubsidy       = "subsidy"
	EventSubsidyReturn = "subsidy_return"
	EventFinish        = "finish"
	// Withdrawals: the money leaving the sub-merchant's account when the channel accepts the withdrawal, and
	// coming back when it fails or closes, or when the bank returns it. A line's EventID is the channel's id; the
	// ledger keys withdrawals by the sub-merchant (SubMchID) and our out_request_no (OutNo).
	EventWithdrawal        = "withdrawal_requested"
	EventWithdrawalBack    = "withdrawal_failed"
	EventWithdrawalBounced = "withdrawal_bounced"
	EventFee               = "fee" // a fee line (手续费): recorded as a fee, never a discrepancy
)

// StatementSuccess is a line whose event succeeded; any other Status is the channel's word for where it stands.
const StatementSuccess = "SUCCESS"

// StatementLine is one money event as a channel's bill lists it, in the words the ledger keys its postings by.
// Several lines may share an event (a sharing request's receivers): their amounts add up.
type StatementLine struct {
	Bill     string // the bill it came from (a StatementBills name)
	Line     int    // its line in that file, from 1
	Kind     string // an Event* kind
	EventID  string // the channel's id the ledger keys the posting by: transaction, refund, sharing or return id
	TradeID  string // a refund's or share's payment: its transaction id (the payment's EventID)
	OutNo    string // our number for it (out_trade_no, out_refund_no, out_order_no)
	SubMchID string // the sub-merchant, when the bill names it
	// Receiver is a returned share's receiver, by its account at the channel, when the channel gives the return no
	// id of its own (Alipay's, inside a refund): EventID is then empty and OutNo our refund number.
	Receiver string
	Amount   money.Amount // unsigned, fen
	Fee      money.Amount // the channel's fee (手续费, 服务费), unsigned: taken on a payment, given back on a refund
	Status   string       // StatementSuccess, or the channel's own word
	At       string       // the event's time as the bill writes it (China time)
}

// Statements reads a channel's bills for a day (YYYY-MM-DD, China time) as money events. Each bill is streamed:
// never held whole in memory, its integrity (hash or checksum) checked as it is read, a failed check yielded as
// an error after its lines — so a reader that stages lines in a transaction rolls them back. A bill the channel
// has not made yet is ReasonNotReady; a day without business of a bill's kind yields no lines.
type Statements interface {
	// StatementBills names the day's bills, in the order to read them, and the event kinds they cover: a
	// posting of a covered kind that no bill lists is missing at the channel.
	StatementBills() (bills []string, covers []string)
	ReadStatement(ctx context.Context, bill, day string) iter.Seq2[StatementLine, error]
}
