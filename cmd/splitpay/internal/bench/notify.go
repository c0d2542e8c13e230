package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
)

// NotifyResult is what the notification bench measured: genuinely signed and encrypted WeChat Pay payment
// notifications posted to the API (verify, decrypt, inbox, signal), each order's twice (duplicates: half the
// traffic), and what the ledger holds after them. It runs two phases on orders of their own: paced, the posts
// sent at a steady rate as a channel sends them (the latency a platform sees at that rate), then flat out,
// Concurrency at a time (the most the machine takes).
type NotifyResult struct {
	Orders, Posts int // per phase
	Placed        int // orders in all: Orders per phase run
	Rate          float64
	Paced         []time.Duration // at Rate, each from the moment it was due (a late answer delays no count)
	Elapsed       time.Duration   // flat out: posting them all (each answered once the inbox holds it)
	Latency       []time.Duration // flat out
	Signalled     time.Duration   // flat out: from the first post until every order's sub-orders run (2 s polls)
	Paid          int             // orders (every phase) whose sub-orders all reached the ledger
	DoublePosted  int             // payments posted more than once (must be 0)
}

// notification is one payment notification as the simulator would send it.
type notification struct {
	url    string
	body   []byte
	header http.Header
}

// RunNotify places orders paid at the simulator with their notifications held back (掉单), then posts every
// order's notification twice, in a shuffled order: Orders at rate posts/s (no such phase when rate is 0), then
// as many more flat out. Then it checks the ledger. during brackets the flat-out phase (a CPU profile).
func RunNotify(ctx context.Context, st *stack.Stack, tc client.Client, o Options, rate float64,
	during func() func()) (NotifyResult, error) {
	r := NotifyResult{Orders: o.Orders, Posts: 2 * o.Orders, Placed: o.Orders, Rate: rate}
	if rate > 0 {
		r.Placed += o.Orders
	}
	c := st.Client()
	ch := channelOf(st, channels.WeChatPay)
	if err := ch.setup(ctx, c); err != nil {
		return r, err
	}
	st.Sim.SetFaults(wxsim.Faults{DropNotifications: true})
	defer st.Sim.SetFaults(wxsim.Faults{})
	no := func(i int) string { return fmt.Sprintf("%s%05d", o.Prefix, i) }
	errs := make([]error, r.Placed)
	inParallel(Options{Orders: r.Placed, Concurrency: o.Concurrency}, func(i int) {
		errs[i] = ch.placeAndPay(ctx, c, no(i))
	})
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(o.Concurrency, 64)},
		Timeout: 30 * time.Second}
	flatFrom := 0 // the flat-out phase's first order
	if rate > 0 {
		paced, err := notifications(st, no, 0, o.Orders)
		if err != nil {
			return r, err
		}
		if r.Paced, err = postPaced(ctx, hc, paced, rate); err != nil {
			return r, err
		}
		if err := awaitWaiting(ctx, tc, st.TaskQueue(), 2*o.Orders); err != nil {
			return r, err
		}
		flatFrom = o.Orders
	}
	flat, err := notifications(st, no, flatFrom, o.Orders)
	if err != nil {
		return r, err
	}
	r.Latency, errs = make([]time.Duration, len(flat)), make([]error, len(flat))
	stop := during()
	began := time.Now()
	r.Elapsed = inParallel(Options{Orders: len(flat), Concurrency: o.Concurrency}, func(i int) {
		t0 := time.Now()
		errs[i] = postNotification(ctx, hc, flat[i])
		r.Latency[i] = time.Since(t0)
	})
	stop()
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	if err := awaitWaiting(ctx, tc, st.TaskQueue(), 2*r.Placed); err != nil {
		return r, err
	}
	r.Signalled = time.Since(began)
	return r, countPostings(ctx, st, o.Prefix, &r)
}

// notifications answers the posts of orders from .. from+n-1: each order's notification twice (a retry repeats
// the same), shuffled.
func notifications(st *stack.Stack, no func(int) string, from, n int) ([]notification, error) {
	posts := make([]notification, 0, 2*n)
	for i := from; i < from+n; i++ {
		url, body, header, err := st.Sim.PaymentNotification(no(i))
		if err != nil {
			return nil, err
		}
		posts = append(posts, notification{url, body, header}, notification{url, body, header})
	}
	rand.New(rand.NewPCG(1, uint64(from))).Shuffle(len(posts), func(i, j int) { posts[i], posts[j] = posts[j], posts[i] })
	return posts, nil
}

// postPaced sends post i at i/rate seconds, each in its own goroutine, and answers each one's latency from the
// moment it was due, so an answer that comes late does not hold back the posts after it.
func postPaced(ctx context.Context, hc *http.Client, posts []notification, rate float64) ([]time.Duration, error) {
	latency, errs := make([]time.Duration, len(posts)), make([]error, len(posts))
	var wg sync.WaitGroup
	began := time.Now()
	for i := range posts {
		due := began.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		time.Sleep(time.Until(due))
		wg.Go(func() {
			errs[i] = postNotification(ctx, hc, posts[i])
			latency[i] = time.Since(due)
		})
	}
	wg.Wait()
	return latency, errors.Join(errs...)
}

func postNotification(ctx context.Context, hc *http.Client, n notification) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(n.body))
	if err != nil {
		return err
	}
	req.Header = n.header.Clone()
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notification answered %s", resp.Status)
	}
	return nil
}

// countPostings reads the ledger: how many of the run's orders have both payments posted, and how many payments
// were posted twice.
func countPostings(ctx context.Context, st *stack.Stack, prefix string, r *NotifyResult) error {
	err := st.DB().QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE n = 2) FROM (
			SELECT order_no, count(DISTINCT sub_order_no) AS n FROM postings
			WHERE kind = $1 AND order_no LIKE $2 GROUP BY order_no) o`,
		ledger.KindPayment, prefix+"%").Scan(&r.Paid)
	if err != nil {
		return err
	}
	return st.DB().QueryRow(ctx, `
		SELECT count(*) FROM (SELECT sub_order_no FROM postings WHERE kind = $1 AND order_no LIKE $2
			GROUP BY sub_order_no HAVING count(*) > 1) d`, ledger.KindPayment, prefix+"%").Scan(&r.DoublePosted)
}

// Print writes the notification bench's report.
func (r NotifyResult) Print(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "notifications: each phase posts %d for %d orders of its own (each twice: duplicates are half "+
		"the traffic)\n", r.Posts, r.Orders)
	if r.Rate > 0 {
		fmt.Fprintf(w, "  %-30s p50 %s   p99 %s   max %s   target p99 ≤ 50 ms\n",
			fmt.Sprintf("at %.0f/s: latency", r.Rate), ms(Percentile(r.Paced, 50)), ms(Percentile(r.Paced, 99)),
			ms(Percentile(r.Paced, 100)))
	}
	fmt.Fprintf(w, "  %-30s %8.0f   target ≥ 1000   (%d in %s)\n", "flat out: notifications/s",
		float64(r.Posts)/r.Elapsed.Seconds(), r.Posts, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  %-30s p50 %s   p99 %s   (queueing: every client waits its turn)\n", "flat out: latency",
		ms(Percentile(r.Latency, 50)), ms(Percentile(r.Latency, 99)))
	fmt.Fprintf(w, "  %-30s %s (the relay signals after the answer)\n", "until every order runs on",
		r.Signalled.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  %-30s %d of %d orders paid in the ledger, %d payments posted twice (must be 0)\n", "ledger",
		r.Paid, r.Placed, r.DoublePosted)
}
