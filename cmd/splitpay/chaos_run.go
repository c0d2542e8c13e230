package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
)

// call sends one API request as a careful client does: a network error or a 5xx is retried (with the same
// Idempotency-Key) for up to five minutes, and a 409 "not yet" (the order's payment not seen yet, the
// sub-order finishing) for up to a minute.
func (c *chaos) call(ctx context.Context, method, path, idem string, in, out any) error {
	cl := &api.Client{BaseURL: c.apiURL, APIKey: c.apiKey, HTTP: &http.Client{Timeout: 20 * time.Second}}
	started := time.Now()
	for {
		err := cl.Do(ctx, method, path, idem, in, out)
		var ae *api.Error
		outage := err != nil && (!errors.As(err, &ae) || ae.Status >= 500)
		notYet := err != nil && ae != nil &&
			(ae.Status == http.StatusConflict || ae.Status == http.StatusBadRequest && ae.Field == "sub_order")
		if !(outage && time.Since(started) < 5*time.Minute || notYet && time.Since(started) < time.Minute) ||
			ctx.Err() != nil {
			return err
		}
		c.retries.Add(1)
		time.Sleep(time.Duration(200+mrand.IntN(800)) * time.Millisecond)
	}
}

func (c *chaos) simPost(path string) error { return simPostAt(c.simURL, path) }

// simPostAt posts to a simulator's control API at base.
func simPostAt(base, path string) error {
	resp, err := http.Post(base+path, "application/json", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("simulator %s: %s", path, resp.Status)
	}
	return nil
}

func (c *chaos) simGet(path string, out any) error { return simGetAt(c.simURL, path, out) }

