package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

// aliSimFlags are the `splitpay sim alipay` settings.
var aliSimFlags struct {
	addr, appID, platform, smids, keysDir, appGateway string
	certMode, autoOpen                                bool
}

func bindAliSimFlags(fs *flag.FlagSet) {
	f := &aliSimFlags
	fs.StringVar(&f.addr, "listen", "127.0.0.1:8091", "listen address")
	fs.StringVar(&f.appID, "app-id", "2021000000000001", "the platform's app id")
	fs.StringVar(&f.platform, "platform-account", "2088000000000100", "the platform's own Alipay user id")
	fs.StringVar(&f.smids, "smids", "", "comma-separated sub-merchant ids (smid) to open; empty: open any on first use")
	fs.StringVar(&f.keysDir, "keys-out", "alisim-keys", "directory for the app's key and Alipay's key and certificates")
	fs.StringVar(&f.appGateway, "app-gateway", "",
		"the app's gateway URL (应用网关), where audit results are posted: SplitPay's /notify/alipay")
	fs.BoolVar(&f.certMode, "cert-mode", false, "certificate mode (公钥证书) instead of public-key mode")
}

// runAliSim serves the Alipay simulator until interrupted. Like Alipay's sandbox key tool, it makes the app's key
// pair and Alipay's, and writes what the adapter needs to --keys-out.
func runAliSim(ctx context.Context, _ *config, log *slog.Logger, out io.Writer) error {
	f := aliSimFlags
	if !channels.AlipayUserID.MatchString(f.platform) {
		return errors.New("sim alipay: --platform-account must be an Alipay user id (2088 and 12 digits)")
	}
	sim, err := alisim.New(f.appID, channels.AlipayLimits(), uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	sim.UseCertificateMode(f.certMode)
	sim.SetAppGateway(f.appGateway)
	sim.SetPlatformAccount(f.platform)
	sim.AutoOpenSubMerchants(strings.TrimSpace(f.smids) == "")
	for _, id := range strings.Split(f.smids, ",") {
		if id = strings.TrimSpace(id); id != "" {
			sim.AddSubMerchant(id)
		}
	}
	files, err := writeAliSimKeys(sim.Keys, f.keysDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("sim alipay: listen on %s: %w", f.addr, err)
	}
	fmt.Fprintf(out, "Alipay simulator on http://%s/gateway.do (app id %s)\n  point SplitPay at it:\n"+
		"    SPLITPAY_ALIPAY_APP_ID=%s SPLITPAY_ALIPAY_GATEWAY=http://%s/gateway.do\n", ln.Addr(), f.appID, f.appID,
		ln.Addr())
	for _, name := range []string{"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE", "SPLITPAY_ALIPAY_PUBLIC_KEY_FILE",
		"SPLITPAY_ALIPAY_APP_CERT_FILE", "SPLITPAY_ALIPAY_ROOT_CERT_FILE", "SPLITPAY_ALIPAY_CERT_FILE"} {
		if p := files[name]; strings.Contains(name, "PRIVATE") || strings.Contains(name, "CERT") == f.certMode {
			fmt.Fprintf(out, "    %s=%s\n", name, p)
		}
	}
	fmt.Fprintf(out, "  buyer pays with: curl -X POST http://%s/sim/pay/<order_no>\n", ln.Addr())
	fmt.Fprintf(out, "  a shop confirms its application with: curl -X POST http://%s/sim/applications/<out_request_no>/confirm\n"+
		"  audit results go to the app gateway: %s\n", ln.Addr(), cmp.Or(f.appGateway, "(none: set --app-gateway)"))
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("simulator stopped") // notifications still being retried end with the process
	return nil
}

// writeAliSimKeys writes the keys and certificates to dir, answering each file by the setting that reads it.
func writeAliSimKeys(k alisim.Keys, dir string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	files := map[string]string{}
	for name, f := range map[string]struct{ file, pem string }{
		"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE": {"app-private-key.pem", alisim.PrivateKeyPEM(k.AppPrivateKey)},
		"SPLITPAY_ALIPAY_PUBLIC_KEY_FILE":  {"alipay-public-key.pem", alisim.PublicKeyPEM(&k.AlipayPrivateKey.PublicKey)},
		"SPLITPAY_ALIPAY_APP_CERT_FILE":    {"app-cert.crt", alisim.CertPEM(k.AppCert)},
		"SPLITPAY_ALIPAY_ROOT_CERT_FILE":   {"alipay-root-cert.crt", alisim.CertPEM(k.RootCert)},
		"SPLITPAY_ALIPAY_CERT_FILE":        {"alipay-cert.crt", alisim.CertPEM(k.AlipayCert)},
	} {
		p := filepath.Join(dir, f.file)
		if err := os.WriteFile(p, []byte(f.pem), 0o600); err != nil {
			return nil, err
		}
		files[name] = p
	}
	return files, nil
}
