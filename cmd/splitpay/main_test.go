package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

func TestFlagsOverrideEnvironmentOverrideDefaults(t *testing.T) {
	env := map[string]string{"TEMPORAL_ADDRESS": "temporal.example:7233", "SPLITPAY_TASK_QUEUE": "from-env"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg := bindConfig(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--task-queue", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if cfg.TemporalAddress != "temporal.example:7233" {
		t.Errorf("env not applied: %q", cfg.TemporalAddress)
	}
	if cfg.TaskQueue != "from-flag" {
		t.Errorf("flag did not override env: %q", cfg.TaskQueue)
	}
	if cfg.TemporalNamespace != "default" || cfg.APIAddr != "127.0.0.1:8080" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestUnknownSubcommandAndVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), []string{"frobnicate"}, noEnv, &out, &errOut); err == nil ||
		!strings.Contains(errOut.String(), "usage: splitpay") {
		t.Errorf("unknown subcommand: err = %v, stderr %q", err, errOut.String())
	}
	if err := run(context.Background(), []string{"version"}, noEnv, &out, &errOut); err != nil ||
		!strings.HasPrefix(out.String(), "splitpay ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"migrate"}, noEnv, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("migrate without a database must name DATABASE_URL, got %v", err)
	}
}
