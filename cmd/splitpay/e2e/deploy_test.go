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
// for the shop. Build B starts beside it, takes half of the new orders while it ramps, then becomes current. A new
// order runs on B, while the first — pinned to A, its sub-orders with it — finishes on A once the shop confirms.
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
	rampingShare(t, h, deployment, "B")
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

// rampingShare ramps build at 50 %: of 16 new orders, each pinned to the build that took it, both builds take some
// (the server routes by a hash of the workflow id, and these ids are new each run: all 16 on one build would
// happen once in 30,000 runs).
func rampingShare(t *testing.T, h *harness, deployment, build string) {
	t.Helper()
	d := h.s.Starter.Temporal.WorkerDeploymentClient().GetHandle(deployment)
	untilAccepted(t, "ramp "+build+" in "+deployment, func() error {
		_, err := d.SetRampingVersion(t.Context(), client.WorkerDeploymentSetRampingVersionOptions{BuildID: build,
			Percentage: 50})
		return err
	})
	took := map[string]int{}
	for i := 0; i < 16; i++ {
		no := h.orderNo(100 + i)
		h.create(h.cart(no))
		took[buildOf(t, h.s.Starter.Temporal, workflows.OrderWorkflowID(no))]++
	}
	if len(took) != 2 || took[build] == 0 {
		t.Errorf("with %s ramping at 50 %%, 16 new orders went to %v", build, took)
	}
	t.Logf("with %s ramping at 50 %%, 16 new orders went to %v", build, took)
}

// setCurrent makes build the deployment's current version.
func setCurrent(t *testing.T, h *harness, deployment, build string) {
	t.Helper()
	d := h.s.Starter.Temporal.WorkerDeploymentClient().GetHandle(deployment)
	untilAccepted(t, "set "+build+" current in "+deployment, func() error {
		_, err := d.SetCurrentVersion(t.Context(), client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build})
		return err
	})
}

// untilAccepted retries a deployment change until it is accepted: a build's version exists once its worker has polled.
func untilAccepted(t *testing.T, what string, change func() error) {
	t.Helper()
	var err error
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if err = change(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
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