// simGetAt reads a simulator's control API at base.
func simGetAt(base, path string, out any) error {
	resp, err := http.Get(base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

// simFaults has both simulators answer rate of their calls with their system error (0: none).
func (c *chaos) simFaults(rate float64) error {
	wx, ali := `{}`, `{}`
	if rate > 0 {
		wx = fmt.Sprintf(`{"SystemErrorRate":{"/v3/ecommerce/":%g,"/v3/combine-transactions/":%g}}`, rate, rate)
		ali = fmt.Sprintf(`{"SystemErrorRate":{"alipay.trade.order.settle":%g,"alipay.trade.refund":%g,`+
			`"alipay.trade.settle.confirm":%g,"alipay.trade.query":%g}}`, rate, rate, rate, rate)
	}
	var errs []error
	for base, body := range map[string]string{c.simURL: wx, c.ali.url: ali} {
		req, _ := http.NewRequest(http.MethodPut, base+"/sim/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *chaos) waitHealthy(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if resp, err := http.Get(c.apiURL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("chaos: the API did not become healthy (see %s/api.log)", c.dir)
}

// ids of this run's parties.
func (c *chaos) merchant(i int) string    { return fmt.Sprintf("chaos-%s-m%d", c.runID, i) }
func (c *chaos) receiver(r string) string { return "chaos-" + c.runID + "-" + r }

func (c *chaos) register(ctx context.Context) error {
	for i, sub := range c.shops {
		if err := c.call(ctx, http.MethodPost, "/v1/merchants", "", registry.MerchantRequest{ID: c.merchant(i), SubMchID: sub,
			DisplayName: "Chaos shop"}, nil); err != nil {
			return fmt.Errorf("register merchant: %w", err)
		}
	}
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: "MERCHANT_ID", Account: "1900000100", Name: "SplitPay platform", Relation: "PLATFORM"},
		{ID: c.receiver("d1"), Type: "PERSONAL_OPENID", Account: "o-" + c.runID + "-l1", Name: "一级分销", Relation: "DISTRIBUTOR"},
		{ID: c.receiver("d2"), Type: "PERSONAL_OPENID", Account: "o-" + c.runID + "-l2", Name: "二级分销", Relation: "DISTRIBUTOR"},
		{ID: c.receiver("s1"), Type: "MERCHANT_ID", Account: c.supplier, Name: "Chaos supplier", Relation: "SUPPLIER"},
	} {
		if err := c.call(ctx, http.MethodPost, "/v1/receivers", "", r, nil); err != nil {
			return fmt.Errorf("register receiver %s: %w", r.ID, err)
		}
	}
	return nil
}

// orderRun is one driven order and what was asked of it.
type orderRun struct {
	no      string
	channel string
	subs    int
	refunds map[int][]string // sub-order → refund numbers accepted
	refused int              // refunds answered 409: the sub-order's refund window had closed (outages delay clients)
	err     error
}

func (c *chaos) driveOrders(ctx context.Context) []*orderRun {
	runs := make([]*orderRun, chaosFlags.orders)
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(1, chaosFlags.concurrency) {
		wg.Go(func() {
			for i := range work {
				runs[i] = c.driveOrder(ctx, i)
			}
		})
	}
	for i := range runs {
		work <- i
	}
	close(work)
	wg.Wait()
	return runs
}

// driveOrder creates an order of one or two shops, pays it at the simulator, confirms some receipts, asks for
// some refunds (at most half a sub-order, so they fit in its unsplit money) and lets the bank pay them.
func (c *chaos) driveOrder(ctx context.Context, i int) *orderRun {
	r := &orderRun{no: fmt.Sprintf("C%s%04d", c.runID, i), subs: 1 + mrand.IntN(2), refunds: map[int][]string{},
		channel: channels.Names[i%len(channels.Names)]}
	commissions := []cart.CommissionRequest{
		{ReceiverID: "platform", Rate: "0.05"},
		{ReceiverID: c.receiver("d1"), Rate: "0.10"},
		{ReceiverID: c.receiver("d2"), Rate: "0.05"},
		{ReceiverID: c.receiver("s1"), Rate: "0.03"},
	}
	req, pay := starter.CreateOrderRequest{OrderNo: r.no, Channel: r.channel}, c.simURL
	if r.channel == channels.Alipay {
		req.Scene, pay = channels.SceneAlipayPage, c.ali.url
	}
	for n := range r.subs {
		req.SubOrders = append(
			req.SubOrders,
			cart.SubOrderRequest{MerchantID: c.merchant(n), Description: "chaos goods",
				Amount: money.Amount(
					100 + mrand.IntN(50000),
				), Commissions: commissions[:1+mrand.IntN(len(commissions))]},
		)
	}
	if r.err = c.call(ctx, http.MethodPost, "/v1/orders", "create-"+r.no, req, nil); r.err != nil {
		return r
	}
	if r.err = simPostAt(pay, "/sim/pay/"+r.no); r.err != nil {
		return r
	}
	for n := 1; n <= r.subs; n++ {
		sub := fmt.Sprintf("/v1/orders/%s/sub-orders/%d", r.no, n)
		if mrand.IntN(3) > 0 { // the shop confirms (else auto-confirm); 409 "before payment" is retried
			receipt := starter.ConfirmReceiptRequest{ConfirmedBy: "shop"}
			if r.err = c.call(ctx, http.MethodPost, sub+"/receipt", "", receipt, nil); r.err != nil {
				return r
			}
		}
		if mrand.IntN(3) == 0 {
			no := fmt.Sprintf("RF%d", n)
			amount := money.Amount(1 + mrand.Int64N(int64(req.SubOrders[n-1].Amount/2)))
			err := c.call(ctx, http.MethodPost, sub+"/refunds", "refund-"+r.no+no, starter.RefundRequest{RefundNo: no,
				Reason: "chaos", Amount: amount}, nil)
			var ae *api.Error
			switch {
			case errors.As(err, &ae) && ae.Status == http.StatusConflict:
				r.refused++ // too late: an answer, not a failure
			case err != nil:
				r.err = err
				return r
			default:
				r.refunds[n] = append(r.refunds[n], no)
			}
		}
	}
	return r
}

// mayhem kills the worker at random (and starts it again), restarts the API and PostgreSQL once each, and
// turns on 20 % channel faults for a while, until the orders are driven and every kill is spent.
func (c *chaos) mayhem(ctx context.Context, stop <-chan struct{}) {
	plan := []string{"api", "postgres", "faults-on", "faults-off"}
	stopped := false
	for n := 0; ctx.Err() == nil; n++ {
		select {
		case <-stop:
			stopped = true
		case <-time.After(time.Duration(2000+mrand.IntN(6000)) * time.Millisecond):
		}
		if stopped && int(c.kills.Load()) >= chaosFlags.kills && len(plan) == 0 {
			return
		}
		if int(c.kills.Load()) < chaosFlags.kills {
			if err := c.restart("worker", "worker"); err != nil {
				c.say("worker restart failed: %v", err)
			}
			c.kills.Add(1)
		}
		if len(plan) > 0 && n%3 == 2 {
			c.act(ctx, plan[0])
			plan = plan[1:]
		}
	}
}

func (c *chaos) act(ctx context.Context, what string) {
	switch what {
	case "api":
		if err := c.restart("api", "api"); err != nil {
			c.say("API restart failed: %v", err)
		}
		_ = c.waitHealthy(ctx, time.Minute)
	case "postgres":
		args := strings.Fields(chaosFlags.restartPostgres)
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			c.say("PostgreSQL restart failed: %v %s", err, out)
			return
		}
	case "faults-on":
		_ = c.simFaults(0.2)
	case "faults-off":
		_ = c.simFaults(0)
	}
	c.mu.Lock()
	c.restarts[what]++
	c.mu.Unlock()
	c.say("%s", map[string]string{"api": "API killed and restarted", "postgres": "PostgreSQL restarted",
		"faults-on": "channel faults on: 20 % of calls answer 500 SYSTEM_ERROR", "faults-off": "channel faults off"}[what])
}
