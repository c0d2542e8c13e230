package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
)

// simFlags are the `splitpay sim wechatpay` settings: who the platform is and which shops exist.
var simFlags struct {
	addr, mchID, certSerial, publicKeyFile, apiV3Key, subMchIDs, keyOut string
}

func bindSimFlags(fs *flag.FlagSet) {
	fs.StringVar(&simFlags.addr, "listen", "127.0.0.1:8090", "listen address")
	fs.StringVar(&simFlags.mchID, "mchid", "", "the platform's merchant id")
	fs.StringVar(&simFlags.certSerial, "cert-serial", "", "serial of the platform's API certificate")
	fs.StringVar(&simFlags.publicKeyFile, "merchant-public-key", "", "PEM file: the platform's API public key")
	fs.StringVar(
		&simFlags.apiV3Key,
		"apiv3-key",
		os.Getenv("SPLITPAY_WECHATPAY_APIV3_KEY"),
		"32-byte APIv3 key (env SPLITPAY_WECHATPAY_APIV3_KEY)",
	)
	fs.StringVar(&simFlags.subMchIDs, "sub-mchids", "", "comma-separated sub-merchant ids to open")
	fs.StringVar(
		&simFlags.keyOut,
		"public-key-out",
		"wxsim-public-key.pem",
		"where to write the simulator's WeChat Pay public key",
	)
}

// runSim serves the WeChat Pay simulator until interrupted. Its key is generated at start; the public half is
// written to --public-key-out for the adapter's WechatPayPublicKey, and its id printed.
func runSim(ctx context.Context, _ *config, log *slog.Logger, out io.Writer) error {
	f := simFlags
	if f.mchID == "" || f.certSerial == "" || f.publicKeyFile == "" {
		return errors.New("sim wechatpay: --mchid, --cert-serial and --merchant-public-key are required")
	}
	if len(f.apiV3Key) != 32 {
		return errors.New("sim wechatpay: --apiv3-key must be 32 bytes")
	}
	pub, err := utils.LoadPublicKeyWithPath(f.publicKeyFile)
	if err != nil {
		return fmt.Errorf("sim wechatpay: --merchant-public-key: %w", err)
	}
	sim, err := wxsim.New(channels.WeChatLimits(), uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	sim.RegisterPlatform(wxsim.Platform{MchID: f.mchID, CertSerial: f.certSerial, PublicKey: pub, APIv3Key: f.apiV3Key})
	for _, id := range strings.Split(f.subMchIDs, ",") {
		if id = strings.TrimSpace(id); id != "" {
			sim.AddSubMerchant(id)
		}
	}
	der, err := x509.MarshalPKIXPublicKey(sim.PublicKey())
	if err != nil {
		return err
	}
	if err := os.WriteFile(f.keyOut, pem.EncodeToMemory(&pem.Block{
		Type: "PUBLIC KEY", Bytes: der,
	}), 0o644); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("sim wechatpay: listen on %s: %w", f.addr, err)
	}
	fmt.Fprintf(
		out,
		"WeChat Pay simulator on http://%s\n  public key id %s, public key in %s\n"+
			"  buyer pays with: curl -X POST http://%s/sim/pay/<combine_out_trade_no>\n",
		ln.Addr(),
		sim.KeyID,
		f.keyOut,
		ln.Addr(),
	)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("simulator stopped")
	return nil
}
