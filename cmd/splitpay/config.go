package main

import (
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"

	"github.com/splitpay/splitpay/internal/codec"
	"github.com/splitpay/splitpay/worker"
	"github.com/splitpay/splitpay/workflows"
)

// config is everything the subcommands read. Each setting comes from its environment variable, and a flag of
// the same meaning overrides it. Temporal's client settings also come from the SDK's envconfig: a TOML profile
// (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) and TEMPORAL_* variables such as TEMPORAL_API_KEY and TEMPORAL_TLS.
type config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TemporalUI        string
	TaskQueue         string
	APIAddr           string
	PublicURL         string
	APIKeys           string
	LogLevel          string
	PayloadKeys       string // internal/codec keyring: every Temporal payload is sealed with its first key
	CodecOrigins      string // browser origins (the Temporal UI's) allowed to call the codec endpoints
	CodecAddr         string // `splitpay codec`: the dev stack's codec server, for its Temporal UI
	MetricsAddr       string // where the worker's and the API's /metrics listens; empty: none
	LogFormat         string // json or text; empty: json for worker and api, text otherwise
	DeploymentName    string // the Worker Deployment of gray releases; empty: versioning off
	BuildID           string // this build's id in it (default: the binary's version)

	// WeChat Pay 电商收付通, as the platform. Without a merchant id, `dev` and `demo` run the embedded simulator.
	// The channels' settings and adapters are in config_channels.go.
	WeChatBaseURL       string
	WeChatMchID         string
	WeChatAppID         string
	WeChatCertSerial    string
	WeChatPrivateKey    string // file
	WeChatAPIv3Key      string
	WeChatPublicKeyID   string
	WeChatPublicKeyFile string

	// Alipay 直付通, as the platform's app. Without an app id, `dev` and `demo` run the embedded alisim and
	// `api` and `worker` take no Alipay orders.
	AlipayAppID          string
	AlipayPrivateKeyFile string
	AlipayPublicKeyFile  string // public-key mode …
	AlipayAppCertFile    string // … or certificate mode: these three
	AlipayRootCertFile   string
	AlipayCertFile       string
	AlipayGateway        string

	WorkflowCache string

	// Order lifecycle timings (Go durations: 30m, 168h).
	PaymentWindow    string
	QueryAfter       string
	AutoConfirmAfter string
	AfterSaleWindow  string
	RefundWindow     string

	OnboardingGiveUpAfter string
	WithdrawalBounceWatch string

	// Daily reconciliation (对账) on a Temporal Schedule.
	ReconcileAt           string
	ReconcileCatchup      string
	ReconcileBillDeadline string
}

// setting is one row of the configuration table docs/development.md shows.
type setting struct {
	env, flag, def, help string
	dst                  func(*config) *string
}

// settings are every setting: the core ones here, the channels' in config_channels.go.
var settings = slices.Concat(coreSettings, channelSettings)

