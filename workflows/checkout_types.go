package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/money"
)

// The order lifecycle's names: workflow ids, updates, signals and queries. The starter and the API use these;
// nothing else spells them.
const (
	// UpdateCreatePayment places the combined order at the channel and returns the payment parameters. The
	// starter sends it with Update-With-Start, so the caller gets the parameters in the same round trip.
	UpdateCreatePayment = "CreatePayment"
	// UpdateReview is ops' approval or rejection of an order held for risk review.
	UpdateReview = "Review"
	// SignalPaymentNotified carries a verified payment notification from the API to the order.
	SignalPaymentNotified = "PaymentNotified"
	// UpdateConfirmReceipt is the shop's delivery confirmation of one sub-order.
	UpdateConfirmReceipt = "ConfirmReceipt"
	// SignalConfirmReceipt carries the same confirmation when no worker could take the update in time (a
	// deploy): the server accepts a signal without a worker, and the sub-order applies it once it runs.
	SignalConfirmReceipt = "ConfirmReceiptSignal"
	// SignalResume is ops' "the cause is fixed, try the step again" for a process waiting on NEEDS_ATTENTION.
	SignalResume = "Resume"
	// SignalRequery is reconciliation's "the channel's bill lists a payment the ledger lacks": the order asks the
	// channel at once — while it waits for the payment, or as a Resume when a failing query stopped it.
	SignalRequery = "Requery"
	// SignalSubOrderDone tells the order that a sub-order finished; the sub-order then stays open for
	// refunds during the refund window, and the order completes without waiting for that.
	SignalSubOrderDone = "SubOrderSettled" // the wire name predates the Go name; histories carry it
	// QueryOrder and QuerySubOrder return the live state.
	QueryOrder    = "GetOrder"
	QuerySubOrder = "GetSubOrder"
)

// OrderWorkflowID is the id of a combined order's workflow: one per order number, ever.
func OrderWorkflowID(orderNo string) string { return "order/" + orderNo }

// SubOrderWorkflowID is the id of the n-th (1-based) sub-order's child workflow.
func SubOrderWorkflowID(orderNo string, n int) string {
	return fmt.Sprintf("order/%s/sub%d", orderNo, n)
}

// SubOrderNo is the n-th sub-order's out_trade_no at the channel; every later out-number of the sub-order
// (sharing, finish, subsidy, refunds) extends it, so a retry can never mint a second request.
func SubOrderNo(orderNo string, n int) string { return fmt.Sprintf("%s-sub%d", orderNo, n) }

// ParseSubOrderNo splits a sub-order's out_trade_no into the order number and n; ok is false for anything
// SubOrderNo did not make.
func ParseSubOrderNo(subOrderNo string) (orderNo string, n int, ok bool) {
	i := strings.LastIndex(subOrderNo, "-sub")
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(subOrderNo[i+4:])
	if err != nil || n < 1 || SubOrderNo(subOrderNo[:i], n) != subOrderNo {
		return "", 0, false
	}
	return subOrderNo[:i], n, true
}

// Order and sub-order statuses, as the GetOrder query, the orders read model and SplitPayStatus show them.
const (
	StatusCreated         = "CREATED"          // started; the channel order is being placed
	StatusRiskReview      = "RISK_REVIEW"      // held by a risk rule: nothing placed until ops review it
	StatusAwaitingPayment = "AWAITING_PAYMENT" // the buyer has the payment parameters
	StatusClosing         = "CLOSING"          // the payment window passed; closing at the channel
	StatusClosed          = "CLOSED"           // closed unpaid: terminal
	StatusRejected        = "REJECTED"         // the channel refused the order: terminal, nothing was created
	StatusPaid            = "PAID"             // paid and posted; sub-orders running
	StatusAwaitingReceipt = "AWAITING_RECEIPT" // a sub-order waits for the shop's delivery confirmation
	StatusAfterSale       = "AFTER_SALE"       // confirmed; the after-sale window runs
	StatusSharing         = "SHARING"          // subsidy, profit sharing and their results
	StatusFinishing       = "FINISHING"        // unfreezing the rest to the merchant
	StatusCompleted       = "COMPLETED"        // every fen is settled: terminal
	StatusNeedsAttention  = "NEEDS_ATTENTION"  // a step was refused or kept failing; waits for SignalResume
)

// waitingForReceipt is what a sub-order waits for from its start: the shop's delivery confirmation.
const waitingForReceipt = "shop:receipt"

// waitingForRefunds is what a completed sub-order waits for through its refund window.
const waitingForRefunds = "refund-window"

// How a sub-order's receipt was confirmed.
const (
	ConfirmedByShop           = "shop"
	ConfirmedByAutoConfirm    = "auto-confirm"
	ConfirmedByFreezeDeadline = "freeze-deadline" // confirmed early so finish comes before the channel's auto-unfreeze
)

