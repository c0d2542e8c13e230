// Command splitpay is SplitPay's one binary: the worker, the HTTP API, migrations, the all-in-one dev
// process and the demo. Run `splitpay help` for the subcommands and `splitpay SUBCOMMAND -h` for flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/internal/codec"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/worker"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise it comes from the build info.
var version = ""

type command struct {
	name, summary string
	run           func(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error
	flags         func(fs *flag.FlagSet) // the subcommand's own flags, beside the shared configuration
}

var commands = []command{
	{"worker", "run the Temporal worker (workflows and activities)", runWorker, nil},
	{"api", "serve the HTTP API", runAPI, nil},
	{"migrate", "apply the embedded SQL migrations to DATABASE_URL", runMigrate, nil},
	{"dev", "migrate, then run the worker and the API in one process", runDev, nil},
	{"demo", "walk through a scenario on the running stack and print what happened", runDemo, nil},
	{
		"bench",
		"run N orders through the lifecycle on the dev stack and print throughput, latencies and history size",
		runBench,
		bindBenchFlags,
	},
	{"sim wechatpay", "serve the WeChat Pay 电商收付通 simulator", runSim, bindSimFlags},
	{"sim alipay", "serve the Alipay 直付通 simulator (alisim)", runAliSim, bindAliSimFlags},
	{
		"chaos",
		"run the real processes under kills, restarts and channel faults, then check ledger = channel",
		runChaos,
		bindChaosFlags,
	},
	{"reconcile report", "print a channel's reconciliation of a day (--channel, --date)", runReconcileReport,
		bindReconcileFlags},
	{"reconcile", "reconcile a channel's days against its bills (--channel, --from, --to)", runReconcile,
		bindReconcileFlags},
	{"schedules apply", "create or update the daily reconciliation schedules (the worker does at start)",
		runSchedulesApply, nil},
	{"codec", "serve the payload codec to the dev stack's Temporal UI (loopback only, no key)", runCodec, nil},
	{"views", "print the saved views of the stuck cases: their queries and Temporal UI links", runViews,
		bindViewsFlags},
	{"version", "print the version", runVersion, nil},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "splitpay:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(errOut)
		if len(args) == 0 {
			return errors.New("no subcommand")
		}
		return nil
	}
	for _, c := range commands {
		words := strings.Fields(c.name) // a command may be two words: "sim wechatpay"
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		rest := args[len(words):]
		fs := flag.NewFlagSet("splitpay "+c.name, flag.ContinueOnError)
		fs.SetOutput(errOut)
		cfg := bindConfig(fs, getenv)
		if c.flags != nil {
			c.flags(fs)
		}
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("%s: unexpected arguments %q", c.name, fs.Args())
		}
		if err := cfg.applyWorkflowCache(); err != nil {
			return err
		}
		return c.run(ctx, cfg, cfg.logger(c.name), out)
	}
	usage(errOut)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: splitpay SUBCOMMAND [flags]")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag also reads an environment variable; see `splitpay SUBCOMMAND -h`.")
}

func runVersion(_ context.Context, _ *config, _ *slog.Logger, out io.Writer) error {
	_, err := fmt.Fprintln(out, "splitpay", buildVersion())
	return err
}

// buildVersion is the binary's version: set at link time, else the module's, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}

func runMigrate(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	db, err := ledger.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return migrate(ctx, db, log)
}

func migrate(ctx context.Context, db *pgxpool.Pool, log *slog.Logger) error {
	applied, err := ledger.Migrate(ctx, db)
	if err != nil {
		return err
	}
	log.Info("migrations applied", "new", len(applied), "names", strings.Join(applied, ","))
	return nil
}

// connectMigrated connects, then applies the migrations (a worker's process; an API-only one does not migrate).
func connectMigrated(ctx context.Context, cfg *config, log *slog.Logger) (*deps, error) {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, d.db, log); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// deps are the connections every long-running subcommand needs.
type deps struct {
	db       *pgxpool.Pool
	temporal client.Client
	keys     *codec.Keyring   // seals the client's payloads; the API serves it at /codec
	metrics  *metrics.Metrics // nil unless SPLITPAY_METRICS_ADDR is set
}

func connect(ctx context.Context, cfg *config, log *slog.Logger) (*deps, error) {
	db, err := ledger.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	keys, err := cfg.keyring(log)
	if err != nil {
		db.Close()
		return nil, err
	}
	opts, err := cfg.temporalOptions(log, keys)
	if err != nil {
		db.Close()
		return nil, err
	}
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" {
		m = metrics.New()
		opts.MetricsHandler = m.SDK()
		go func() {
			if err := m.Serve(ctx, cfg.MetricsAddr, log); err != nil {
				log.Error("metrics endpoint", "addr", cfg.MetricsAddr, "error", err)
			}
		}()
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	return &deps{db: db, temporal: tc, keys: keys, metrics: m}, nil
}

func (d *deps) close() {
	d.temporal.Close()
	d.db.Close()
	d.metrics.Close()
}

// processesEvery is how often a worker's process counts the running processes by status for /metrics.
const processesEvery = 30 * time.Second

