package e2e

import (
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// A settlement call runs as a local activity first ("local-settlement"). When the channel keeps failing it, the
// call is scheduled as an activity after its quick tries, so ops see it pending with its attempts; once the
// channel recovers, the order completes and the ledger equals the channel.
func TestSettlementCallInTroubleIsScheduledVisibly(t *testing.T) {
	h, no := startAwaitingReceipt(t)
	h.s.Sim.SetFaults(wxsim.Faults{SystemErrorRate: map[string]float64{"/v3/ecommerce/profitsharing/orders": 1}})
	for n := 1; n <= 2; n++ {
		h.post("/v1/orders/"+no+"/sub-orders/"+string(rune('0'+n))+"/receipt",
			starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}, nil)
	}
	id := workflows.SubOrderWorkflowID(no, 2)
	var attempts int32
	for end := time.Now().Add(30 * time.Second); attempts < 2 && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		d, err := h.s.Starter.Temporal.DescribeWorkflowExecution(t.Context(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.GetPendingActivities() {
			if p.GetActivityType().GetName() == workflows.ActivityShare.Name {
				attempts = p.GetAttempt()
			}
		}
	}
	if attempts < 2 {
		t.Fatalf("%s: the failing sharing request is not a pending activity retried in view (attempt %d)", id, attempts)
	}
	h.s.Sim.SetFaults(wxsim.Faults{})
	h.waitFor(no, 60*time.Second, "completed", completed)
	h.ledgerMatchesChannel(no)
	h.saveHistories("share-in-trouble", id)
}
