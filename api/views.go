package api

import (
	"time"

	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The JSON shapes of the API (snake_case, amounts in fen). They are built from the workflows' and ledger's
// types here, so those can change without changing the wire.

type Event struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
}

type StepError struct {
	Step    string    `json:"step"`
	Type    string    `json:"type"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

type ShareView struct {
	ReceiverID string       `json:"receiver_id"`
	Role       string       `json:"role"`
	Amount     money.Amount `json:"amount"`
}

type FailedShare struct {
	Account    string       `json:"account"`
	Amount     money.Amount `json:"amount"`
	FailReason string       `json:"fail_reason"`
}

type SharingBatchView struct {
	OutOrderNo string        `json:"out_order_no"`
	Status     string        `json:"status"`
	Shares     []ShareView   `json:"shares"`
	Failed     []FailedShare `json:"failed,omitempty"`
}

type SubOrderView struct {
	N               int                `json:"n"`
	SubOrderNo      string             `json:"sub_order_no"`
	MerchantID      string             `json:"merchant_id"`
	Status          string             `json:"status"`
	WaitingFor      string             `json:"waiting_for,omitempty"`
	Amount          money.Amount       `json:"amount"`
	Subsidy         money.Amount       `json:"subsidy"`
	TransactionID   string             `json:"transaction_id,omitempty"`
	ConfirmedBy     string             `json:"confirmed_by,omitempty"`
	ConfirmedAt     *time.Time         `json:"confirmed_at,omitempty"`
	ConfirmDeadline *time.Time         `json:"confirm_deadline,omitempty"`
	FinishDeadline  *time.Time         `json:"finish_deadline,omitempty"`
	Shared          money.Amount       `json:"shared"`
	Settled         money.Amount       `json:"settled"`
	Batches         []SharingBatchView `json:"sharing,omitempty"`
	Refunded        money.Amount       `json:"refunded"`
	Refunds         []RefundView       `json:"refunds,omitempty"`
	Clawbacks       []ClawbackView     `json:"clawbacks,omitempty"`
	DebtNetted      []DebtNettingView  `json:"debt_netted,omitempty"`
	LastError       *StepError         `json:"last_error,omitempty"`
	Timeline        []Event            `json:"timeline,omitempty"`
}

// ClawbackView is what one receiver gave back for one refund after sharing.
type ClawbackView struct {
	RefundNo   string       `json:"refund_no"`
	ReceiverID string       `json:"receiver_id"`
	Type       string       `json:"type"`
	Amount     money.Amount `json:"amount"`
	Status     string       `json:"status"`
	ReturnNo   string       `json:"return_no,omitempty"`
	Attempts   int          `json:"attempts,omitempty"`
}

// DebtNettingView is a person's earlier debt withheld from its share on this sub-order.
type DebtNettingView struct {
	ReceiverID string       `json:"receiver_id"`
	NettingID  string       `json:"netting_id"`
	Amount     money.Amount `json:"amount"`
}

type OrderView struct {
	Stale      bool                    `json:"stale,omitempty"` // no worker answered: the read model's last view
	OrderNo    string                  `json:"order_no"`
	Channel    string                  `json:"channel"`
	Status     string                  `json:"status"`
	WaitingFor string                  `json:"waiting_for,omitempty"`
	Total      money.Amount            `json:"total"`
	Payment    workflows.PaymentParams `json:"payment"`
	ExpireAt   time.Time               `json:"expire_at"`
	PaidAt     *time.Time              `json:"paid_at,omitempty"`
	PaidBy     string                  `json:"paid_by,omitempty"`
	SubOrders  []SubOrderView          `json:"sub_orders"`
	LastError  *StepError              `json:"last_error,omitempty"`
	Timeline   []Event                 `json:"timeline"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func stepErrorOf(e *workflows.StepError) *StepError {
	if e == nil {
		return nil
	}
	return &StepError{Step: e.Step, Type: e.Type, Message: e.Message, At: e.At}
}

func timelineOf(es []workflows.Event) []Event {
	out := make([]Event, len(es))
	for i, e := range es {
		out[i] = Event{At: e.At, What: e.What}
	}
	return out
}

func subOrderViewOf(st workflows.SubOrderState) SubOrderView {
	v := SubOrderView{
		N:             st.N,
		SubOrderNo:    st.Ref.SubOrderNo,
		MerchantID:    st.Ref.MerchantID,
		Status:        st.Status,
		WaitingFor:    st.WaitingFor,
		Amount:        st.Amount,
		Subsidy:       st.Subsidy,
		TransactionID: st.Ref.TransactionID,
		ConfirmedBy:   st.ConfirmedBy,
		ConfirmedAt: timePtr(
			st.ConfirmedAt,
		),
		ConfirmDeadline: timePtr(st.ConfirmDeadline),
		FinishDeadline:  timePtr(st.FinishDeadline),
		Shared:          st.Shared,
		Settled:         st.Settled,
		LastError:       stepErrorOf(st.LastError),
		Timeline:        timelineOf(st.Timeline),
		Refunded:        st.Refunded,
	}
	for _, r := range st.Refunds {
		v.Refunds = append(v.Refunds, refundViewOf(r))
	}
	for _, c := range st.Clawbacks {
		v.Clawbacks = append(
			v.Clawbacks,
			ClawbackView{RefundNo: c.RefundNo, ReceiverID: c.ReceiverID, Type: c.Type, Amount: c.Amount,
				Status: c.Status, ReturnNo: c.ReturnNo, Attempts: c.Attempts},
		)
	}
	for _, n := range st.Nettings {
		v.DebtNetted = append(
			v.DebtNetted,
			DebtNettingView{ReceiverID: n.ReceiverID, NettingID: n.NettingID, Amount: n.Amount},
		)
	}
	for _, b := range st.Batches {
		bv := SharingBatchView{OutOrderNo: b.OutOrderNo, Status: b.Status}
		for _, s := range b.Shares {
			bv.Shares = append(bv.Shares, ShareView{ReceiverID: s.ReceiverID, Role: s.Role, Amount: s.Amount})
		}
		for _, f := range b.Failed {
			bv.Failed = append(bv.Failed, FailedShare{Account: f.Account, Amount: f.Amount, FailReason: f.FailReason})
		}
		v.Batches = append(v.Batches, bv)
	}
	return v
}

func orderViewOf(d starter.OrderDetail) OrderView {
	v := OrderView{
		OrderNo:    d.OrderNo,
		Channel:    d.Channel,
		Status:     d.Status,
		WaitingFor: d.WaitingFor,
		Total:      d.Total,
		Payment:    d.Params,
		ExpireAt:   d.ExpireAt,
		PaidAt:     timePtr(d.PaidAt),
		PaidBy:     d.PaidBy,
		LastError:  stepErrorOf(d.LastError),
		Timeline:   timelineOf(d.Timeline),
		SubOrders:  []SubOrderView{},
		Stale:      d.Stale,
	}
	for i, s := range d.SubOrders {
		if i < len(d.SubOrderStates) && d.SubOrderStates[i].Ref.SubOrderNo != "" {
			v.SubOrders = append(v.SubOrders, subOrderViewOf(d.SubOrderStates[i]))
			continue
		}
		v.SubOrders = append(
			v.SubOrders,
			SubOrderView{N: s.N, SubOrderNo: s.SubOrderNo, MerchantID: s.MerchantID, Status: s.Status,
				Amount: s.Amount, Subsidy: s.Subsidy, TransactionID: s.TransactionID},
		)
	}
	if len(v.SubOrders) > 0 && v.SubOrders[0].Status == "" {
		for i := range v.SubOrders {
			v.SubOrders[i].Status = d.Status
		}
	}
	return v
}

type OrderRow struct {
	OrderNo     string       `json:"order_no"`
	Channel     string       `json:"channel"`
	Status      string       `json:"status"`
	Total       money.Amount `json:"total"`
	Paid        money.Amount `json:"paid"`
	Refunded    money.Amount `json:"refunded"`
	MerchantIDs []string     `json:"merchant_ids"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	PaidAt      *time.Time   `json:"paid_at,omitempty"`
	CompletedAt *time.Time   `json:"completed_at,omitempty"`
}

func orderRowOf(o registry.OrderRow) OrderRow {
	return OrderRow{
		OrderNo:     o.OrderNo,
		Channel:     o.Channel,
		Status:      o.Status,
		Total:       o.TotalAmount,
		Paid:        o.PaidAmount,
		Refunded:    o.RefundedAmount,
		MerchantIDs: o.MerchantIDs,
		CreatedAt:   o.CreatedAt,
		UpdatedAt:   o.UpdatedAt,
		PaidAt:      o.PaidAt,
		CompletedAt: o.CompletedAt,
	}
}

type MerchantView struct {
	ID            string `json:"id"`
	Channel       string `json:"channel"`
	SubMchID      string `json:"sub_mchid"`
	SettleAccount string `json:"settle_account,omitempty"`
	Status        string `json:"status"`
	DisplayName   string `json:"display_name"`
}

func merchantViewOf(m registry.Merchant) MerchantView {
	return MerchantView{
		ID:            m.ID,
		Channel:       m.Channel,
		SubMchID:      m.SubMchID,
		SettleAccount: m.SettleAccount,
		Status:        m.Status,
		DisplayName:   m.DisplayName,
	}
}

type ReceiverView struct {
	ID         string `json:"id"`
	Channel    string `json:"channel"`
	Type       string `json:"type"`
	Account    string `json:"account"`
	Relation   string `json:"relation"`
	NameMasked string `json:"name_masked"`
	Status     string `json:"status"`
}

func receiverViewOf(r registry.Receiver) ReceiverView {
	return ReceiverView{
		ID:         r.ID,
		Channel:    r.Channel,
		Type:       r.Type,
		Account:    r.Account,
		Relation:   r.Relation,
		NameMasked: r.Name,
		Status:     r.Status,
	}
}

// RefundView is a refund as the API shows it.
type RefundView struct {
	RefundNo      string       `json:"refund_no"`
	OutRefundNo   string       `json:"out_refund_no"`
	Status        string       `json:"status"`
	BuyerRefund   money.Amount `json:"buyer_refund"`
	SubsidyReturn money.Amount `json:"subsidy_return"`
	RefundID      string       `json:"refund_id,omitempty"`
	FundsSource   string       `json:"funds_source,omitempty"` // FROZEN or AVAILABLE
	RequestedAt   time.Time    `json:"requested_at"`
	CompletedAt   *time.Time   `json:"completed_at,omitempty"`
	LastError     *StepError   `json:"last_error,omitempty"`
}

func refundViewOf(r workflows.RefundState) RefundView {
	return RefundView{
		RefundNo:      r.RefundNo,
		OutRefundNo:   r.OutRefundNo,
		Status:        r.Status,
		BuyerRefund:   r.BuyerRefund,
		SubsidyReturn: r.SubsidyReturn,
		RefundID:      r.RefundID,
		FundsSource:   r.From,
		RequestedAt:   r.RequestedAt,
		CompletedAt:   timePtr(r.CompletedAt),
		LastError:     stepErrorOf(r.LastError),
	}
}
