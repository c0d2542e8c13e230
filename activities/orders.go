package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// SaveOrderView writes the orders read model; an older revision never overwrites a newer one.
func (a *Activities) SaveOrderView(ctx context.Context, in workflows.OrderViewInput) (workflows.Done, error) {
	_, err := a.Ledger.SaveOrder(ctx, ledger.OrderView{OrderNo: in.OrderNo, Channel: in.Channel, Status: in.Status,
		TotalAmount: in.Total, PaidAmount: in.Paid, MerchantIDs: in.MerchantIDs, Revision: in.Revision,
		PaidAt: in.PaidAt, CompletedAt: in.CompletedAt})
	for _, kind := range orderEventsOf(in) {
		if err != nil {
			break
		}
		err = a.publish(ctx, webhooks.Event{ID: kind + ":" + in.OrderNo, Type: kind, Subject: in.OrderNo,
			Data: map[string]any{"order_no": in.OrderNo, "channel": in.Channel, "status": in.Status,
				"total": int64(in.Total), "paid": int64(in.Paid), "merchant_ids": in.MerchantIDs}})
	}
	return workflows.Done{}, forTemporal(err)
}

// orderEventsOf answers the events a revision of an order's read model publishes: order.created with its first
// revision, whatever status the order shows then (CREATED, or already AWAITING_PAYMENT or RISK_REVIEW once its
// workflow writes the view only when the order is placed), and its status's event.
func orderEventsOf(in workflows.OrderViewInput) []string {
	var kinds []string
	if in.Revision == 1 {
		kinds = append(kinds, webhooks.OrderCreated)
	}
	if kind, ok := orderEvents[in.Status]; ok {
		kinds = append(kinds, kind)
	}
	return kinds
}

// orderEvents are the events an order's status changes publish, as its read model records them.
var orderEvents = map[string]string{
	workflows.StatusPaid:      webhooks.OrderPaid,
	workflows.StatusCompleted: webhooks.OrderCompleted,
	workflows.StatusClosed:    webhooks.OrderClosed,
}

// CheckFrozen compares what the ledger holds frozen for a sub-order with the channel's unsplit amount, before
// an irreversible step (a refund, finish) moves money on the strength of it. A difference is non-retryable:
// the books disagree with the channel, and ops must look before money moves.
func (a *Activities) CheckFrozen(ctx context.Context, ref workflows.SubOrderRef) (workflows.FrozenCheck, error) {
	ch, err := a.channel(ref.Channel)
	if err != nil {
		return workflows.FrozenCheck{}, err
	}
	unsplit, err := ch.UnsplitAmount(ctx, ref.TransactionID)
	if err != nil {
		return workflows.FrozenCheck{}, forTemporal(err)
	}
	booked, err := a.Ledger.SubOrderFrozen(ctx, orderRef(ref))
	if err != nil {
		return workflows.FrozenCheck{}, err
	}
	if booked != unsplit {
		return workflows.FrozenCheck{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf(
				"sub-order %s: the ledger holds %s frozen, the channel %s unsplit",
				ref.SubOrderNo,
				booked,
				unsplit,
			),
			workflows.ErrTypeNotConserved,
			nil,
		)
	}
	return workflows.FrozenCheck{Unsplit: unsplit}, nil
}

// CheckConservation checks SPEC's per-sub-order equation on the ledger's postings: paid + subsidy = refunded +
// shared − clawed back + settled + subsidy returned. A failure is non-retryable: ops must look.
func (a *Activities) CheckConservation(ctx context.Context, ref workflows.SubOrderRef) (workflows.Done, error) {
	t, err := a.Ledger.SubOrderTotals(ctx, ref.OrderNo, ref.SubOrderNo)
	if err != nil {
		return workflows.Done{}, err
	}
	if err := t.Conserved(); err != nil {
		return workflows.Done{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("sub-order %s: %v", ref.SubOrderNo, err),
			workflows.ErrTypeNotConserved,
			err,
		)
	}
	return workflows.Done{}, nil
}
