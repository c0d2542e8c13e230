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
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
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
	{"sim wechatpay", "serve the WeChat Pay 电商收付通 simulator", runSim, bindSimFlags},
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
		return c.run(ctx, cfg, cfg.logger(), out)
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
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
	}
	_, err := fmt.Fprintln(out, "splitpay", v)
	return err
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

// deps are the connections every long-running subcommand needs.
type deps struct {
	db       *pgxpool.Pool
	temporal client.Client
}

func connect(ctx context.Context, cfg *config, log *slog.Logger) (*deps, error) {
	db, err := ledger.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	opts, err := cfg.temporalOptions(log)
	if err != nil {
		db.Close()
		return nil, err
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	return &deps{db: db, temporal: tc}, nil
}

// activities are the worker's activities on these connections. Channel adapters join when channel
// configuration lands (the order issue); until then channel activities fail with ChannelNotConfigured.
func (d *deps) activities() *activities.Activities {
	return &activities.Activities{DB: d.db, Ledger: ledger.New(d.db)}
}

func (d *deps) close() {
	d.temporal.Close()
	d.db.Close()
}

func runWorker(ctx context.Context, cfg *config, log *slog.Logger, _ io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	w := worker.New(d.temporal, cfg.TaskQueue, d.activities())
	log.Info("worker polling", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNamespace)
	return w.Run(ctxDone(ctx))
}

func runAPI(ctx context.Context, cfg *config, log *slog.Logger, _ io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	return serveAPI(ctx, cfg, d, log)
}

func runDev(ctx context.Context, cfg *config, log *slog.Logger, _ io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	if err := migrate(ctx, d.db, log); err != nil {
		return err
	}
	w := worker.New(d.temporal, cfg.TaskQueue, d.activities())
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	log.Info("worker polling", "task_queue", cfg.TaskQueue)
	return serveAPI(ctx, cfg, d, log)
}

// serveAPI listens on cfg.APIAddr until ctx ends, then shuts down gracefully.
func serveAPI(ctx context.Context, cfg *config, d *deps, log *slog.Logger) error {
	srv := (&api.Server{DB: d.db, Temporal: d.temporal, Logger: log}).HTTPServer(cfg.APIAddr)
	ln, err := net.Listen("tcp", cfg.APIAddr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", cfg.APIAddr, err)
	}
	log.Info("api listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runDemo brings the stack's parts together once: migrations, a worker in this process, and a workflow run on
// the Temporal server that reaches PostgreSQL. It prints the workflow id and where to see it.
func runDemo(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	step := func(format string, args ...any) { fmt.Fprintf(out, "• "+format+"\n", args...) }

	if err := migrate(ctx, d.db, log); err != nil {
		return err
	}
	applied, err := ledger.AppliedMigrations(ctx, d.db)
	if err != nil {
		return err
	}
	step("PostgreSQL migrated: %s", strings.Join(applied, ", "))

	w := worker.New(d.temporal, cfg.TaskQueue, d.activities())
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	step("worker polling task queue %q on %s (namespace %s)", cfg.TaskQueue, cfg.TemporalAddress, cfg.TemporalNamespace)

	sc := &starter.Client{Temporal: d.temporal, TaskQueue: cfg.TaskQueue}
	runCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, id, err := sc.CheckStack(runCtx, "demo")
	if err != nil {
		return err
	}
	step("workflow %s completed: the worker reached PostgreSQL %s with %d migration(s) applied",
		id, res.Database.ServerVersion, len(res.Database.Migrations))
	step("see it in the Temporal UI: %s", cfg.workflowURL(id))
	return nil
}

// ctxDone adapts a context to the interrupt channel worker.Run expects.
func ctxDone(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
