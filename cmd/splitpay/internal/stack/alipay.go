package stack

import (
	"net"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

// The embedded Alipay simulator's app id, and the platform's own Alipay user id (a default royalty receiver).
const (
	SimAlipayAppID    = "2021000000000001"
	SimAlipayPlatform = "2088000000000100"
)

// startAlipaySimulator serves an embedded alisim (public-key mode, every shop's smid opened on first use) and
// points an adapter at it.
func (s *Stack) startAlipaySimulator() error {
	sim, err := alisim.New(SimAlipayAppID, channels.AlipayLimits(), uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	sim.AutoOpenSubMerchants(true)
	sim.SetPlatformAccount(SimAlipayPlatform)
	sim.SetNotifyScale(0.001) // Alipay's 25-hour retry schedule in about 90 seconds
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.closers = append(s.closers, func() { _ = srv.Close(); sim.Wait() })
	s.AliSim, s.AliSimURL = sim, "http://"+ln.Addr().String()+"/gateway.do"
	k := sim.Keys
	s.Alipay, err = alipay.New(alipay.Config{AppID: SimAlipayAppID, PrivateKey: alisim.PrivateKeyPEM(k.AppPrivateKey),
		AlipayPublicKey: alisim.PublicKeyPEM(&k.AlipayPrivateKey.PublicKey), Gateway: s.AliSimURL,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, Limits: channels.AlipayLimits()})
	return err
}
