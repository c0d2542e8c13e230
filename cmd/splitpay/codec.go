package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/internal/codec"
)

// runCodec serves the payload codec (POST /encode, /decode) to the dev stack's Temporal UI, which scripts/devstack
// starts with --ui-codec-endpoint pointing here, so the UI shows SplitPay's sealed payloads as plain JSON. It takes
// no key, so it listens on loopback only; anywhere else the UI uses the API's /codec, behind API keys (see
// docs/operations.md).
func runCodec(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) error {
	host, _, err := net.SplitHostPort(cfg.CodecAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("codec: %q is not a loopback address: this keyless server is for the dev stack only; "+
			"elsewhere the Temporal UI uses the API's /codec, behind API keys", cfg.CodecAddr)
	}
	keys, err := cfg.keyring(log)
	if err != nil {
		return err
	}
	origins := codec.Origins(cfg.CodecOrigins)
	srv := &http.Server{Addr: cfg.CodecAddr, Handler: codec.CORS(origins, keys.HTTPHandler()),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10}
	ln, err := net.Listen("tcp", cfg.CodecAddr)
	if err != nil {
		return fmt.Errorf("codec: %w", err)
	}
	fmt.Fprintf(out, "codec server on http://%s for the Temporal UI at %v\n", ln.Addr(), origins)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
