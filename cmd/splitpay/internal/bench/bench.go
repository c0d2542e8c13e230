// Package bench drives N orders through the whole lifecycle on a running stack and measures them against a
// floor: a bare workflow that runs the same number of no-op activities on the same Temporal server. What it
// prints is what `splitpay bench` reports; nothing here is asserted, so a busy machine cannot make a test flaky.
package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

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
	Channel            string
	Orders             int
	Elapsed            time.Duration
	Create             []time.Duration // Update-With-Start through the HTTP API
	NotifyToPaid       []time.Duration // notification sent → the workflow accepts the payment
	HistoryEvents      float64         // per order: the order's history and its sub-orders'
	Actions            float64         // per order: Temporal actions, as Temporal Cloud bills them (billing)
	Activities         float64         // per order
	LocalActivities    float64         // per order
	OrdersPerSecond    float64
	OrderLatency       []time.Duration // create → completed
	Floor              FloorShape
	FloorElapsed       time.Duration
	FloorCreate        []time.Duration // a bare Update-With-Start whose update makes the create call
	FloorLatency       []time.Duration // create → completed, per bare workflow
	FloorHistoryEvents float64
	FloorActions       float64
	FloorActivities    int
	FloorPerSecond     float64
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
	r.Floor = ch.floor
	return r, runFloor(ctx, tc, o, ch.floor, &r)
}

// channel is how the bench sells on one channel: its shops and receivers, and how a buyer pays there.
type channel struct {
	name      string
	merchants []registry.MerchantRequest
	receivers []registry.ReceiverRequest
	subsidy   money.Amount // on the first shop's sub-order: a platform coupon, where the channel pays subsidies
	scene     string
	pay       func(orderNo string) error
	floor     FloorShape // the channel calls its order must make
}

// channelOf answers the bench's parties on a channel of st. The same ids on both channels: one platform, two
// shops, two distributor levels and a supplier.
func channelOf(st *stack.Stack, name string) channel {
	if name == channels.Alipay {
		// Per trade: the settle confirm, the one settle request, the finish.
		return channel{name: name, scene: channels.SceneAlipayPage, pay: st.AliSim.Pay,
			floor: FloorShape{SubOrderCalls: []int{3, 3}},
			merchants: []registry.MerchantRequest{
				{ID: "bench-a", SubMchID: "2088000000301001", SettleAccount: "2088000000302001", DisplayName: "Bench A"},
				{ID: "bench-b", SubMchID: "2088000000301002", SettleAccount: "2088000000302002", DisplayName: "Bench B"},
			},
			receivers: receivers(stack.SimAlipayPlatform, "2088000000303001", "2088000000303002", "2088000000303003")}
	}
	for _, id := range []string{"1900000301", "1900000302"} {
		st.Sim.AddSubMerchant(id)
	}
	// The first sub-order: its subsidy, the one sharing request, the finish; the second: the request, the finish.
	return channel{name: name, subsidy: 2000, pay: st.Sim.Pay, floor: FloorShape{SubOrderCalls: []int{3, 2}},
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

// order is the bench's two-shop order: four receivers on one shop, two on the other; a subsidy where the
// channel pays one.
func (ch channel) order(no string) starter.CreateOrderRequest {
	all := []cart.CommissionRequest{{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "bench-l1", Rate: "0.10"},
		{ReceiverID: "bench-l2", Rate: "0.05"}, {ReceiverID: "bench-supplier", Rate: "0.03"}}
	return starter.CreateOrderRequest{OrderNo: no, Channel: ch.name, Scene: ch.scene, SubOrders: []cart.SubOrderRequest{
		{MerchantID: "bench-a", Description: "tea", Amount: 20000 - ch.subsidy, Subsidy: ch.subsidy, Commissions: all},
		{MerchantID: "bench-b", Description: "cups", Amount: 8800, Commissions: all[:2]},
	}}
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
	req := ch.order(no)
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
