package workflows

import (
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// QueryWithdrawal answers a withdrawal's state (提现).
const QueryWithdrawal = "GetWithdrawal"

// WithdrawalWorkflowID is a withdrawal's id: the merchant and the caller's out request number.
func WithdrawalWorkflowID(merchantID, outRequestNo string) string {
	return "withdrawal/" + merchantID + "/" + outRequestNo
}

// WithdrawalSettings are the withdrawal's timings.
type WithdrawalSettings struct {
	PollFirst   time.Duration // first wait between queries, doubling to PollMax
	PollMax     time.Duration
	BounceWatch time.Duration // after SUCCESS, how long to keep asking in case the bank returns it
}

// DefaultWithdrawalSettings: banks answer within a day or two and return bad accounts within days.
var DefaultWithdrawalSettings = WithdrawalSettings{
	PollFirst:   30 * time.Second,
	PollMax:     time.Hour,
	BounceWatch: 3 * 24 * time.Hour,
}

func (s WithdrawalSettings) withDefaults() WithdrawalSettings {
	d := DefaultWithdrawalSettings
	fillZero(
		[][2]*time.Duration{{&s.PollFirst, &d.PollFirst}, {&s.PollMax, &d.PollMax}, {&s.BounceWatch, &d.BounceWatch}},
	)
	return s
}

// WithdrawalInput asks to move a merchant's available balance to its bank account.
type WithdrawalInput struct {
	Channel      string
	MerchantID   string
	SubMchID     string
	OutRequestNo string // the caller's: the same number is the same withdrawal, at the channel too
	Amount       money.Amount
	Remark       string
	Settings     WithdrawalSettings
}

// Validate checks the request's shape.
func (in WithdrawalInput) Validate() error {
	switch {
	case !outReqRe.MatchString(in.OutRequestNo):
		return &InputError{"out_request_no", "6 to 32 letters and digits"}
	case in.Amount <= 0:
		return &InputError{"amount", "must be a positive number of fen"}
	case len(in.Remark) > 56:
		return &InputError{"remark", "at most 56 bytes"}
	case in.SubMchID == "" || in.MerchantID == "":
		return &InputError{"merchant_id", "an active merchant is required"}
	}
	return nil
}

// WithdrawalState is GetWithdrawal's answer.
type WithdrawalState struct {
	MerchantID   string
	OutRequestNo string
	Amount       money.Amount
	Status       string
	WaitingFor   string
	WithdrawID   string
	ChannelState string
	Reason       string
	RequestedAt  time.Time
	LastError    *StepError
	Timeline     []Event
}

// Withdrawal statuses.
const (
	WithdrawalRequested = "REQUESTED"               // reserved in the ledger, asked at the channel
	WithdrawalSucceeded = channels.WithdrawSuccess  // the bank has it (a bounce may still come back)
	WithdrawalFailed    = channels.WithdrawFail     // the channel did not pay: available again
	WithdrawalClosed    = channels.WithdrawClosed   // closed at the channel: available again
	WithdrawalBounced   = channels.WithdrawRefunded // the bank returned it after SUCCESS: available again
	WithdrawalRefused   = "REFUSED"                 // more than the available balance: nothing moved
)