var coreSettings = []setting{
	{
		"DATABASE_URL",
		"database-url",
		"",
		"PostgreSQL URL of the ledger",
		func(c *config) *string { return &c.DatabaseURL },
	},
	{
		"TEMPORAL_ADDRESS",
		"temporal-address",
		"127.0.0.1:7233",
		"Temporal frontend host:port",
		func(c *config) *string { return &c.TemporalAddress },
	},
	{
		"TEMPORAL_NAMESPACE",
		"temporal-namespace",
		"default",
		"Temporal namespace",
		func(c *config) *string { return &c.TemporalNamespace },
	},
	{
		"SPLITPAY_TEMPORAL_UI",
		"temporal-ui",
		"http://127.0.0.1:8233",
		"Temporal UI base URL, for links printed to people",
		func(c *config) *string { return &c.TemporalUI },
	},
	{
		"SPLITPAY_TASK_QUEUE",
		"task-queue",
		workflows.TaskQueue,
		"Temporal task queue of the worker",
		func(c *config) *string { return &c.TaskQueue },
	},
	{
		"SPLITPAY_API_ADDR",
		"api-addr",
		"127.0.0.1:8080",
		"listen address of the HTTP API",
		func(c *config) *string { return &c.APIAddr },
	},
	{
		"SPLITPAY_PUBLIC_URL",
		"public-url",
		"",
		"base URL the channels reach the API at, for notifications (default http://<api-addr>)",
		func(c *config) *string { return &c.PublicURL },
	},
	{
		"SPLITPAY_API_KEYS",
		"api-keys",
		"",
		"comma-separated bearer keys accepted by /v1 (dev and demo make one up when empty)",
		func(c *config) *string { return &c.APIKeys },
	},
	{
		"SPLITPAY_PAYLOAD_KEYS",
		"payload-keys",
		"",
		"id:base64(32 bytes)[,…]: AES-256-GCM keys sealing every Temporal payload; the first seals, all open " +
			"(rotate by prepending); dev, demo and bench make one up when empty",
		func(c *config) *string { return &c.PayloadKeys },
	},
	{
		"SPLITPAY_CODEC_ORIGINS",
		"codec-origins",
		"",
		"comma-separated browser origins allowed to call /codec (the Temporal UI's, e.g. https://temporal.example.com)",
		func(c *config) *string { return &c.CodecOrigins },
	},
	{
		"SPLITPAY_CODEC_ADDR",
		"codec-addr",
		"127.0.0.1:8234",
		"listen address of `splitpay codec`, the dev stack's keyless codec server (loopback only)",
		func(c *config) *string { return &c.CodecAddr },
	},
	{
		"SPLITPAY_METRICS_ADDR",
		"metrics-addr",
		"",
		"listen address of the Prometheus /metrics endpoint of `worker`, `api` and `dev` (e.g. 127.0.0.1:9464); empty: none",
		func(c *config) *string { return &c.MetricsAddr },
	},
	{
		"SPLITPAY_DEPLOYMENT_NAME",
		"deployment-name",
		"",
		"the Worker Deployment this worker belongs to, for gray releases (docs/operations.md); empty: versioning off",
		func(c *config) *string { return &c.DeploymentName },
	},
	{
		"SPLITPAY_BUILD_ID",
		"build-id",
		"",
		"this build's id in the Worker Deployment (default: the binary's version)",
		func(c *config) *string { return &c.BuildID },
	},
	{
		"SPLITPAY_WORKFLOW_CACHE",
		"workflow-cache",
		"2000",
		"how many workflows a worker process keeps in memory between their tasks (the sticky cache); others replay",
		func(c *config) *string { return &c.WorkflowCache },
	},
	{
		"SPLITPAY_LOG_FORMAT",
		"log-format",
		"",
		"json | text (default: json for worker and api, text for the commands people read)",
		func(c *config) *string { return &c.LogFormat },
	},
	{
		"SPLITPAY_LOG_LEVEL",
		"log-level",
		"info",
		"debug | info | warn | error",
		func(c *config) *string { return &c.LogLevel },
	},
	{
		"SPLITPAY_PAYMENT_WINDOW",
		"payment-window",
		"2h",
		"how long a buyer may pay before the order is closed",
		func(c *config) *string { return &c.PaymentWindow },
	},
	{
		"SPLITPAY_QUERY_AFTER",
		"query-after",
		"1m",
		"ask the channel when no payment notification came within this",
		func(c *config) *string { return &c.QueryAfter },
	},
	{
		"SPLITPAY_AUTO_CONFIRM_AFTER",
		"auto-confirm-after",
		"168h",
		"receipt is confirmed automatically after this",
		func(c *config) *string { return &c.AutoConfirmAfter },
	},
	{
		"SPLITPAY_AFTER_SALE_WINDOW",
		"after-sale-window",
		"168h",
		"after confirmation, before profit sharing (0 for none)",
		func(c *config) *string { return &c.AfterSaleWindow },
	},
	{
		"SPLITPAY_ONBOARDING_GIVE_UP_AFTER",
		"onboarding-give-up-after",
		"720h",
		"an onboarding with no FINISH by then ends GAVE_UP",
		func(c *config) *string { return &c.OnboardingGiveUpAfter },
	},
	{
		"SPLITPAY_WITHDRAWAL_BOUNCE_WATCH",
		"withdrawal-bounce-watch",
		"72h",
		"after a withdrawal's SUCCESS, how long to watch for the bank returning it",
		func(c *config) *string { return &c.WithdrawalBounceWatch },
	},
	{
		"SPLITPAY_REFUND_WINDOW",
		"refund-window",
		"720h",
		"after finish, how long a sub-order still takes refunds (with clawback; 0 for none)",
		func(c *config) *string { return &c.RefundWindow },
	},
	{
		"SPLITPAY_RECONCILE_AT",
		"reconcile-at",
		"10:30",
		"when each channel's daily reconciliation of the day before runs (HH:MM, China time)",
		func(c *config) *string { return &c.ReconcileAt },
	},
	{
		"SPLITPAY_RECONCILE_CATCHUP",
		"reconcile-catchup",
		"72h",
		"after an outage, how far back missed daily reconciliations are made up",
		func(c *config) *string { return &c.ReconcileCatchup },
	},
	{
		"SPLITPAY_RECONCILE_BILL_DEADLINE",
		"reconcile-bill-deadline",
		"12h",
		"how long a bill the channel has not made yet is asked for again before the run waits for ops",
		func(c *config) *string { return &c.ReconcileBillDeadline },
	},
}

