package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/bench"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
)

var benchFlags struct {
	orders, concurrency int
	channel             string
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
}

// runBench runs N orders through the whole lifecycle on the dev stack (worker, API and simulator in this
// process), then the floor, and prints the figures.
func runBench(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	if benchFlags.orders < 1 || benchFlags.orders > 10000 || benchFlags.concurrency < 1 ||
		benchFlags.concurrency > 256 {
		return fmt.Errorf("bench: --orders 1..10000, --concurrency 1..256")
	}
	chans := []string{benchFlags.channel}
	switch benchFlags.channel {
	case "all":
		chans = channels.Names
	case channels.WeChatPay, channels.Alipay:
	default:
		return fmt.Errorf("bench: --channel wechatpay, alipay or all")
	}
	d, err := connectMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	prefix := fmt.Sprintf("B%d", time.Now().Unix())
	st, err := stack.Start(
		ctx,
		stack.Options{DB: d.db, Temporal: d.temporal, TaskQueue: "bench-" + prefix, Settings: bench.Settings,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
	)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(
		out,
		"splitpay bench: %d orders, %d at once, on %s\n",
		benchFlags.orders,
		benchFlags.concurrency,
		cfg.TemporalAddress,
	)
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
