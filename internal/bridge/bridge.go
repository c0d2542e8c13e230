// Package bridge converts the channels' states into the workflows' contract types, for the two paths that
// carry them: activities (a query's answer) and the starter (a notification's content).
package bridge

import (
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/workflows"
)

// PaymentStatusOf is the workflows' view of a channel's combined-order state.
func PaymentStatusOf(st channels.CombinedOrderState) workflows.PaymentStatus {
	out := workflows.PaymentStatus{OutTradeNo: st.OutTradeNo}
	for _, s := range st.SubOrders {
		out.SubOrders = append(out.SubOrders, workflows.SubOrderPayment{
			OutTradeNo:    s.OutTradeNo,
			TransactionID: s.TransactionID,
			TradeState:    s.TradeState,
			Amount:        s.Amount,
		})
	}
	return out
}