// bindConfig registers every setting on fs with its environment value (or default) as the flag's default,
// so parsing fs applies "environment, then flags".
func bindConfig(fs *flag.FlagSet, getenv func(string) string) *config {
	c := &config{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst(c), s.flag, def, fmt.Sprintf("%s (env %s)", s.help, s.env))
	}
	return c
}

// temporalOptions loads the SDK's envconfig profile and environment, then applies our address, namespace and
// payload codec.
func (c *config) temporalOptions(logger *slog.Logger, keys *codec.Keyring) (client.Options, error) {
	opts, err := envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{})
	if err != nil {
		return client.Options{}, fmt.Errorf("load Temporal client config: %w", err)
	}
	opts.HostPort = c.TemporalAddress
	opts.Namespace = c.TemporalNamespace
	opts.Logger = tlog.NewStructuredLogger(logger.With("component", "temporal"))
	return keys.Sealed(opts), nil
}

// keyring parses SPLITPAY_PAYLOAD_KEYS. Unset, it makes a key up for this process (dev, demo, bench: the
// worker/api subcommands refuse to start without one, see requirePayloadKeys).
func (c *config) keyring(logger *slog.Logger) (*codec.Keyring, error) {
	spec := c.PayloadKeys
	if spec == "" {
		logger.Warn(
			"SPLITPAY_PAYLOAD_KEYS is not set: payloads are sealed with a key made up for this process; " +
				"its histories cannot be read by another",
		)
		spec = codec.NewKey("ephemeral")
	}
	k, err := codec.ParseKeys(spec)
	if err != nil {
		return nil, fmt.Errorf("SPLITPAY_PAYLOAD_KEYS: %w", err)
	}
	return k, nil
}

// timings are the processes' timings parsed from the configuration (zero: the workflow's default, or none).
type timings struct {
	orders     workflows.OrderSettings
	onboarding workflows.OnboardingSettings
	withdrawal workflows.WithdrawalSettings
	reconcile  workflows.ReconcileSettings
	catchup    time.Duration
}

// timings parses every timing setting.
func (c *config) timings() (timings, error) {
	var t timings
	for _, f := range []struct {
		name, value string
		dst         *time.Duration
	}{
		{"SPLITPAY_PAYMENT_WINDOW", c.PaymentWindow, &t.orders.PaymentWindow},
		{"SPLITPAY_QUERY_AFTER", c.QueryAfter, &t.orders.QueryAfter},
		{"SPLITPAY_AUTO_CONFIRM_AFTER", c.AutoConfirmAfter, &t.orders.AutoConfirmAfter},
		{"SPLITPAY_AFTER_SALE_WINDOW", c.AfterSaleWindow, &t.orders.AfterSaleWindow},
		{"SPLITPAY_REFUND_WINDOW", c.RefundWindow, &t.orders.RefundWindow},
		{"SPLITPAY_ONBOARDING_GIVE_UP_AFTER", c.OnboardingGiveUpAfter, &t.onboarding.GiveUpAfter},
		{"SPLITPAY_WITHDRAWAL_BOUNCE_WATCH", c.WithdrawalBounceWatch, &t.withdrawal.BounceWatch},
		{"SPLITPAY_RECONCILE_CATCHUP", c.ReconcileCatchup, &t.catchup},
		{"SPLITPAY_RECONCILE_BILL_DEADLINE", c.ReconcileBillDeadline, &t.reconcile.BillDeadline},
	} {
		d, err := time.ParseDuration(f.value)
		if err != nil || d < 0 {
			return t, fmt.Errorf("%s: a duration such as 30m or 168h, got %q", f.name, f.value)
		}
		*f.dst = d
	}
	return t, nil
}

// apiKeys are the configured bearer keys.
func (c *config) apiKeys() []string {
	var keys []string
	for _, k := range strings.Split(c.APIKeys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// workflowURL is the Temporal UI page of a workflow, for people to click.
// listURL is the Temporal UI's workflow list filtered by a visibility query.
func (c *config) listURL(query string) string {
	return workflows.ListURL(c.TemporalUI, c.TemporalNamespace, query)
}

func (c *config) workflowURL(workflowID string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimRight(c.TemporalUI, "/"), c.TemporalNamespace,
		strings.ReplaceAll(workflowID, "/", "%2F"))
}

// deployment is the worker's Worker Deployment version (zero: versioning off).
func (c *config) deployment() worker.Deployment {
	if c.DeploymentName == "" {
		return worker.Deployment{}
	}
	id := c.BuildID
	if id == "" {
		id = buildVersion()
	}
	return worker.Deployment{Name: c.DeploymentName, BuildID: id}
}
