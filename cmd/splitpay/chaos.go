package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// chaosFlags are the `splitpay chaos` settings.
var chaosFlags struct {
	orders, kills, concurrency int
	restartPostgres            string
	within                     time.Duration
}

func bindChaosFlags(fs *flag.FlagSet) {
	fs.IntVar(&chaosFlags.orders, "orders", 200, "orders to run (each with receipts and some refunds)")
	fs.IntVar(&chaosFlags.kills, "kills", 15, "how many times the worker is killed with SIGKILL")
	fs.IntVar(&chaosFlags.concurrency, "concurrency", 8, "orders driven at once")
	fs.StringVar(
		&chaosFlags.restartPostgres,
		"restart-postgres",
		"scripts/devstack restart-postgres",
		"command that restarts PostgreSQL once mid-run",
	)
	fs.DurationVar(&chaosFlags.within, "within", 15*time.Minute, "how long every order may take to end")
}

// runChaos runs the real processes — the WeChat Pay and Alipay simulators, the API and the worker, each its own
// process of this binary — on the dev stack, on a database of the run's own, drives orders through the API as
// clients would, and meanwhile kills the worker, restarts the API and PostgreSQL, and turns on 20 % channel
// faults. Then it checks that every order ended, that the ledger equals the channel for every party and bucket,
// and that the day reconciles with no discrepancy. Loopback only; bounded in count and time.
func runChaos(ctx context.Context, cfg *config, _ *slog.Logger, out io.Writer) error {
	if cfg.DatabaseURL == "" {
		return fmt.Errorf(
			"chaos: DATABASE_URL is required (run it through `make chaos`, which brings the dev stack up)",
		)
	}
	c, err := newChaos(out)
	if err != nil {
		return err
	}
	dbURL, drop, err := runDatabase(ctx, cfg.DatabaseURL, "splitpay_chaos_"+c.runID)
	if err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	defer drop()
	c.env = append(c.env, "DATABASE_URL="+dbURL)
	defer c.stopAll()
	if err := c.start(ctx); err != nil {
		return err
	}
	if err := errors.Join(c.register(ctx), c.registerAlipay(ctx)); err != nil {
		return err
	}
	started := time.Now()
	stop := make(chan struct{})
	var mayhem sync.WaitGroup
	mayhem.Go(func() { c.mayhem(ctx, stop) })
	results := c.driveOrders(ctx)
	close(stop)
	mayhem.Wait()
	c.say(
		"all %d orders driven in %s; waiting for every order to end",
		len(results),
		time.Since(started).Round(time.Second),
	)
	ended, driven := c.awaitEnd(ctx, results, time.Now().Add(chaosFlags.within))
	c.say("%d of %d orders ended within %s", ended, len(results), time.Since(started).Round(time.Second))
	problems := c.check(ctx, results)
	if ended == len(results) {
		problems = append(problems, c.reconcile(ctx, started)...)
	}
	c.report(results, started, problems)
	if ended != len(results) || driven != len(results) || len(problems) > 0 {
		return fmt.Errorf(
			"chaos: %d orders not driven, %d did not end, %d invariants broken",
			len(results)-driven,
			driven-ended,
			len(problems),
		)
	}
	return nil
}

// chaos holds the run's processes and what it counted.
type chaos struct {
	out      io.Writer
	exe, dir string
	runID    string
	env      []string // the API's and worker's configuration
	simURL   string
	apiURL   string
	apiKey   string
	shops    [2]string // sub_mchids
	supplier string    // the supplier receiver's merchant id: fresh each run, as the shops are
	ali      chaosAlipay
	mu       sync.Mutex
	procs    map[string]*proc
	kills    atomic.Int64
	restarts map[string]int
	retries  atomic.Int64 // client retries after 5xx, timeouts and 409s
	started  time.Time
}

func (c *chaos) say(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%6.1fs  "+format+"\n", append([]any{time.Since(c.started).Seconds()}, args...)...)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newChaos(out io.Writer) (*chaos, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "splitpay-chaos-")
	if err != nil {
		return nil, err
	}
	c := &chaos{
		out:      out,
		exe:      exe,
		dir:      dir,
		runID:    randomHex(3),
		procs:    map[string]*proc{},
		restarts: map[string]int{},
		started:  time.Now(),
	}
	if err := writeMerchantKeys(dir); err != nil {
		return nil, err
	}
	simAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	apiAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	payloadKey := make([]byte, 32)
	_, _ = rand.Read(payloadKey)
	c.simURL, c.apiURL, c.apiKey = "http://"+simAddr, "http://"+apiAddr, "sk_chaos_"+randomHex(12)
	c.shops = [2]string{fmt.Sprintf("17%08d", mrand.IntN(1e8)), fmt.Sprintf("16%08d", mrand.IntN(1e8))}
	c.supplier = fmt.Sprintf("15%08d", mrand.IntN(1e8))
	apiV3 := randomHex(16)
	if c.ali, err = newChaosAlipay(); err != nil {
		return nil, err
	}
	c.env = c.environment(apiAddr, apiV3, payloadKey)
	return c, nil
}

