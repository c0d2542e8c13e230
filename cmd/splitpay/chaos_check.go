package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// awaitEnd waits until every driven order has ended (COMPLETED, or CLOSED) with each accepted refund paid,
// settling refunds at the simulator as the bank would and resuming what waits for ops; it answers how many
// of the driven orders ended, and how many were driven.
func (c *chaos) awaitEnd(ctx context.Context, runs []*orderRun, deadline time.Time) (ended, driven int) {
	done := map[string]bool{}
	for _, r := range runs {
		if r.err == nil {
			driven++
		}
	}
	for time.Now().Before(deadline) && ctx.Err() == nil && len(done) < driven {
		for _, r := range runs {
			if r.err == nil && !done[r.no] && c.orderEnded(ctx, r) {
				done[r.no] = true
			}
		}
		time.Sleep(time.Second)
	}
	return len(done), driven
}

func (c *chaos) orderEnded(ctx context.Context, r *orderRun) bool {
	var v api.OrderView
	cl := &api.Client{BaseURL: c.apiURL, APIKey: c.apiKey}
	if err := cl.Do(ctx, http.MethodGet, "/v1/orders/"+r.no, "", nil, &v); err != nil || v.Stale {
		return false
	}
	resume := func(subOrder int) { // as ops would: the cause (an outage) has passed
		req := map[string]any{"by": "ops:chaos", "reason": "retry"}
		if subOrder > 0 {
			req["sub_order"] = subOrder
		}
		_ = cl.Do(ctx, http.MethodPost, "/v1/orders/"+r.no+"/resume", "", req, nil)
	}
	if v.Status == workflows.StatusNeedsAttention {
		resume(0)
	}
	done := v.Status == workflows.StatusCompleted || v.Status == workflows.StatusClosed
	for _, s := range v.SubOrders {
		if s.Status == workflows.StatusNeedsAttention {
			resume(s.N)
		}
		for _, rf := range s.Refunds {
			if rf.Status == workflows.RefundProcessing && r.channel == channels.WeChatPay { // Alipay answers at once
				_ = c.simPost("/sim/refunds/" + c.shops[s.N-1] + "/" + rf.OutRefundNo + "/settle")
			}
			done = done && rf.Status == workflows.RefundSucceeded
		}
		done = done && len(s.Refunds) == len(r.refunds[s.N])
	}
	return done
}

// check compares the ledger with each simulator for every party and bucket of the run, and checks the trial
// balance and each sub-order's conservation; it answers what is broken.
func (c *chaos) check(ctx context.Context, runs []*orderRun) []string {
	db, err := ledger.Open(ctx, envOf(c.env, "DATABASE_URL"))
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	l := ledger.New(db)
	problems := append(c.checkWeChat(ctx, l, db, runs), c.checkAlipay(ctx, l, db, runs)...)
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if diffs, trial, err := l.Check(ctx); err != nil || len(diffs) > 0 || trial != 0 {
		bad("ledger check: %v, trial balance %s, %v", diffs, trial, err)
	}
	for _, r := range runs {
		for n := 1; n <= r.subs; n++ {
			t, err := l.SubOrderTotals(ctx, r.no, workflows.SubOrderNo(r.no, n))
			if err == nil {
				err = t.Conserved()
			}
			if err != nil {
				bad("%s sub-order %d: %v", r.no, n, err)
			}
		}
	}
	return problems
}

// checkWeChat: the WeChat Pay books against wxsim.
func (c *chaos) checkWeChat(ctx context.Context, l *ledger.Ledger, db *pgxpool.Pool, runs []*orderRun) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i, sub := range c.shops {
		var sim struct{ Frozen, Available int64 }
		b, err := l.MerchantBalances(ctx, channels.WeChatPay, c.merchant(i))
		if err := errors.Join(err, c.simGet("/sim/balances/"+sub, &sim)); err != nil {
			bad("shop %d: %v", i, err)
			continue
		}
		if b[ledger.BucketFrozen].Fen() != sim.Frozen || b[ledger.BucketAvailable].Fen() != sim.Available {
			bad("shop %d: ledger %v, channel frozen %d available %d", i, b, sim.Frozen, sim.Available)
		}
	}
	for id, acct := range map[string]string{"d1": "PERSONAL_OPENID/o-" + c.runID + "-l1", "d2": "PERSONAL_OPENID/o-" + c.runID + "-l2",
		"s1": "MERCHANT_ID/" + c.supplier, "platform": "MERCHANT_ID/1900000100"} {
		var sim struct{ Balance int64 }
		if err := c.simGet("/sim/receivers/"+acct, &sim); err != nil {
			bad("receiver %s: %v", id, err)
			continue
		}
		booked, err := c.bookedCommission(ctx, l, db, channels.WeChatPay, id, runs)
		if err != nil || booked != sim.Balance {
			bad("receiver %s: ledger %d, channel %d %v", id, booked, sim.Balance, err)
		}
	}
	return problems
}