// OrderSettings are the lifecycle's timings. Zero values take DefaultOrderSettings' value, except
// AfterSaleWindow, whose zero means none.
type OrderSettings struct {
	PaymentWindow    time.Duration // how long the buyer may pay; then the order is closed at the channel
	QueryAfter       time.Duration // ask the channel when no notification came within this (lost notifications)
	AutoConfirmAfter time.Duration // receipt is confirmed automatically after this
	AfterSaleWindow  time.Duration // after confirmation, before sharing (may be zero)
	FreezePeriod     time.Duration // the channel auto-unfreezes after this (180 days)
	FinishMargin     time.Duration // finish at least this long before the auto-unfreeze
	SharePollFirst   time.Duration // first wait before asking again about a PROCESSING sharing request
	SharePollMax     time.Duration // longest wait between such questions (and about returns)
	RefundPollFirst  time.Duration // first wait before asking again about a PROCESSING refund
	RefundPollMax    time.Duration // longest wait between such questions (a notification cuts each short)
	RefundWindow     time.Duration // after finish, how long a sub-order still takes refunds (zero: none)
}

// DefaultOrderSettings are production defaults: WeChat's 2-hour payment window, 7-day auto-confirm and
// after-sale, 180-day freeze with a 10-day margin.
func DefaultOrderSettings() OrderSettings {
	return OrderSettings{
		PaymentWindow:    2 * time.Hour,
		QueryAfter:       time.Minute,
		AutoConfirmAfter: 7 * 24 * time.Hour,
		AfterSaleWindow:  7 * 24 * time.Hour,
		FreezePeriod:     180 * 24 * time.Hour,
		FinishMargin:     10 * 24 * time.Hour,
		SharePollFirst:   5 * time.Second,
		SharePollMax:     10 * time.Minute,
		RefundPollFirst:  time.Second,
		RefundPollMax:    10 * time.Minute,
		RefundWindow:     30 * 24 * time.Hour,
	}
}

// withDefaults fills zero timings from DefaultOrderSettings (AfterSaleWindow and RefundWindow excepted: zero
// means none).
func (s OrderSettings) withDefaults() OrderSettings {
	d := DefaultOrderSettings()
	fillZero([][2]*time.Duration{
		{
			&s.PaymentWindow,
			&d.PaymentWindow,
		}, {&s.QueryAfter, &d.QueryAfter}, {&s.AutoConfirmAfter, &d.AutoConfirmAfter},
		{&s.FreezePeriod, &d.FreezePeriod}, {&s.FinishMargin, &d.FinishMargin}, {&s.SharePollFirst, &d.SharePollFirst},
		{
			&s.SharePollMax,
			&d.SharePollMax,
		}, {&s.RefundPollFirst, &d.RefundPollFirst}, {&s.RefundPollMax, &d.RefundPollMax},
	})
	return s
}

// fillZero sets each timing that is zero (or negative) to its default: pairs of {setting, default}.
func fillZero(pairs [][2]*time.Duration) {
	for _, p := range pairs {
		if *p[0] <= 0 {
			*p[0] = *p[1]
		}
	}
}

// PlanLimits are the channel limits the sharing plan must respect.
type PlanLimits struct {
	MaxSubOrders           int
	MaxReceiversPerRequest int
	MaxRequests            int
	MaxRatio               decimal.Decimal
	MaxRefunds             int // partial refunds per sub-order
	// ConfirmBeforeSharing: the channel holds the paid money unsettled until the sub-order confirms settlement
	// (Alipay's settle confirm, which requests the freeze); see channels.Limits.
	ConfirmBeforeSharing bool
	// RefundReversesShares: a refund after sharing names the receivers that give their shares back, in the
	// refund itself (Alipay's refund_royalty_parameters), instead of separate returns; see channels.Limits.
	RefundReversesShares bool
}

// OrderInput is a combined order as the starter resolved it: merchants' channel ids and receivers' accounts
// looked up, sharing plans checked. The workflow validates it again, so a hand-started order is no weaker.
type OrderInput struct {
	OrderNo       string
	Channel       string
	Scene         string
	PayerOpenID   string
	PayerClientIP string
	DeviceID      string // the buyer's device, for the risk rules' velocity and blocklist
	H5Type        string
	NotifyURL     string // payment notifications
	// RefundNotifyURL is where the channel tells refunds' results; sub-orders still query when none comes.
	RefundNotifyURL string
	SubOrders       []SubOrderSpec
	Limits          PlanLimits
	Settings        OrderSettings
	// Fingerprint identifies the caller's request: a create under the same order number with another
	// fingerprint is a different cart and is refused.
	Fingerprint string
}

// SubOrderSpec is one shop's part of the order.
type SubOrderSpec struct {
	MerchantID  string
	SubMchID    string
	Description string
	Amount      money.Amount     // what the buyer pays
	Subsidy     money.Amount     // the platform's coupon money, paid to the merchant before sharing (补差)
	Commissions []CommissionRule // who shares in this sub-order; the remainder stays with the merchant
	Items       []Item           // optional: with them, Amount and Subsidy follow from the items and the coupon
	Coupon      *Coupon
}

