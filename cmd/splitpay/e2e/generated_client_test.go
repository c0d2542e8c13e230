package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api/apiclient"
	"github.com/splitpay/splitpay/workflows"
)

// An order's whole lifecycle through the Go client that oapi-codegen generated from api/openapi.json, as a
// Java, PHP or Node backend would drive it through theirs: every request and answer is (de)serialised by the
// document's schemas, so a path, a field or a status code the document gets wrong fails here.
func TestGeneratedClientDrivesAnOrder(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour // both shops confirm through the client
	h := start(t, settings)
	ctx := t.Context()
	c, err := apiclient.NewClientWithResponses(h.s.APIURL, apiclient.WithRequestEditorFn(
		func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+h.s.APIKey)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	no := h.orderNo(1)
	key := "gen-" + no
	created, err := c.CreateOrderWithResponse(ctx, &apiclient.CreateOrderParams{IdempotencyKey: &key}, generatedCart(no))
	if err != nil || created.JSON201 == nil || created.JSON201.Payment.CodeUrl == nil {
		t.Fatalf("create: %v, %d %s", err, created.StatusCode(), created.Body)
	}
	if err := h.s.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	awaitGenerated(t, c, no, "awaiting receipt", func(v apiclient.OrderView) bool {
		return v.SubOrders != nil && len(*v.SubOrders) == 2 && ptr((*v.SubOrders)[0].WaitingFor) == "shop:receipt" &&
			ptr((*v.SubOrders)[1].WaitingFor) == "shop:receipt"
	})
	for n := 1; n <= 2; n++ {
		r, err := c.ConfirmReceiptWithResponse(ctx, no, n, nil, apiclient.ConfirmReceiptRequest{ConfirmedBy: "shop-backend"})
		// 200 with the sub-order's state, or 202 when no worker took it within 5 s (it applies later)
		if err != nil || (r.StatusCode() != http.StatusOK && r.StatusCode() != http.StatusAccepted) {
			t.Fatalf("receipt %d: %v, %d %s", n, err, r.StatusCode(), r.Body)
		}
	}
	v := awaitGenerated(t, c, no, "completed", func(v apiclient.OrderView) bool { return ptr(v.Status) == workflows.StatusCompleted })
	if s := (*v.SubOrders)[0]; ptr(s.Shared) != 4600 || ptr(s.Settled) != 15400 {
		t.Errorf("sub-order 1: shared %d, settled %d", ptr(s.Shared), ptr(s.Settled))
	}
	status := workflows.StatusCompleted
	list, err := c.ListOrdersWithResponse(ctx, &apiclient.ListOrdersParams{Status: &status})
	if err != nil || list.JSON200 == nil || list.JSON200.Orders == nil || len(*list.JSON200.Orders) != 1 {
		t.Fatalf("list: %v, %d %s", err, list.StatusCode(), list.Body)
	}
	bal, err := c.GetMerchantBalanceWithResponse(ctx, "m1", nil)
	if err != nil || bal.JSON200 == nil || ptr(bal.JSON200.LedgerAvailable) != 15400 {
		t.Fatalf("balance: %v, %d %s", err, bal.StatusCode(), bal.Body)
	}
	h.ledgerMatchesChannel(no)
}

func generatedCart(orderNo string) apiclient.CreateOrderRequest {
	all := []apiclient.CommissionRequest{{ReceiverId: "platform", Rate: "0.05"}, {ReceiverId: "d1", Rate: "0.10"},
		{ReceiverId: "d2", Rate: "0.05"}, {ReceiverId: "s1", Rate: "0.03"}}
	two := all[:2]
	amount1, subsidy1, amount2 := int64(19000), int64(1000), int64(8800)
	return apiclient.CreateOrderRequest{OrderNo: orderNo, SubOrders: []apiclient.SubOrderRequest{
		{MerchantId: "m1", Description: "Longjing tea 250g", Amount: &amount1, Subsidy: &subsidy1, Commissions: &all},
		{MerchantId: "m2", Description: "Celadon cups", Amount: &amount2, Commissions: &two},
	}}
}

// awaitGenerated polls the order through the generated client until cond holds; a stale view (no worker
// answered in time) or a 503 is asked again.
func awaitGenerated(t *testing.T, c *apiclient.ClientWithResponses, no, what string, cond func(apiclient.OrderView) bool) apiclient.OrderView {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := c.GetOrderWithResponse(t.Context(), no)
		switch {
		case err == nil && r.JSON200 != nil && !ptr(r.JSON200.Stale) && cond(*r.JSON200):
			return *r.JSON200
		case err == nil && r.StatusCode() != http.StatusOK && r.StatusCode() != http.StatusServiceUnavailable:
			t.Fatalf("GET order %s: %d %s", no, r.StatusCode(), r.Body)
		case time.Now().After(deadline):
			t.Fatalf("order %s: not %s within 60s (%v)", no, what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
