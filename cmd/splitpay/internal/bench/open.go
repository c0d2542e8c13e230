package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// OpenSettings keep every sub-order waiting for the shop's receipt (a day, far longer than the soak), then let
// it settle at once when the receipt comes.
var OpenSettings = func() workflows.OrderSettings {
	s := Settings
	s.AutoConfirmAfter = 24 * time.Hour
	return s
}()

// OpenResult is what a soak measured: sub-orders held open, the memory that took, and the drain after a mass
// receipt confirmation.
type OpenResult struct {
	SubOrders  int
	Cache      int           // the worker's sticky workflow cache, in workflows
	Fill       time.Duration // creating and paying the orders until every sub-order waits
	ProcessRSS uint64        // this process: the worker, and the API and simulators beside it
	HeapInuse  uint64        // its Go heap in use after a GC
	ServerRSS  uint64        // the Temporal dev server (0: not found)
	Drain      time.Duration // the mass confirmation until every order completed
}

// RunOpen creates subOrders/2 two-shop orders on st (whose settings are OpenSettings), pays them, waits until
// every sub-order waits for receipt, measures memory, then confirms every receipt and waits for every order.
func RunOpen(ctx context.Context, st *stack.Stack, tc client.Client, o Options, cache int) (OpenResult, error) {
	r := OpenResult{SubOrders: o.Orders / 2 * 2, Cache: cache}
	orders := Options{Orders: r.SubOrders / 2, Concurrency: o.Concurrency}
	c := st.Client()
	ch := channelOf(st, channels.WeChatPay)
	if err := ch.setup(ctx, c); err != nil {
		return r, err
	}
	no := func(i int) string { return fmt.Sprintf("%s%05d", o.Prefix, i) }
	errs := make([]error, orders.Orders)
	began := time.Now()
	inParallel(orders, func(i int) { errs[i] = ch.placeAndPay(ctx, c, no(i)) })
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	if err := awaitWaiting(ctx, tc, st.TaskQueue(), r.SubOrders); err != nil {
		return r, err
	}
	r.Fill = time.Since(began)
	r.ProcessRSS, r.HeapInuse, r.ServerRSS = measureMemory()
	t0 := time.Now()
	inParallel(Options{Orders: r.SubOrders, Concurrency: o.Concurrency}, func(i int) {
		path := fmt.Sprintf("/v1/orders/%s/sub-orders/%d/receipt", no(i/2), i%2+1)
		errs[i/2] = errors.Join(errs[i/2], again(func() error {
			return c.Do(ctx, http.MethodPost, path, "", starter.ConfirmReceiptRequest{ConfirmedBy: "bench"}, nil)
		}))
	})
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	inParallel(orders, func(i int) {
		errs[i] = tc.GetWorkflow(ctx, workflows.OrderWorkflowID(no(i)), "").Get(ctx, nil)
	})
	r.Drain = time.Since(t0)
	return r, errors.Join(errs...)
}

// placeAndPay creates one order and pays it, without waiting for what follows. A create that fails is asked
// again, as a client would: the order number makes it the same order.
func (ch channel) placeAndPay(ctx context.Context, c *api.Client, no string) error {
	if err := again(func() error { return c.Do(ctx, http.MethodPost, "/v1/orders", "", ch.order(no), nil) }); err != nil {
		return fmt.Errorf("create %s: %w", no, err)
	}
	return ch.pay(no)
}

// again runs call up to three times, a second apart, until it succeeds (the dev server stalls now and then).
func again(call func() error) error {
	err := call()
	for try := 1; err != nil && try < 3; try++ {
		time.Sleep(time.Second)
		err = call()
	}
	return err
}

// awaitWaiting polls visibility until n sub-orders on the task queue wait for receipt (bounded: 30 minutes).
func awaitWaiting(ctx context.Context, tc client.Client, queue string, n int) error {
	q := fmt.Sprintf("WorkflowType = 'SubOrder' AND TaskQueue = '%s' AND %s = '%s' AND ExecutionStatus = 'Running'",
		queue, workflows.AttrStatus.GetName(), workflows.StatusAwaitingReceipt)
	for deadline := time.Now().Add(30 * time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		resp, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err != nil {
			return err
		}
		if resp.GetCount() >= int64(n) {
			return nil
		}
	}
	return fmt.Errorf("bench: fewer than %d sub-orders waiting for receipt after 30 minutes", n)
}

// measureMemory answers this process's RSS and Go heap in use after a GC, and the Temporal dev server's RSS.
func measureMemory() (rss, heap, server uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss = statusKB("/proc/self/status") * 1024
	if pid := devServerPID(); pid != "" {
		server = statusKB("/proc/"+pid+"/status") * 1024
	}
	return rss, m.HeapInuse, server
}

// statusKB reads VmRSS from a /proc status file.
func statusKB(path string) uint64 {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb
		}
	}
	return 0
}

// devServerPID finds the Temporal CLI's dev server among this machine's processes.
func devServerPID() string {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		cmd, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err == nil && strings.Contains(string(cmd), "start-dev") && strings.Contains(string(cmd), "temporal") {
			return d.Name()
		}
	}
	return ""
}

// Print writes the soak's report.
func (r OpenResult) Print(w io.Writer) {
	mb := func(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }
	fmt.Fprintf(w, "open orders: %d sub-orders waiting for receipt (sticky cache %d workflows), filled in %s\n",
		r.SubOrders, r.Cache, r.Fill.Round(time.Second))
	fmt.Fprintf(w, "  %-30s %s (Go heap in use %s; target ≤ 300 MB)\n", "this process's RSS", mb(r.ProcessRSS),
		mb(r.HeapInuse))
	fmt.Fprintf(w, "  %-30s %s\n", "Temporal dev server's RSS", mb(r.ServerRSS))
	fmt.Fprintf(w, "  %-30s %s (%.0f sub-orders/s)\n", "receipt for all → all completed", r.Drain.Round(time.Second),
		float64(r.SubOrders)/r.Drain.Seconds())
}