// Total is what the buyer pays for the whole order.
func (in OrderInput) Total() money.Amount {
	var t money.Amount
	for _, s := range in.SubOrders {
		t += s.Amount
	}
	return t
}

// MerchantIDs lists the order's merchants once each, in sub-order order.
func (in OrderInput) MerchantIDs() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in.SubOrders {
		if !seen[s.MerchantID] {
			seen[s.MerchantID] = true
			out = append(out, s.MerchantID)
		}
	}
	return out
}

// Validate checks the order's shape and every sub-order's sharing plan. It is pure: the starter calls it
// before starting anything, and the workflow calls it again.
func (in OrderInput) Validate() error {
	switch {
	case !validOrderNo(in.OrderNo):
		return &InputError{"order_no", "6 to 24 characters of A-Z, a-z, 0-9, _ and -"}
	case in.Channel == "":
		return &InputError{"channel", "required"}
	case in.NotifyURL == "":
		return &InputError{"notify_url", "required (the API's public base URL is not configured)"}
	case len(in.SubOrders) == 0:
		return &InputError{"sub_orders", "at least one sub-order"}
	case in.Limits.MaxSubOrders > 0 && len(in.SubOrders) > in.Limits.MaxSubOrders:
		return &InputError{
			"sub_orders",
			fmt.Sprintf("at most %d sub-orders in one combined order", in.Limits.MaxSubOrders),
		}
	}
	for i, s := range in.SubOrders {
		field := fmt.Sprintf("sub_orders[%d]", i)
		switch {
		case s.MerchantID == "" || s.SubMchID == "":
			return &InputError{field + ".merchant_id", "required, and the merchant must be active"}
		case s.Amount <= 0:
			return &InputError{field + ".amount", "must be a positive number of fen"}
		case s.Subsidy < 0:
			return &InputError{field + ".subsidy", "must not be negative"}
		}
		if len(s.Items) > 0 {
			st, err := PriceItems(s.Items, s.Coupon)
			if err != nil {
				return &InputError{field + ".items", err.Error()}
			}
			if st.BuyerPays != s.Amount || st.Subsidy != s.Subsidy {
				return &InputError{
					field + ".amount",
					fmt.Sprintf("the items and coupon come to %s paid and %s subsidy", st.BuyerPays, st.Subsidy),
				}
			}
		}
		if _, err := in.plan(i, 0); err != nil {
			return &InputError{field + ".commissions", err.Error()}
		}
	}
	return nil
}

// plan is sub-order i's sharing plan on its current base.
func (in OrderInput) plan(i int, refunded money.Amount) (SharingPlan, error) {
	s := in.SubOrders[i]
	return PlanSharing(SharingPlanInput{Paid: s.Amount, Subsidy: s.Subsidy, Refunded: refunded, Rules: s.Commissions,
		MaxRatio: in.Limits.MaxRatio, MaxReceiversPerRequest: in.Limits.MaxReceiversPerRequest,
		MaxRequests: in.Limits.MaxRequests})
}

func validOrderNo(s string) bool { return ValidKey(s, 6, 24) }

// ValidKey says whether s is minLen..maxLen characters of A-Z, a-z, 0-9, _ and -: what every channel out-number
// accepts, and the shape of every id SplitPay takes from callers.
func ValidKey(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CreatePaymentRequest is the argument of UpdateCreatePayment.
type CreatePaymentRequest struct {
	Fingerprint string // must equal the order's: a different cart under the same number is refused
}

// CreatedOrder answers UpdateCreatePayment.
type CreatedOrder struct {
	OrderNo  string
	Status   string
	Params   PaymentParams
	ExpireAt time.Time
}

// PaymentNotice is SignalPaymentNotified's payload: the channel's state of the combined order as the
// notification (verified and decrypted by the API) reported it.
type PaymentNotice struct {
	NotificationID string
	State          PaymentStatus
}

// ConfirmReceiptRequest is the argument of UpdateConfirmReceipt.
type ConfirmReceiptRequest struct {
	ConfirmedBy string // who, for the record: the shop's operator or system
	Note        string
}

// OrderState is the GetOrder query's answer.
type OrderState struct {
	OrderNo      string
	Channel      string
	Status       string
	WaitingFor   string
	Total        money.Amount
	Params       PaymentParams
	ExpireAt     time.Time
	PaidAt       time.Time
	PaidBy       string // how payment was learned: notification | query | query-after-close
	SubOrders    []SubOrderSummary
	LastError    *StepError
	Timeline     []Event
	Fingerprint  string
	ChildrenDone int
}

// SubOrderSummary is what the order knows of a sub-order; the sub-order's own query has the live detail.
type SubOrderSummary struct {
	N             int
	SubOrderNo    string
	MerchantID    string
	Amount        money.Amount
	Subsidy       money.Amount
	TransactionID string
	WorkflowID    string
	Status        string
}

// OrderResult is how an order's workflow ends.
type OrderResult struct {
	OrderNo string
	Status  string // COMPLETED | CLOSED
}
