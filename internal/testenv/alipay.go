package testenv

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

// The test platform's Alipay app and its own Alipay account (a default royalty receiver).
const (
	AlipayAppID    = "2021000000000001"
	AlipayPlatform = "2088000000000100"
)

// Alipay is an Alipay simulator on a test server and the adapter, through smartwalle's client, pointed at it.
type Alipay struct {
	Sim    *alisim.Sim
	Server *httptest.Server
	Client *alipay.Client
}

// StartAlipay runs alisim in public-key mode, opening every sub-merchant on first use; it stops when the test
// ends.
func StartAlipay(t testing.TB) *Alipay {
	t.Helper()
	sim, err := alisim.New(AlipayAppID, channels.AlipayLimits(), 1)
	if err != nil {
		t.Fatal(err)
	}
	sim.AutoOpenSubMerchants(true)
	sim.SetPlatformAccount(AlipayPlatform)
	sim.SetNotifyScale(0.0001)
	a := &Alipay{Sim: sim, Server: httptest.NewServer(sim.Handler())}
	t.Cleanup(a.Server.Close)
	t.Cleanup(sim.Wait)
	k := sim.Keys
	a.Client, err = alipay.New(alipay.Config{AppID: AlipayAppID, PrivateKey: alisim.PrivateKeyPEM(k.AppPrivateKey),
		AlipayPublicKey: alisim.PublicKeyPEM(&k.AlipayPrivateKey.PublicKey), Gateway: a.Server.URL + "/gateway.do",
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Limits: channels.AlipayLimits()})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