func runWorker(ctx context.Context, cfg *config, log *slog.Logger, _ io.Writer) error {
	wx, err := cfg.wechatPay(ctx)
	if err != nil {
		return err
	}
	if wx == nil || cfg.PayloadKeys == "" {
		return errors.New(
			"worker: configure WeChat Pay (SPLITPAY_WECHATPAY_MCHID and the rest, see -h) and SPLITPAY_PAYLOAD_KEYS; " +
				"`splitpay dev` runs with the embedded simulator instead",
		)
	}
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	ali, err := cfg.alipayClient()
	if err != nil {
		return err
	}
	acts := &activities.Activities{
		DB:       d.db,
		Ledger:   ledger.New(d.db),
		Channels: map[string]activities.Channel{channels.WeChatPay: wx},
		Events:   &webhooks.Publisher{DB: d.db, Temporal: d.temporal, TaskQueue: cfg.TaskQueue},
		Metrics:  d.metrics,
	}
	if ali != nil {
		acts.Channels[channels.Alipay] = ali // the sharing cap is the API's to check (cart), not the worker's
	}
	w := worker.New(d.temporal, cfg.TaskQueue, acts, worker.Options{Interceptors: d.metrics.WorkerInterceptors(),
		Deployment: cfg.deployment()})
	go d.metrics.WatchProcesses(ctx, d.temporal, processesEvery, log)
	if _, err := applySchedules(ctx, cfg, &starter.Client{Temporal: d.temporal, TaskQueue: cfg.TaskQueue}); err != nil {
		return err
	}
	log.Info("worker polling", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNamespace)
	return w.Run(ctxDone(ctx))
}

func runAPI(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	wx, err := cfg.wechatPay(ctx)
	if err != nil {
		return err
	}
	if wx == nil || len(cfg.apiKeys()) == 0 || cfg.PublicURL == "" || cfg.PayloadKeys == "" {
		return errors.New(
			"api: configure WeChat Pay (SPLITPAY_WECHATPAY_*), SPLITPAY_API_KEYS, SPLITPAY_PUBLIC_URL and " +
				"SPLITPAY_PAYLOAD_KEYS; `splitpay dev` runs on embedded defaults instead",
		)
	}
	return serve(ctx, cfg, log, out, wx, true)
}

// runDev runs everything in one process on embedded defaults: migrations, the worker, the API, and — unless
// WeChat Pay is configured — the simulator, which opens any sub-merchant an order names.
func runDev(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	wx, err := cfg.wechatPay(ctx)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log, out, wx, false)
}

// serve assembles the stack (internal/stack) and runs it until ctx ends.
func serve(
	ctx context.Context,
	cfg *config,
	log *slog.Logger,
	out io.Writer,
	wx *wechatpay.Client,
	apiOnly bool,
) error {
	ali, err := cfg.alipayClient()
	if err != nil {
		return err
	}
	open := connectMigrated
	if apiOnly {
		open = connect
	}
	d, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	t, err := cfg.timings()
	if err != nil {
		return err
	}
	st, err := stack.Start(
		ctx,
		stack.Options{DB: d.db, Temporal: d.temporal, TaskQueue: cfg.TaskQueue, Logger: log, Settings: t.orders,
			Onboarding: t.onboarding, Withdrawal: t.withdrawal, Reconcile: t.reconcile, Codec: d.keys.HTTPHandler(),
			CodecOrigins: codec.Origins(cfg.CodecOrigins), Metrics: d.metrics, Deployment: cfg.deployment(),
			WeChat: wx, Alipay: ali, LiveOnly: apiOnly, APIAddr: cfg.APIAddr, PublicURL: cfg.PublicURL,
			APIKeys: cfg.apiKeys(), NoWorker: apiOnly},
	)
	if err != nil {
		return err
	}
	defer st.Close()
	if !apiOnly {
		if _, err := applySchedules(ctx, cfg, st.Starter); err != nil {
			return err
		}
		go d.metrics.WatchProcesses(ctx, d.temporal, processesEvery, log)
	}
	if st.Sim != nil {
		st.Sim.AutoOpenSubMerchants(true) // a dev stack's shops are opened on first use
	}
	printStack(out, cfg, st)
	log.Info("running", "api", st.APIURL, "task_queue", cfg.TaskQueue, "worker", !apiOnly)
	<-ctx.Done()
	return nil
}

// printStack says where the embedded simulators and the API listen.
func printStack(out io.Writer, cfg *config, st *stack.Stack) {
	if st.Sim != nil {
		fmt.Fprintf(
			out,
			"WeChat Pay simulator (embedded) on %s — pay an order: curl -X POST %s/sim/pay/<order_no>\n",
			st.SimURL,
			st.SimURL,
		)
	}
	if st.AliSim != nil {
		fmt.Fprintf(out, "Alipay simulator (embedded) on %s — pay an order: curl -X POST %s/sim/pay/<order_no>\n",
			st.AliSimURL, strings.TrimSuffix(st.AliSimURL, "/gateway.do"))
	}
	fmt.Fprintf(out, "SplitPay API on %s (OpenAPI at /openapi.json)\n", st.APIURL)
	if cfg.APIKeys == "" {
		fmt.Fprintf(out, "  API key for this run: %s\n", st.APIKey)
	}
}

// ctxDone adapts a context to the interrupt channel worker.Run expects.
func ctxDone(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
