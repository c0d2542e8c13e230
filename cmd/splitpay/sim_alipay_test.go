package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
)

// `splitpay sim alipay` in certificate mode writes the keys and certificates; the live adapter, configured from
// the SPLITPAY_ALIPAY_* settings the command prints, places an order there with every answer verified.
func TestSimAlipayServesTheAdapterConfiguredFromItsFiles(t *testing.T) {
	dir := t.TempDir()
	addr, stop := serveSim(t, "/sim/balances/2088000000000101", "alipay", "--cert-mode", "--keys-out", dir)
	ctx := context.Background()
	cfg := &config{AlipayAppID: "2021000000000001", AlipayGateway: "http://" + addr + "/gateway.do",
		AlipayPrivateKeyFile: filepath.Join(dir, "app-private-key.pem"),
		AlipayAppCertFile:    filepath.Join(dir, "app-cert.crt"),
		AlipayRootCertFile:   filepath.Join(dir, "alipay-root-cert.crt"),
		AlipayCertFile:       filepath.Join(dir, "alipay-cert.crt")}
	c, err := cfg.alipayClient()
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateCombined(ctx, channels.CombinedOrder{Scene: channels.SceneAlipayPage, OutTradeNo: "SIM0001",
		NotifyURL: "http://127.0.0.1:1/notify/alipay", SubOrders: []channels.SubOrder{{SubMchID: "2088000000000101",
			OutTradeNo: "SIM0001-sub1", Description: "tea", Amount: 100}}})
	if err != nil || p.PayURL == "" {
		t.Errorf("order at the simulator: %+v %v", p, err)
	}
	// The control API: the buyer pays, and the shop's money shows as unsettled.
	if resp, err := http.Post("http://"+addr+"/sim/pay/SIM0001", "", nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("pay through the control API: %v %v", resp, err)
	}
	resp, err := http.Get("http://" + addr + "/sim/balances/2088000000000101")
	var bal struct{ Unsettled, Frozen, Available int64 }
	if err != nil || json.NewDecoder(resp.Body).Decode(&bal) != nil || bal.Unsettled != 100 {
		t.Errorf("balance through the control API: %+v %v", bal, err)
	}
	onboardThroughTheControlAPI(t, c, addr)
	both := *cfg
	both.AlipayPublicKeyFile = filepath.Join(dir, "alipay-public-key.pem")
	if _, err := both.alipayClient(); err == nil {
		t.Error("a public key and certificates together were accepted: one key mode only")
	}
	if err := stop(); err != nil {
		t.Errorf("sim exited with %v", err)
	}
}

// onboardThroughTheControlAPI: an application reviewed on the simulator's clock, confirmed by the shop through the
// control API, finishes with a smid.
func onboardThroughTheControlAPI(t *testing.T, c *alipay.Client, addr string) {
	ctx := context.Background()
	a := channels.Applyment{OutRequestNo: "SIMAPPLY1", OrganizationType: "2500", IDCardName: "李四",
		IDCardNumber: "11010519491231002X", ContactName: "李四", MobilePhone: "13800138000", StoreName: "Hill Tea",
		StoreURL: "https://hill.example.com", MerchantShortname: "Hill Tea", MCC: "5499",
		SettleLogonID: "lisi@example.com", CertImage: "img-1"}
	if _, err := c.SubmitApplyment(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/sim/advance?by=2m", "/sim/applications/SIMAPPLY1/confirm"} {
		if resp, err := http.Post("http://"+addr+path, "", nil); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %v %v", path, resp, err)
		}
	}
	if st, err := c.QueryApplyment(ctx, "SIMAPPLY1"); err != nil || st.State != channels.ApplymentFinish ||
		st.SubMchID == "" {
		t.Errorf("after the shop confirmed: %+v %v", st, err)
	}
}
