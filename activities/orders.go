package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// SaveOrderView writes the orders read model; an older revision never overwrites a newer one.
func (a *Activities) SaveOrderView(ctx context.Context, in workflows.OrderViewInput) error {
	_, err := a.Ledger.SaveOrder(ctx, ledger.OrderView{OrderNo: in.OrderNo, Channel: in.Channel, Status: in.Status,
		TotalAmount: in.Total, PaidAmount: in.Paid, MerchantIDs: in.MerchantIDs, Revision: in.Revision,
		PaidAt: in.PaidAt, CompletedAt: in.CompletedAt})
	return forTemporal(err)
}

// CheckConservation checks SPEC's per-sub-order equation on the ledger's postings: paid + subsidy = refunded +
// shared − clawed back + settled + subsidy returned. A failure is non-retryable: ops must look.
func (a *Activities) CheckConservation(ctx context.Context, ref workflows.SubOrderRef) error {
	t, err := a.Ledger.SubOrderTotals(ctx, ref.OrderNo, ref.SubOrderNo)
	if err != nil {
		return err
	}
	if err := t.Conserved(); err != nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("sub-order %s: %v", ref.SubOrderNo, err), workflows.ErrTypeNotConserved, err)
	}
	return nil
}
