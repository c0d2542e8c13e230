package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// backoff is how a workflow waits between questions to the channel: the first wait, doubling up to max. It is
// the one home of that schedule; poll and the loops with deadlines (onboarding, the bounce watch) use it.
type backoff struct {
	first, max, next time.Duration
}

func newBackoff(first, max time.Duration) *backoff {
	return &backoff{first: first, max: max, next: first}
}

// reset starts the schedule again from the first wait (the state changed: ask sooner).
func (b *backoff) reset() { b.next = b.first }

// wait waits the next interval, or until wake answers true when wake is set (a notification arrived), and
// doubles the interval.
func (b *backoff) wait(ctx workflow.Context, wake func() bool) error {
	d := b.next
	b.next = min(2*b.next, b.max)
	if wake == nil {
		return workflow.Sleep(ctx, d)
	}
	_, err := workflow.AwaitWithTimeout(ctx, d, wake)
	return err
}

// waitUntil waits the next interval, cut short by the deadline or by wake (when set) answering true, and doubles
// the interval. It answers false, having waited for nothing, once the deadline has passed.
func (b *backoff) waitUntil(ctx workflow.Context, deadline time.Time, wake func() bool) (bool, error) {
	remaining := deadline.Sub(workflow.Now(ctx))
	if remaining <= 0 {
		return false, nil
	}
	d := min(b.next, remaining)
	b.next = min(2*b.next, b.max)
	if wake == nil {
		return true, workflow.Sleep(ctx, d)
	}
	_, err := workflow.AwaitWithTimeout(ctx, d, wake)
	return true, err
}

// poll waits with backoff, then asks, until done says the answer is final, and answers the last answer. The
// question is the same each time: a channel sees one request, asked about again.
func poll[T any](
	ctx workflow.Context,
	b *backoff,
	wake func() bool,
	ask func() (T, error),
	done func(T) bool,
) (T, error) {
	for {
		if err := b.wait(ctx, wake); err != nil {
			var zero T
			return zero, err
		}
		answer, err := ask()
		if err != nil || done(answer) {
			return answer, err
		}
	}
}
