// Package bench drives N orders through the whole lifecycle on a running stack and measures them against a
// floor: a bare workflow that runs the same number of no-op activities on the same Temporal server. What it
// prints is what `splitpay bench` reports; nothing here is asserted, so a busy machine cannot make a test flaky.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// Settings make the lifecycle's waits negligible: the bench measures our machinery, not the calendar.
var Settings = workflows.OrderSettings{
	PaymentWindow:    10 * time.Minute,
	QueryAfter:       5 * time.Minute,
	AutoConfirmAfter: time.Millisecond,
	SharePollFirst:   50 * time.Millisecond,
	SharePollMax:     time.Second,
}

// Options size a run.
type Options struct {
	Orders      int
	Concurrency int
	Prefix      string // order numbers start with it (unique per run)
	Channel     string // channels.WeChatPay (default) or channels.Alipay
}

// Result is what one run measured.
type Result struct {
	Channel              string
	Orders               int
	Elapsed              time.Duration
	Create               []time.Duration // Update-With-Start through the HTTP API
	NotifyToPaid         []time.Duration // notification sent → the workflow accepts the payment
	HistoryEvents        float64         // per order: the order's history and its sub-orders'
	Actions              float64         // per order: Temporal actions, as Temporal Cloud bills them (billable)
	Activities           float64         // per order
	FloorElapsed         time.Duration
	FloorLatency         []time.Duration // start → completed, per bare workflow
	FloorHistoryEvents   float64
	FloorActions         float64
	OrdersPerSecond      float64
	FloorPerSecond       float64
	OrderLatency         []time.Duration // create → completed
	FloorActivityPerFlow int
}

// Run registers the parties, runs the orders, then the floor, on st.
func Run(ctx context.Context, st *stack.Stack, tc client.Client, o Options) (Result, error) {
	if o.Channel == "" {
		o.Channel = channels.WeChatPay
	}
	r := Result{Orders: o.Orders, Channel: o.Channel}
	c := st.Client()
	ch := channelOf(st, o.Channel)
	if err := ch.setup(ctx, c); err != nil {
		return r, err
	}
	type one struct {
		create, notify, total time.Duration
		err                   error
	}
	results := make([]one, o.Orders)
	r.Elapsed = inParallel(o, func(i int) {
		x := &results[i]
		x.create, x.notify, x.total, x.err = ch.runOrder(ctx, c, tc, fmt.Sprintf("%s%05d", o.Prefix, i))
	})
	for _, x := range results {
		if x.err != nil {
			return r, x.err
		}
		r.Create = append(r.Create, x.create)
		r.NotifyToPaid = append(r.NotifyToPaid, x.notify)
		r.OrderLatency = append(r.OrderLatency, x.total)
	}
	r.OrdersPerSecond = float64(o.Orders) / r.Elapsed.Seconds()
	if err := measureShape(ctx, tc, o, &r); err != nil {
		return r, err
	}
	return r, runFloor(ctx, tc, o, &r)
}

// measureShape averages the history events and activities of the first orders' workflows (the order and its
// two sub-orders).
func measureShape(ctx context.Context, tc client.Client, o Options, r *Result) error {
	sample := min(o.Orders, 10)
	for i := range sample {
		no := fmt.Sprintf("%s%05d", o.Prefix, i)
		ids := []string{
			workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 1),
			workflows.SubOrderWorkflowID(no, 2),
		}
		for _, id := range ids {
			s, err := historyShape(ctx, tc, id)
			if err != nil {
				return err
			}
			r.HistoryEvents += float64(s.events) / float64(sample)
			r.Activities += float64(s.activities) / float64(sample)
			r.Actions += float64(s.actions) / float64(sample)
		}
	}
	r.FloorActivityPerFlow = int(r.Activities + 0.5)
	return nil
}

// channel is how the bench sells on one channel: its shops and receivers, and how a buyer pays there.
type channel struct {
	name      string
	merchants []registry.MerchantRequest
	receivers []registry.ReceiverRequest
	subsidy   money.Amount // on the first shop's sub-order: a platform coupon, where the channel pays subsidies
	scene     string
	pay       func(orderNo string) error
}

