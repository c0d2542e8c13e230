// StartWeChat starts the WeChat Pay simulator on a loopback test server with a platform registered and
// returns an adapter that talks to it through the real SDK — the fixture every test above the channel uses.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
)

// The test platform's identity.
const (
	SpMchID    = "1900000100"
	SpAppID    = "wx8888888888888888"
	APIv3Key   = "0123456789abcdef0123456789abcdef"
	CertSerial = "MERCHANTSERIAL01"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// MerchantKey is the test platform's API key pair, generated once per test binary (never committed).
func MerchantKey() *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return key
}

// Fixture is a running simulator and an adapter configured for it.
type WeChat struct {
	Sim    *wxsim.Sim
	Server *httptest.Server
	Client *wechatpay.Client
}

// Start runs a simulator with the given limits and sub-merchants; it stops when the test ends.
func StartWeChat(t testing.TB, limits channels.Limits, subMchIDs ...string) *WeChat {
	t.Helper()
	sim, err := wxsim.New(limits, 1)
	if err != nil {
		t.Fatal(err)
	}
	sim.RegisterPlatform(
		wxsim.Platform{MchID: SpMchID, CertSerial: CertSerial, PublicKey: &MerchantKey().PublicKey, APIv3Key: APIv3Key},
	)
	for _, id := range subMchIDs {
		sim.AddSubMerchant(id)
	}
	sim.SetNotifyScale(0.0001)
	f := &WeChat{Sim: sim, Server: httptest.NewServer(sim)}
	t.Cleanup(f.Server.Close)
	t.Cleanup(sim.Wait)
	f.Client = f.NewClient(t, limits)
	return f
}

// NewClient returns another adapter on the fixture's simulator, e.g. with other limits.
func (f *WeChat) NewClient(t testing.TB, limits channels.Limits) *wechatpay.Client {
	t.Helper()
	c, err := wechatpay.New(context.Background(), wechatpay.Config{
		BaseURL: f.Server.URL, SpMchID: SpMchID, SpAppID: SpAppID, MerchantCertSerial: CertSerial,
		MerchantPrivateKey: MerchantKey(), APIv3Key: APIv3Key, WechatPayPublicKeyID: f.Sim.KeyID,
		WechatPayPublicKey: f.Sim.PublicKey(),
		HTTPClient:         &http.Client{Timeout: 2 * time.Second}, Limits: limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
