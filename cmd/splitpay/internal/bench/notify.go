package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
)

// NotifyResult is what the notification bench measured: genuinely signed and encrypted WeChat Pay payment
// notifications posted to the API (verify, decrypt, inbox, signal), each order's twice (duplicates: half the
// traffic), and what the ledger holds after them.
type NotifyResult struct {
	Orders, Posts int
	Elapsed       time.Duration // posting them all (each answered once the inbox holds it)
	Signalled     time.Duration // from the first post until every order's sub-orders run (visibility, 2 s polls)
	Latency       []time.Duration
	Paid          int // orders whose sub-orders all reached the ledger
	DoublePosted  int // payments posted more than once (must be 0)
}

// RunNotify places orders paid at the simulator with their notifications held back (掉单), then posts every
// order's notification twice, in a shuffled order, Concurrency at a time, and checks the ledger.
func RunNotify(ctx context.Context, st *stack.Stack, tc client.Client, o Options, during func() func()) (NotifyResult,
	error) {
	r := NotifyResult{Orders: o.Orders, Posts: 2 * o.Orders}
	c := st.Client()
	ch := channelOf(st, channels.WeChatPay)
	if err := ch.setup(ctx, c); err != nil {
		return r, err
	}
	st.Sim.SetFaults(wxsim.Faults{DropNotifications: true})
	defer st.Sim.SetFaults(wxsim.Faults{})
	no := func(i int) string { return fmt.Sprintf("%s%05d", o.Prefix, i) }
	errs := make([]error, 2*o.Orders)
	inParallel(o, func(i int) { errs[i] = ch.placeAndPay(ctx, c, no(i)) })
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	type post struct {
		url    string
		body   []byte
		header http.Header
	}
	posts := make([]post, 0, 2*o.Orders)
	for i := range o.Orders {
		url, body, header, err := st.Sim.PaymentNotification(no(i))
		if err != nil {
			return r, err
		}
		posts = append(posts, post{url, body, header}, post{url, body, header}) // a retry repeats the same
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(posts), func(i, j int) { posts[i], posts[j] = posts[j], posts[i] })
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency}, Timeout: 30 * time.Second}
	r.Latency = make([]time.Duration, len(posts))
	stop := during()
	began := time.Now()
	r.Elapsed = inParallel(Options{Orders: len(posts), Concurrency: o.Concurrency}, func(i int) {
		t0 := time.Now()
		errs[i] = postNotification(ctx, hc, posts[i].url, posts[i].body, posts[i].header)
		r.Latency[i] = time.Since(t0)
	})
	stop()
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	if err := awaitWaiting(ctx, tc, st.TaskQueue(), 2*o.Orders); err != nil {
		return r, err
	}
	r.Signalled = time.Since(began)
	return r, countPostings(ctx, st, o.Prefix, &r)
}

func postNotification(ctx context.Context, hc *http.Client, url string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header.Clone()
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
	rate := float64(r.Posts) / r.Elapsed.Seconds()
	fmt.Fprintf(w, "notifications: %d posted for %d orders (each twice: duplicates are half the traffic) in %s\n",
		r.Posts, r.Orders, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  %-30s %8.0f   target ≥ 1000\n", "notifications/s", rate)
	fmt.Fprintf(w, "  %-30s p50 %s   p99 %s   target p99 ≤ 50 ms\n", "latency", ms(Percentile(r.Latency, 50)),
		ms(Percentile(r.Latency, 99)))
	fmt.Fprintf(w, "  %-30s %s (the relay signals after the answer)\n", "until every order runs on",
		r.Signalled.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  %-30s %d of %d orders paid in the ledger, %d payments posted twice (must be 0)\n", "ledger",
		r.Paid, r.Orders, r.DoublePosted)
}
