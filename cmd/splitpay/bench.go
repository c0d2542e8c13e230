package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/bench"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
)

var benchFlags struct {
	orders, concurrency, open, notify, workers int
	channel, cpuProfile                        string
	rate                                       float64
}

func bindBenchFlags(fs *flag.FlagSet) {
	fs.IntVar(
		&benchFlags.orders,
		"orders",
		50,
		"orders to run through the lifecycle (and bare workflows for the floor)",
	)
	fs.IntVar(&benchFlags.concurrency, "concurrency", 8, "orders in flight at once")
	fs.StringVar(&benchFlags.channel, "channel", "all", "wechatpay, alipay, or all (each in turn, each with its floor)")
	fs.IntVar(&benchFlags.open, "open", 0,
		"instead: hold this many sub-orders open waiting for receipt, measure memory, then confirm them all (a soak)")
	fs.IntVar(&benchFlags.notify, "notify", 0,
		"instead: post this many orders' signed payment notifications, each twice, to the API (WeChat Pay): at "+
			"--rate, then as many more flat out")
	fs.Float64Var(&benchFlags.rate, "rate", 1000, "with --notify: the paced phase's notifications per second (0: none)")
	fs.IntVar(&benchFlags.workers, "workers", 0,
		"run the orders on this many `splitpay worker` processes instead of the bench's own worker")
	fs.StringVar(&benchFlags.cpuProfile, "cpuprofile", "", "with --notify: write a CPU profile of the posting to this file")
}

// runBench runs N orders through the whole lifecycle on the dev stack (worker, API and simulator in this
// process), then the floor, and prints the figures.
func runBench(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	chans, err := benchChannels()
	if err != nil {
		return err
	}
	d, err := connectMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	prefix := fmt.Sprintf("B%d", time.Now().Unix())
	settings := bench.Settings
	if benchFlags.open > 0 || benchFlags.notify > 0 {
		settings = bench.OpenSettings
	}
	st, err := stack.Start(
		ctx,
		stack.Options{DB: d.db, Temporal: d.temporal, TaskQueue: "bench-" + prefix, Settings: settings,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NoWorker: benchFlags.workers > 0},
	)
	if err != nil {
		return err
	}
	defer st.Close()
	if benchFlags.workers > 0 {
		stop, err := spawnWorkers(ctx, st, d.temporal, benchFlags.workers)
		if err != nil {
			return err
		}
		defer stop()
	}
	if benchFlags.open > 0 {
		return runOpen(ctx, st, d, cfg, prefix, out)
	}
	if benchFlags.notify > 0 {
		return runNotify(ctx, st, d, prefix, out)
	}
	fmt.Fprintf(out, "splitpay bench: %d orders, %d at once, on %s, %s\n", benchFlags.orders,
		benchFlags.concurrency, cfg.TemporalAddress, workersSaid())
	for _, ch := range chans {
		r, err := bench.Run(ctx, st, d.temporal, bench.Options{Orders: benchFlags.orders,
			Concurrency: benchFlags.concurrency, Prefix: prefix + strings.ToUpper(ch[:1]), Channel: ch})
		if err != nil {
			return err
		}
		r.Print(out)
	}
	return nil
}

// benchChannels checks the flags and answers the channels to run.
func benchChannels() ([]string, error) {
	f := benchFlags
	switch {
	case f.orders < 1 || f.orders > 10000 || f.concurrency < 1 || f.concurrency > 256:
		return nil, fmt.Errorf("bench: --orders 1..10000, --concurrency 1..256")
	case f.open < 0 || f.open > 20000 || f.notify < 0 || f.notify > 20000 || f.rate < 0 || f.rate > 10000 ||
		f.workers < 0 || f.workers > 8:
		return nil, fmt.Errorf("bench: --open 0..20000, --notify 0..20000, --rate 0..10000, --workers 0..8")
	case f.channel == "all":
		return channels.Names, nil
	case f.channel == channels.WeChatPay || f.channel == channels.Alipay:
		return []string{f.channel}, nil
	}
	return nil, fmt.Errorf("bench: --channel wechatpay, alipay or all")
}

// workersSaid says where the orders' workflows and activities run.
func workersSaid() string {
	if benchFlags.workers == 0 {
		return "the worker in this process"
	}
	return fmt.Sprintf("%d `splitpay worker` processes", benchFlags.workers)
}

// runOpen runs the soak: --open sub-orders held waiting for receipt.
func runOpen(ctx context.Context, st *stack.Stack, d *deps, cfg *config, prefix string, out io.Writer) error {
	r, err := bench.RunOpen(ctx, st, d.temporal, bench.Options{Orders: benchFlags.open,
		Concurrency: benchFlags.concurrency, Prefix: prefix + "O"}, cfg.workflowCache())
	if err != nil {
		return err
	}
	r.Print(out)
	return nil
}

// runNotify runs the notification bench, profiling the posting when asked.
func runNotify(ctx context.Context, st *stack.Stack, d *deps, prefix string, out io.Writer) error {
	during := func() func() { return func() {} }
	if benchFlags.cpuProfile != "" {
		f, err := os.Create(benchFlags.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		during = func() func() {
			if err := pprof.StartCPUProfile(f); err != nil {
				return func() {}
			}
			return pprof.StopCPUProfile
		}
	}
	r, err := bench.RunNotify(ctx, st, d.temporal, bench.Options{Orders: benchFlags.notify,
		Concurrency: benchFlags.concurrency, Prefix: prefix + "N"}, benchFlags.rate, during)
	if err != nil {
		return err
	}
	r.Print(out)
	return nil
}
