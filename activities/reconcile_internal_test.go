package activities

import (
	"testing"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
)

// A bill line's event is booked under the channel's id, except withdrawals (our merchant and out_request_no) and
// shares given back within a refund (our refund number and receiver); a party the ledger does not know keeps the
// channel's id behind a "?", which no posting has.
func TestEventIDs(t *testing.T) {
	p := ledger.Parties{Merchants: map[string]string{"1900000109": "m1"},
		Receivers: map[string]string{"2088000000000001": "platform", "2088000000000002": "d1"}}
	for _, c := range []struct {
		line channels.StatementLine
		want string
	}{
		{channels.StatementLine{Kind: channels.EventPayment, EventID: "4200001"}, "4200001"},
		{channels.StatementLine{Kind: channels.EventWithdrawal, EventID: "W1", SubMchID: "1900000109", OutNo: "WD01"},
			"m1:WD01"},
		{channels.StatementLine{Kind: channels.EventWithdrawalBounced, EventID: "W1", SubMchID: "1900000999",
			OutNo: "WD01"}, "?1900000999:WD01"},
		{channels.StatementLine{Kind: channels.EventSharingReturn, EventID: "3005001"}, "3005001"},
		{channels.StatementLine{Kind: channels.EventSharingReturn, OutNo: "O1-sub1-rf1", Receiver: "2088000000000001"},
			"O1-sub1-rf1:platform"},
		{channels.StatementLine{Kind: channels.EventSharingReturn, OutNo: "O1-sub1-rf1", Receiver: "2088000000000009"},
			"O1-sub1-rf1:?2088000000000009"},
	} {
		if got := eventID(c.line, p); got != c.want {
			t.Errorf("%+v: %q, want %q", c.line, got, c.want)
		}
	}
}