// checkAlipay: the Alipay books against alisim (a shop's ledger frozen is alisim's unsettled plus frozen).
func (c *chaos) checkAlipay(ctx context.Context, l *ledger.Ledger, db *pgxpool.Pool, runs []*orderRun) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i, smid := range c.ali.shops {
		var sim struct{ Unsettled, Frozen, Available int64 }
		b, err := l.MerchantBalances(ctx, channels.Alipay, c.merchant(i))
		if err := errors.Join(err, simGetAt(c.ali.url, "/sim/balances/"+smid, &sim)); err != nil {
			bad("Alipay shop %d: %v", i, err)
			continue
		}
		if b[ledger.BucketFrozen].Fen() != sim.Unsettled+sim.Frozen || b[ledger.BucketAvailable].Fen() != sim.Available {
			bad("Alipay shop %d: ledger %v, channel %+v", i, b, sim)
		}
	}
	for id, acct := range c.ali.accts {
		var sim struct{ Balance int64 }
		if err := simGetAt(c.ali.url, "/sim/receivers/"+acct, &sim); err != nil {
			bad("Alipay receiver %s: %v", id, err)
			continue
		}
		booked, err := c.bookedCommission(ctx, l, db, channels.Alipay, id, runs)
		if err != nil || booked != sim.Balance {
			bad("Alipay receiver %s: ledger %d, channel %d %v", id, booked, sim.Balance, err)
		}
	}
	return problems
}

// bookedCommission is what the ledger credited a receiver on a channel: its own account for this run's persons
// and supplier; for the platform, whose account all runs share, the entries of this run's orders.
func (c *chaos) bookedCommission(
	ctx context.Context,
	l *ledger.Ledger,
	db *pgxpool.Pool,
	channel, id string,
	runs []*orderRun,
) (int64, error) {
	if id != "platform" {
		b, err := l.Balance(ctx, ledger.ReceiverCommission(channel, c.receiver(id)))
		return b.Fen(), err
	}
	var sum int64
	err := db.QueryRow(ctx, `SELECT coalesce(sum(e.amount), 0)::bigint FROM entries e JOIN accounts a ON a.id = e.account_id
		JOIN postings p ON p.id = e.posting_id WHERE a.key = $1 AND p.order_no = ANY($2)`,
		ledger.PlatformCommission(channel).Key(), orderNos(runs)).
		Scan(&sum)
	return sum, err
}

func orderNos(runs []*orderRun) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.no)
	}
	return out
}

func (c *chaos) report(runs []*orderRun, started time.Time, problems []string) {
	subs, refunds, refused, failed := 0, 0, 0, 0
	for _, r := range runs {
		subs += r.subs
		refused += r.refused
		for _, rf := range r.refunds {
			refunds += len(rf)
		}
		if r.err != nil {
			failed++
			c.say("order %s could not be driven: %v", r.no, r.err)
		}
	}
	c.say(
		"figures: %d orders (%d sub-orders, %d refunds paid, %d refused after the window), %d not driven; worker killed %d times; "+
			"restarts %v; %d client retries; %s",
		len(runs),
		subs,
		refunds,
		refused,
		failed,
		c.kills.Load(),
		c.restarts,
		c.retries.Load(),
		time.Since(started).Round(time.Second),
	)
	for _, p := range problems {
		c.say("BROKEN: %s", p)
	}
	if len(problems) == 0 {
		c.say(
			"ledger = channel on WeChat Pay and on Alipay for every shop (frozen, available), distributor, supplier " +
				"and the platform; trial balance 0; every sub-order conserves money",
		)
	}
}