// channelOf answers the bench's parties on a channel of st. The same ids on both channels: one platform, two
// shops, two distributor levels and a supplier.
func channelOf(st *stack.Stack, name string) channel {
	if name == channels.Alipay {
		return channel{name: name, scene: channels.SceneAlipayPage, pay: st.AliSim.Pay,
			merchants: []registry.MerchantRequest{
				{ID: "bench-a", SubMchID: "2088000000301001", SettleAccount: "2088000000302001", DisplayName: "Bench A"},
				{ID: "bench-b", SubMchID: "2088000000301002", SettleAccount: "2088000000302002", DisplayName: "Bench B"},
			},
			receivers: receivers(stack.SimAlipayPlatform, "2088000000303001", "2088000000303002", "2088000000303003")}
	}
	for _, id := range []string{"1900000301", "1900000302"} {
		st.Sim.AddSubMerchant(id)
	}
	return channel{name: name, subsidy: 2000, pay: st.Sim.Pay,
		merchants: []registry.MerchantRequest{
			{ID: "bench-a", SubMchID: "1900000301", DisplayName: "Bench A"},
			{ID: "bench-b", SubMchID: "1900000302", DisplayName: "Bench B"},
		},
		receivers: receivers(stack.SimSpMchID, "o-bench-l1", "o-bench-l2", "1900000399")}
}

func receivers(platform, l1, l2, supplier string) []registry.ReceiverRequest {
	return []registry.ReceiverRequest{
		{ID: "platform", Type: channels.ReceiverMerchant, Account: platform, Name: "Platform", Relation: "PLATFORM"},
		{ID: "bench-l1", Type: channels.ReceiverPersonal, Account: l1, Name: "甲乙", Relation: "DISTRIBUTOR"},
		{ID: "bench-l2", Type: channels.ReceiverPersonal, Account: l2, Name: "丙丁", Relation: "DISTRIBUTOR"},
		{ID: "bench-supplier", Type: channels.ReceiverMerchant, Account: supplier, Name: "Supplier", Relation: "SUPPLIER"},
	}
}

func (ch channel) setup(ctx context.Context, c *api.Client) error {
	for _, m := range ch.merchants {
		m.Channel = ch.name
		if err := c.Do(ctx, http.MethodPost, "/v1/merchants", "", m, nil); err != nil {
			return err
		}
	}
	for _, rc := range ch.receivers {
		rc.Channel = ch.name
		if err := c.Do(ctx, http.MethodPost, "/v1/receivers", "", rc, nil); err != nil {
			return err
		}
	}
	return nil
}

// runOrder creates one two-shop order (four receivers on one, two on the other; a subsidy where the channel
// pays one), pays it, and waits for the order's workflow to complete (a long poll on its result, so measuring
// puts no query load on the worker).
func (ch channel) runOrder(
	ctx context.Context,
	c *api.Client,
	tc client.Client,
	no string,
) (create, notify, total time.Duration, err error) {
	all := []cart.CommissionRequest{{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "bench-l1", Rate: "0.10"},
		{ReceiverID: "bench-l2", Rate: "0.05"}, {ReceiverID: "bench-supplier", Rate: "0.03"}}
	req := starter.CreateOrderRequest{OrderNo: no, Channel: ch.name, Scene: ch.scene, SubOrders: []cart.SubOrderRequest{
		{MerchantID: "bench-a", Description: "tea", Amount: 20000 - ch.subsidy, Subsidy: ch.subsidy, Commissions: all},
		{MerchantID: "bench-b", Description: "cups", Amount: 8800, Commissions: all[:2]},
	}}
	t0 := time.Now()
	if err := c.Do(ctx, http.MethodPost, "/v1/orders", "", req, nil); err != nil {
		return 0, 0, 0, fmt.Errorf("create %s: %w", no, err)
	}
	create = time.Since(t0)
	if err := ch.pay(no); err != nil {
		return 0, 0, 0, err
	}
	sent := time.Now() // the simulator posts the notification right after Pay returns
	var res workflows.OrderResult
	if err := tc.GetWorkflow(ctx, workflows.OrderWorkflowID(no), "").Get(ctx, &res); err != nil {
		return 0, 0, 0, fmt.Errorf("order %s: %w", no, err)
	}
	total = time.Since(t0)
	var v api.OrderView
	if err := c.Do(ctx, http.MethodGet, "/v1/orders/"+no, "", nil, &v); err != nil {
		return 0, 0, 0, err
	}
	if res.Status != workflows.StatusCompleted || v.PaidAt == nil {
		return 0, 0, 0, fmt.Errorf("order %s ended %s", no, res.Status)
	}
	return create, max(v.PaidAt.Sub(sent), 0), total, nil
}

// shape is what a workflow's history costs: its events, the activities it scheduled, and its Temporal actions
// as Temporal Cloud bills them (billable below).
type shape struct{ events, activities, actions int }

