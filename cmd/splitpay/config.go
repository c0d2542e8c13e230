package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"

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
	LogLevel          string
}

// setting is one row of the configuration table README.md shows.
type setting struct {
	env, flag, def, help string
	dst                  func(*config) *string
}

var settings = []setting{
	{"DATABASE_URL", "database-url", "", "PostgreSQL URL of the ledger", func(c *config) *string { return &c.DatabaseURL }},
	{"TEMPORAL_ADDRESS", "temporal-address", "127.0.0.1:7233", "Temporal frontend host:port", func(c *config) *string { return &c.TemporalAddress }},
	{"TEMPORAL_NAMESPACE", "temporal-namespace", "default", "Temporal namespace", func(c *config) *string { return &c.TemporalNamespace }},
	{"SPLITPAY_TEMPORAL_UI", "temporal-ui", "http://127.0.0.1:8233", "Temporal UI base URL, for links printed to people", func(c *config) *string { return &c.TemporalUI }},
	{"SPLITPAY_TASK_QUEUE", "task-queue", workflows.TaskQueue, "Temporal task queue of the worker", func(c *config) *string { return &c.TaskQueue }},
	{"SPLITPAY_API_ADDR", "api-addr", "127.0.0.1:8080", "listen address of the HTTP API", func(c *config) *string { return &c.APIAddr }},
	{"SPLITPAY_LOG_LEVEL", "log-level", "info", "debug | info | warn | error", func(c *config) *string { return &c.LogLevel }},
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

func (c *config) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// temporalOptions loads the SDK's envconfig profile and environment, then applies our address and namespace.
func (c *config) temporalOptions(logger *slog.Logger) (client.Options, error) {
	opts, err := envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{})
	if err != nil {
		return client.Options{}, fmt.Errorf("load Temporal client config: %w", err)
	}
	opts.HostPort = c.TemporalAddress
	opts.Namespace = c.TemporalNamespace
	opts.Logger = tlog.NewStructuredLogger(logger.With("component", "temporal"))
	return opts, nil
}

// workflowURL is the Temporal UI page of a workflow, for people to click.
func (c *config) workflowURL(workflowID string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimRight(c.TemporalUI, "/"), c.TemporalNamespace,
		strings.ReplaceAll(workflowID, "/", "%2F"))
}
