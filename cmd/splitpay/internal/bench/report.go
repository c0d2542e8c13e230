package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

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

// Targets are issue 19's: what an order may cost against the floor.
const (
	targetThroughput = 0.8 // at least, × the floor's workflows/s
	targetLatency    = 1.5 // at most, × the floor's create → completed p50
	targetCreateP99  = 2.0 // at most, × a bare Update-With-Start's p99
	targetActions    = 30
	targetEvents     = 120
)

// Print writes the report: each figure, and each ratio beside its target.
func (r Result) Print(w io.Writer) {
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	latency := func(name string, ds []time.Duration) {
		line("  %-30s p50 %s   p99 %s", name, ms(Percentile(ds, 50)), ms(Percentile(ds, 99)))
	}
	verdict := func(ok bool) string { return map[bool]string{true: "met", false: "NOT met"}[ok] }
	line("%s: %d orders (2 sub-orders each: create, pay, notify, receipt, subsidy or settle confirm, share, "+
		"finish, ledger) in %s", r.Channel, r.Orders, r.Elapsed.Round(time.Millisecond))
	line("  %-30s %8.1f", "orders/s", r.OrdersPerSecond)
	latency("create (Update-With-Start)", r.Create)
	latency("notification → paid", r.NotifyToPaid)
	latency("create → completed", r.OrderLatency)
	line("  %-30s %8.1f (order + 2 sub-orders; %.1f activities, %.1f local)", "history events per order",
		r.HistoryEvents, r.Activities, r.LocalActivities)
	line("  %-30s %8.1f (as Temporal Cloud bills them)", "Temporal actions per order", r.Actions)
	line("floor: %d bare workflows, each only the channel calls (create by Update-With-Start, then per sub-order %v), "+
		"same concurrency, in %s", r.Orders, r.Floor.SubOrderCalls, r.FloorElapsed.Round(time.Millisecond))
	line("  %-30s %8.1f", "workflows/s", r.FloorPerSecond)
	latency("bare Update-With-Start", r.FloorCreate)
	latency("create → completed", r.FloorLatency)
	line("  %-30s %8.1f (%d activities)", "history events per workflow", r.FloorHistoryEvents, r.FloorActivities)
	line("  %-30s %8.1f", "Temporal actions per workflow", r.FloorActions)
	throughput := r.OrdersPerSecond / r.FloorPerSecond
	lat := float64(Percentile(r.OrderLatency, 50)) / float64(Percentile(r.FloorLatency, 50))
	create := float64(Percentile(r.Create, 99)) / float64(Percentile(r.FloorCreate, 99))
	line("against the targets (one run, %s):", r.Channel)
	line("  %-30s %8.2f × floor   target ≥ %.1f   %s", "throughput", throughput, targetThroughput,
		verdict(throughput >= targetThroughput))
	line("  %-30s %8.2f × floor   target ≤ %.1f   %s", "create → completed p50", lat, targetLatency,
		verdict(lat <= targetLatency))
	line("  %-30s %8.2f × bare    target ≤ %.1f   %s", "create p99", create, targetCreateP99,
		verdict(create <= targetCreateP99))
	line("  %-30s %8.1f          target ≤ %d    %s", "Temporal actions per order", r.Actions, targetActions,
		verdict(r.Actions <= targetActions))
	line("  %-30s %8.1f          target ≤ %d   %s", "history events per order", r.HistoryEvents, targetEvents,
		verdict(r.HistoryEvents <= targetEvents))
}
