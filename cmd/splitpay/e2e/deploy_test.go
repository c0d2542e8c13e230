package e2e

import (
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/worker"
	"github.com/splitpay/splitpay/workflows"
)

// A gray release with Worker Deployment Versioning: build A runs and is current; an order starts on it and waits
// for the shop. Build B starts beside it and becomes current. A new order runs on B, while the first — pinned to A,
// its sub-orders with it — finishes on A once the shop confirms.
func TestGrayReleaseKeepsOrdersOnTheirBuild(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter = time.Hour // the first order waits for its receipt across the release
	deployment := "e2e-" + testenv.RandomID()
	h := startWith(t, settings, nil, worker.Deployment{Name: deployment, BuildID: "A"})
	setCurrent(t, h, deployment, "A")
	old := h.orderNo(1)
	h.paidCart(old)
	h.waitFor(old, 60*time.Second, "awaiting receipt", awaitingReceipt)

	stopB, err := h.s.StartBuild("B")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopB)
	setCurrent(t, h, deployment, "B")
	fresh := h.orderNo(2)
	h.paidCart(fresh)
	h.waitFor(fresh, 60*time.Second, "awaiting receipt", awaitingReceipt)
	for n := 1; n <= 2; n++ {
		h.post("/v1/orders/"+old+"/sub-orders/"+strconv.Itoa(n)+"/receipt", starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}, nil)
	}
	h.waitFor(old, 60*time.Second, "completed", completed)
	for id, want := range map[string]string{
		workflows.OrderWorkflowID(old): "A", workflows.SubOrderWorkflowID(old, 1): "A",
		workflows.OrderWorkflowID(fresh): "B", workflows.SubOrderWorkflowID(fresh, 2): "B",
	} {
		if got := buildOf(t, h.s.Starter.Temporal, id); got != want {
			t.Errorf("%s ran on build %q, want %q", id, got, want)
		}
	}
	if v := h.order(fresh); v.Status == workflows.StatusNeedsAttention {
		t.Errorf("the new order on build B: %+v", v)
	}
}

// setCurrent makes build the deployment's current version, once its worker has registered it.
func setCurrent(t *testing.T, h *harness, deployment, build string) {
	t.Helper()
	d := h.s.Starter.Temporal.WorkerDeploymentClient().GetHandle(deployment)
	var err error
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if _, err = d.SetCurrentVersion(t.Context(), client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build}); err == nil {
			return
		}
	}
	t.Fatalf("set %s current in %s: %v", build, deployment, err)
}

// buildOf is the build a workflow is pinned to.
func buildOf(t *testing.T, c client.Client, id string) string {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(t.Context(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	info := d.GetWorkflowExecutionInfo().GetVersioningInfo()
	if v := info.GetDeploymentVersion(); v != nil {
		return v.GetBuildId()
	}
	return info.GetVersion()
}
