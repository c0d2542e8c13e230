package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestSimWechatpayServesAndWritesItsKey(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubFile := filepath.Join(dir, "merchant.pem")
	if err := os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop := serveSim(t, "/sim/balances/1900000109", "wechatpay", "--mchid", "1900000100",
		"--cert-serial", "S1", "--merchant-public-key", pubFile, "--apiv3-key", "0123456789abcdef0123456789abcdef",
		"--sub-mchids", "1900000109", "--public-key-out", filepath.Join(dir, "sim.pem"))
	unsigned, err := http.Get("http://" + addr + "/v3/combine-transactions/out-trade-no/X1")
	if err != nil || unsigned.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unsigned API call: %v %v, want 401", unsigned.StatusCode, err)
	}
	unsigned.Body.Close()
	if _, err := os.Stat(filepath.Join(dir, "sim.pem")); err != nil {
		t.Errorf("public key not written: %v", err)
	}
	if err := stop(); err != nil {
		t.Errorf("sim exited with %v", err)
	}
}

// serveSim runs `splitpay sim <args…> --listen <a free port>` and answers its address once a GET of probe
// succeeds (key generation takes a while on a loaded machine, so it waits up to 30 s); stop ends the command and
// answers how it exited.
func serveSim(t *testing.T, probe string, args ...string) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"sim"}, append(args, "--listen", addr)...), func(string) string { return "" },
			io.Discard, io.Discard)
	}()
	stop = func() error { cancel(); return <-done }
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr, stop
			}
		}
	}
	_ = stop()
	t.Fatalf("sim %v did not answer %s within 30 s", args, probe)
	return "", nil
}
