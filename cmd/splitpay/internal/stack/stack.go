// Package stack assembles SplitPay in one process — the WeChat Pay and Alipay adapters (each against the live
// channel or an embedded simulator), the worker, the starter and the HTTP API — on a PostgreSQL pool and a Temporal
// client. `splitpay dev`, `splitpay demo`, `splitpay bench` and the end-to-end tests all run this one assembly,
// so what they exercise is what production runs.
package stack

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/metrics"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/worker"
	"github.com/splitpay/splitpay/workflows"
)

// Options configure the assembly. DB and Temporal are required.
type Options struct {
	DB        *pgxpool.Pool
	Temporal  client.Client
	TaskQueue string // default workflows.TaskQueue
	Logger    *slog.Logger
	Settings  workflows.OrderSettings
	// Onboarding and Withdrawal timings; zero fields take the workflow defaults.
	Onboarding workflows.OnboardingSettings
	Reconcile  workflows.ReconcileSettings
	Withdrawal workflows.WithdrawalSettings
	Webhooks   workflows.WebhookSettings // the deliveries' retries; zero: 24 hours
	// ForgedAlert is the rate of forged notifications that raises an alert; zero: more than 20 in a minute.
	ForgedAlert api.ForgedAlert
	Limits      channels.Limits // WeChat Pay's; default channels.WeChatLimits
	// WeChat is the live adapter; nil starts an embedded simulator and an adapter for it.
	WeChat *wechatpay.Client
	// Alipay is the live Alipay adapter; nil starts an embedded alisim and an adapter for it, unless LiveOnly.
	Alipay *alipay.Client
	// LiveOnly starts no simulator: a channel without a live adapter is not offered (its orders are refused).
	LiveOnly bool
	// APIAddr is where the API listens (default 127.0.0.1:0, a free port); PublicURL is the base URL the
	// channel sends notifications to (default: the API's own address).
	APIAddr   string
	PublicURL string
	APIKeys   []string // default: one fresh random key, in Stack.APIKey
	// Codec is the codec-server handler the API serves at /codec (internal/codec Keyring.HTTPHandler); nil: none.
	Codec http.Handler
	// CodecOrigins are the browser origins (the Temporal UI's) allowed to call /codec.
	CodecOrigins []string
	// NoWorker leaves the worker out (an API-only process, or a test that starts workers itself).
	NoWorker bool
	// Metrics counts notifications and activities (the Temporal client's SDK metrics are its own); nil: none.
	Metrics *metrics.Metrics
	// Deployment names the worker's build for gray releases (worker.Options); zero: versioning off.
	Deployment worker.Deployment
}

// Stack is the running assembly.
type Stack struct {
	Sim       *wxsim.Sim // nil against the live channel
	SimURL    string
	WeChat    *wechatpay.Client
	AliSim    *alisim.Sim // nil against live Alipay
	AliSimURL string
	Alipay    *alipay.Client
	Ledger    *ledger.Ledger
	Starter   *starter.Client
	Registry  *registry.Registry
	API       *api.Server
	APIURL    string
	APIKey    string // the first API key

	opts        Options
	simKey      *rsa.PrivateKey // the merchant key the embedded WeChat Pay simulator knows (WorkerEnv)
	simAPIv3Key string
	acts        *activities.Activities
	events      *webhooks.Publisher // the worker's and the API's events
	worker      sdkworker.Worker
	closers     []func()
}

// The embedded simulator's platform identity.
const (
	SimSpMchID    = "1900000100"
	SimSpAppID    = "wx8888888888888888"
	simCertSerial = "SPLITPAYDEVSERIAL01"
)