// billable answers the actions an event is billed as: the workflow's start, each activity attempt, a signal,
// an update, a timer, a search-attribute or memo upsert, a marker (versions, local activities, side effects).
// Queries are billed too but leave no event, so they are not counted here.
func billable(ev *historypb.HistoryEvent) int {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		return int(max(ev.GetActivityTaskStartedEventAttributes().GetAttempt(), 1))
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
		enumspb.EVENT_TYPE_MARKER_RECORDED:
		return 1
	}
	return 0
}

// historyShape reads a workflow's history and answers its shape.
func historyShape(ctx context.Context, tc client.Client, id string) (shape, error) {
	var s shape
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return shape{}, err
		}
		s.events++
		s.actions += billable(ev)
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			s.activities++
		}
	}
	return s, nil
}

// Floor is the bare workflow: n no-op activities one after another.
func Floor(ctx workflow.Context, n int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}})
	for range n {
		if err := workflow.ExecuteActivity(ctx, Noop).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// Noop does nothing.
func Noop(context.Context) error { return nil }

func runFloor(ctx context.Context, tc client.Client, o Options, r *Result) error {
	queue := "bench-floor-" + o.Prefix
	w := sdkworker.New(tc, queue, sdkworker.Options{})
	w.RegisterWorkflow(Floor)
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	lat := make([]time.Duration, o.Orders)
	errs := make([]error, o.Orders)
	r.FloorElapsed = inParallel(o, func(i int) {
		t0 := time.Now()
		opts := client.StartWorkflowOptions{ID: fmt.Sprintf("bench-floor/%s/%d", o.Prefix, i), TaskQueue: queue}
		run, err := tc.ExecuteWorkflow(ctx, opts, Floor, r.FloorActivityPerFlow)
		if err == nil {
			err = run.Get(ctx, nil)
		}
		lat[i], errs[i] = time.Since(t0), err
	})
	r.FloorLatency = lat
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	r.FloorPerSecond = float64(o.Orders) / r.FloorElapsed.Seconds()
	s, err := historyShape(ctx, tc, fmt.Sprintf("bench-floor/%s/0", o.Prefix))
	r.FloorHistoryEvents, r.FloorActions = float64(s.events), float64(s.actions)
	return err
}

// Percentile is the p-th percentile (0..100) by nearest rank.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Print writes the report.
func (r Result) Print(w io.Writer) {
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	latency := func(name string, ds []time.Duration) {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
		line("  %-30s p50 %s   p99 %s", name, ms(Percentile(ds, 50)), ms(Percentile(ds, 99)))
	}
	line("%s: %d orders (2 sub-orders each: create, pay, notify, receipt, subsidy or settle confirm, share, "+
		"finish, ledger) in %s", r.Channel, r.Orders, r.Elapsed.Round(time.Millisecond))
	line("  %-30s %8.1f", "orders/s", r.OrdersPerSecond)
	latency("create (Update-With-Start)", r.Create)
	latency("notification → paid", r.NotifyToPaid)
	latency("create → completed", r.OrderLatency)
	line("  %-30s %8.1f (order + 2 sub-orders; %.1f activities; target ≤ 120)", "history events per order",
		r.HistoryEvents, r.Activities)
	line("  %-30s %8.1f (as Temporal Cloud bills them; target ≤ 30)", "Temporal actions per order", r.Actions)
	line("floor: %d bare workflows of %d no-op activities each, same concurrency, in %s",
		r.Orders, r.FloorActivityPerFlow, r.FloorElapsed.Round(time.Millisecond))
	line("  %-30s %8.1f", "workflows/s", r.FloorPerSecond)
	latency("start → completed", r.FloorLatency)
	line("  %-30s %8.1f", "history events per workflow", r.FloorHistoryEvents)
	line("  %-30s %8.1f", "Temporal actions per workflow", r.FloorActions)
	line("ours / floor: throughput %.2f, latency p50 %.2f, history events %.2f",
		r.OrdersPerSecond/r.FloorPerSecond,
		float64(Percentile(r.OrderLatency, 50))/float64(Percentile(r.FloorLatency, 50)),
		r.HistoryEvents/r.FloorHistoryEvents)
}

// inParallel runs do(0..Orders-1) on Concurrency goroutines and answers how long they all took.
func inParallel(o Options, do func(i int)) time.Duration {
	jobs := make(chan int)
	var wg sync.WaitGroup
	began := time.Now()
	for range max(1, o.Concurrency) {
		wg.Go(func() {
			for i := range jobs {
				do(i)
			}
		})
	}
	for i := range o.Orders {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return time.Since(began)
}
