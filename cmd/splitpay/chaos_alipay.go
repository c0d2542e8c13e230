package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/registry"
)

// chaosAlipay is the run's Alipay side: alisim as its own process, the shops' smids and the receivers' Alipay
// user ids, fresh each run. Every other order of the run is paid with Alipay.
type chaosAlipay struct {
	url   string
	shops [2]string
	accts map[string]string // d1, d2, s1, platform → Alipay user id
}

const chaosAlipayApp = "2021000000000001"

func newChaosAlipay() (chaosAlipay, error) {
	addr, err := freePort()
	if err != nil {
		return chaosAlipay{}, err
	}
	id := func() string { return fmt.Sprintf("2088%012d", mrand.Int64N(1e12)) }
	return chaosAlipay{url: "http://" + addr, shops: [2]string{id(), id()},
		accts: map[string]string{"d1": id(), "d2": id(), "s1": id(), "platform": "2088000000000100"}}, nil
}

// env is what the API and the worker need to reach it.
func (a chaosAlipay) env(dir string) []string {
	keys := filepath.Join(dir, "alisim-keys")
	return []string{"SPLITPAY_ALIPAY_APP_ID=" + chaosAlipayApp, "SPLITPAY_ALIPAY_GATEWAY=" + a.url + "/gateway.do",
		"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE=" + filepath.Join(keys, "app-private-key.pem"),
		"SPLITPAY_ALIPAY_PUBLIC_KEY_FILE=" + filepath.Join(keys, "alipay-public-key.pem")}
}

// startAlisim runs `splitpay sim alipay` as a process of the run and waits until it answers: by then it has
// written the keys the API and the worker read.
func (c *chaos) startAlisim(ctx context.Context) error {
	if _, err := c.spawn("alisim", "sim", "alipay", "--listen", strings.TrimPrefix(c.ali.url, "http://"),
		"--app-id", chaosAlipayApp, "--platform-account", c.ali.accts["platform"],
		"--smids", c.ali.shops[0]+","+c.ali.shops[1], "--keys-out", filepath.Join(c.dir, "alisim-keys")); err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
		if resp, err := http.Get(c.ali.url + "/sim/balances/" + c.ali.shops[0]); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("chaos: the Alipay simulator did not start (see %s/alisim.log)", c.dir)
}

// registerAlipay registers the run's shops and receivers on Alipay too, under the same ids.
func (c *chaos) registerAlipay(ctx context.Context) error {
	for i, smid := range c.ali.shops {
		if err := c.call(ctx, http.MethodPost, "/v1/merchants", "", registry.MerchantRequest{ID: c.merchant(i),
			Channel: channels.Alipay, SubMchID: smid, SettleAccount: smid, DisplayName: "Chaos shop"}, nil); err != nil {
			return fmt.Errorf("register merchant on Alipay: %w", err)
		}
	}
	for _, r := range []registry.ReceiverRequest{
		{ID: "platform", Type: "MERCHANT_ID", Account: c.ali.accts["platform"], Name: "SplitPay platform", Relation: "PLATFORM"},
		{ID: c.receiver("d1"), Type: "PERSONAL_OPENID", Account: c.ali.accts["d1"], Name: "一级分销", Relation: "DISTRIBUTOR"},
		{ID: c.receiver("d2"), Type: "PERSONAL_OPENID", Account: c.ali.accts["d2"], Name: "二级分销", Relation: "DISTRIBUTOR"},
		{ID: c.receiver("s1"), Type: "MERCHANT_ID", Account: c.ali.accts["s1"], Name: "Chaos supplier", Relation: "SUPPLIER"},
	} {
		r.Channel = channels.Alipay
		if err := c.call(ctx, http.MethodPost, "/v1/receivers", "", r, nil); err != nil {
			return fmt.Errorf("register receiver %s on Alipay: %w", r.ID, err)
		}
	}
	return nil
}