// Start assembles and starts everything; Close stops it.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.DB == nil || o.Temporal == nil {
		return nil, errors.New("stack: DB and Temporal are required")
	}
	o = o.withDefaults()
	s := &Stack{opts: o, Ledger: ledger.New(o.DB), APIKey: o.APIKeys[0], WeChat: o.WeChat, Alipay: o.Alipay,
		events: &webhooks.Publisher{DB: o.DB, Temporal: o.Temporal, TaskQueue: o.TaskQueue, Settings: o.Webhooks}}
	if s.WeChat == nil {
		if err := s.startSimulator(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.Alipay == nil && !o.LiveOnly {
		if err := s.startAlipaySimulator(); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.Alipay != nil {
		if err := s.Alipay.LoadSharingCap(ctx); err != nil {
			o.Logger.Warn("Alipay's sharing cap could not be read; the configured one applies", "error", err)
		}
	}
	if err := s.startAPI(); err != nil {
		s.Close()
		return nil, err
	}
	if s.AliSim != nil { // Alipay posts msgapi messages (audit results) to the app's gateway: ours
		s.AliSim.SetAppGateway(strings.TrimRight(s.opts.PublicURL, "/") + "/notify/" + channels.Alipay)
	}
	s.acts = &activities.Activities{
		DB:       o.DB,
		Ledger:   s.Ledger,
		Channels: map[string]activities.Channel{channels.WeChatPay: s.WeChat},
		Events:   s.events,
		Metrics:  o.Metrics,
	}
	if s.Alipay != nil {
		s.acts.Channels[channels.Alipay] = s.Alipay
	}
	if !o.NoWorker {
		if err := s.StartWorker(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.TaskQueue == "" {
		o.TaskQueue = workflows.TaskQueue
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Limits == (channels.Limits{}) {
		o.Limits = channels.WeChatLimits()
	}
	if o.APIAddr == "" {
		o.APIAddr = "127.0.0.1:0"
	}
	if len(o.APIKeys) == 0 {
		o.APIKeys = []string{"sk_dev_" + randomHex(16)}
	}
	return o
}

// startAPI wires the registry, the starter and the API server over the channel, and serves the API.
func (s *Stack) startAPI() error {
	o := &s.opts
	ln, err := net.Listen("tcp", o.APIAddr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", o.APIAddr, err)
	}
	s.APIURL = "http://" + ln.Addr().String()
	if o.PublicURL == "" {
		o.PublicURL = s.APIURL
	}
	s.Registry = &registry.Registry{
		Ledger:    s.Ledger,
		Receivers: map[string]channels.ProfitSharing{channels.WeChatPay: s.WeChat},
		Funds:     map[string]channels.Funds{channels.WeChatPay: s.WeChat},
	}
	limits := map[string]channels.Limits{channels.WeChatPay: o.Limits}
	notifications := map[string]channels.Notifications{channels.WeChatPay: s.WeChat}
	if s.Alipay != nil {
		s.Registry.Receivers[channels.Alipay] = s.Alipay
		limits[channels.Alipay] = s.Alipay.Limits()
		notifications[channels.Alipay] = s.Alipay
	}
	s.Starter = &starter.Client{
		Temporal:           o.Temporal,
		Records:            s.Registry,
		TaskQueue:          o.TaskQueue,
		PublicURL:          o.PublicURL,
		Settings:           o.Settings,
		Limits:             limits,
		OnboardingSettings: o.Onboarding,
		ReconcileSettings:  o.Reconcile,
		WithdrawalSettings: o.Withdrawal,
	}
	s.closers = append(s.closers, s.Starter.StartRelay(starter.RelayOptions{Logger: o.Logger}))
	s.API = &api.Server{
		DB:            o.DB,
		Temporal:      o.Temporal,
		Starter:       s.Starter,
		Registry:      s.Registry,
		Logger:        o.Logger,
		Notifications: notifications,
		APIKeys:       o.APIKeys,
		Codec:         o.Codec,
		CodecOrigins:  o.CodecOrigins,
		Metrics:       o.Metrics,
		Events:        s.events,
		ForgedAlert:   o.ForgedAlert,
	}
	srv := s.API.HTTPServer(o.APIAddr)
	go func() { _ = srv.Serve(ln) }()
	s.closers = append(s.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return nil
}

func (s *Stack) startSimulator(ctx context.Context) error {
	sim, err := wxsim.New(s.opts.Limits, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	apiV3Key := randomHex(16) // 32 characters
	sim.RegisterPlatform(
		wxsim.Platform{MchID: SimSpMchID, CertSerial: simCertSerial, PublicKey: &key.PublicKey, APIv3Key: apiV3Key},
	)
	sim.SetNotifyScale(0.001) // the channel's 24-hour retry schedule in about 90 seconds
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.closers = append(s.closers, func() { _ = srv.Close(); sim.Wait() })
	s.Sim, s.SimURL, s.simKey, s.simAPIv3Key = sim, "http://"+ln.Addr().String(), key, apiV3Key
	s.WeChat, err = wechatpay.New(ctx, wechatpay.Config{BaseURL: s.SimURL, SpMchID: SimSpMchID, SpAppID: SimSpAppID,
		MerchantCertSerial: simCertSerial, MerchantPrivateKey: key, APIv3Key: apiV3Key,
		WechatPayPublicKeyID: sim.KeyID, WechatPayPublicKey: sim.PublicKey(), Limits: s.opts.Limits,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	return err
}

// StartWorker starts a worker on the task queue (again, after StopWorker).
func (s *Stack) StartWorker() error {
	if s.worker != nil {
		return nil
	}
	w := worker.New(s.opts.Temporal, s.opts.TaskQueue, s.acts,
		worker.Options{Interceptors: s.opts.Metrics.WorkerInterceptors(), Deployment: s.opts.Deployment})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	s.worker = w
	return nil
}

// StartBuild starts another worker on the task queue as build buildID of the stack's Worker Deployment: a new
// release beside the running one. stop stops it.
func (s *Stack) StartBuild(buildID string) (stop func(), err error) {
	d := s.opts.Deployment
	d.BuildID = buildID
	w := worker.New(s.opts.Temporal, s.opts.TaskQueue, s.acts,
		worker.Options{Interceptors: s.opts.Metrics.WorkerInterceptors(), Deployment: d})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start build %s: %w", buildID, err)
	}
	return w.Stop, nil
}

// StopWorker stops the worker, as a crash or a deploy would; workflows wait on the server for the next one.
func (s *Stack) StopWorker() {
	if s.worker != nil {
		s.worker.Stop()
		s.worker = nil
	}
}

// Client is an API client with the stack's key.
func (s *Stack) Client() *api.Client { return &api.Client{BaseURL: s.APIURL, APIKey: s.APIKey} }

// DB is the stack's PostgreSQL pool.
func (s *Stack) DB() *pgxpool.Pool { return s.opts.DB }

// TaskQueue is the task queue the stack's worker polls and its starter starts on.
func (s *Stack) TaskQueue() string { return s.opts.TaskQueue }

// Close stops the worker, the API and the simulator.
func (s *Stack) Close() {
	s.StopWorker()
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