// environment is the API's and the worker's configuration: both channels' simulators, the run's task queue and
// keys, and lifecycle timings short enough for a run.
func (c *chaos) environment(apiAddr, apiV3 string, payloadKey []byte) []string {
	return append(
		append(os.Environ(), c.ali.env(c.dir)...),
		"SPLITPAY_WECHATPAY_BASE_URL="+c.simURL,
		"SPLITPAY_WECHATPAY_MCHID=1900000100",
		"SPLITPAY_WECHATPAY_APPID=wx8888888888888888",
		"SPLITPAY_WECHATPAY_CERT_SERIAL=CHAOSSERIAL",
		"SPLITPAY_WECHATPAY_PRIVATE_KEY_FILE="+filepath.Join(c.dir, "apiclient_key.pem"),
		"SPLITPAY_WECHATPAY_APIV3_KEY="+apiV3,
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_FILE="+filepath.Join(c.dir, "wx-public.pem"),
		"SPLITPAY_API_ADDR="+apiAddr,
		"SPLITPAY_PUBLIC_URL="+c.apiURL,
		"SPLITPAY_API_KEYS="+c.apiKey,
		"SPLITPAY_PAYLOAD_KEYS=chaos:"+base64.StdEncoding.EncodeToString(
			payloadKey,
		),
		"SPLITPAY_TASK_QUEUE=chaos-"+c.runID,
		"SPLITPAY_QUERY_AFTER=5s",
		"SPLITPAY_AUTO_CONFIRM_AFTER=20s",
		"SPLITPAY_AFTER_SALE_WINDOW=2s",
		"SPLITPAY_REFUND_WINDOW=1m",
		"SPLITPAY_LOG_LEVEL=warn",
	)
}

// proc is a running process of the run; done closes when it has exited.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// spawn starts `splitpay args…` with the run's configuration, its output in a log file of the run.
func (c *chaos) spawn(name string, args ...string) (*exec.Cmd, error) {
	logf, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.exe, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the run
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	c.mu.Lock()
	c.procs[name] = p
	c.mu.Unlock()
	return cmd, nil
}

func (c *chaos) start(ctx context.Context) error {
	c.say("chaos run %s: processes and logs in %s", c.runID, c.dir)
	sim := exec.Command(
		c.exe,
		"sim",
		"wechatpay",
		"--listen",
		strings.TrimPrefix(c.simURL, "http://"),
		"--mchid",
		"1900000100",
		"--cert-serial",
		"CHAOSSERIAL",
		"--merchant-public-key",
		filepath.Join(c.dir, "merchant-public.pem"),
		"--apiv3-key",
		envOf(c.env, "SPLITPAY_WECHATPAY_APIV3_KEY"),
		"--sub-mchids",
		c.shops[0]+","+c.shops[1],
		"--public-key-out",
		filepath.Join(c.dir, "wx-public.pem"),
	)
	sim.Env, sim.Stderr = c.env, io.Discard
	sim.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, _ := sim.StdoutPipe()
	if err := sim.Start(); err != nil {
		return err
	}
	c.procs["sim"] = &proc{cmd: sim, done: make(chan struct{})}
	keyID := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "public key id "); ok {
			keyID, _, _ = strings.Cut(rest, ",")
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if keyID == "" {
		return fmt.Errorf("chaos: the simulator did not start")
	}
	c.env = append(c.env, "SPLITPAY_WECHATPAY_PUBLIC_KEY_ID="+keyID)
	if err := c.startAlisim(ctx); err != nil {
		return err
	}
	migrate := exec.CommandContext(ctx, c.exe, "migrate")
	migrate.Env = c.env
	if out, err := migrate.CombinedOutput(); err != nil {
		return fmt.Errorf("chaos: migrate: %v: %s", err, out)
	}
	if _, err := c.spawn("api", "api"); err != nil {
		return err
	}
	if _, err := c.spawn("worker", "worker"); err != nil {
		return err
	}
	return c.waitHealthy(ctx, time.Minute)
}

func envOf(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

func (c *chaos) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		_ = p.cmd.Process.Kill()
	}
}

// restart sends SIGKILL to a process of the run and starts it again.
func (c *chaos) restart(name string, args ...string) error {
	c.mu.Lock()
	p := c.procs[name]
	c.mu.Unlock()
	if p != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
	_, err := c.spawn(name, args...)
	return err
}

// writeMerchantKeys writes a fresh merchant key pair into dir, as the processes' configuration names them.
func writeMerchantKeys(dir string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "merchant-public.pem"), pem.EncodeToMemory(&pem.Block{
		Type: "PUBLIC KEY", Bytes: der,
	}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "apiclient_key.pem"), pem.EncodeToMemory(&pem.Block{
		Type: "PRIVATE KEY", Bytes: priv,
	}), 0o600); err != nil {
		return err
	}
	return nil
}
