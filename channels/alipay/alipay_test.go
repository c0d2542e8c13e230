package alipay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

const (
	appID = "2021000000000001"
	smid  = "2088000000000101"
	dist  = "2088000000000201" // a distributor's Alipay user id
)

type env struct {
	sim     *alisim.Sim
	gateway *httptest.Server
	inbox   chan url.Values
	notify  *httptest.Server
}

func newEnv(t *testing.T, cert bool) *env {
	t.Helper()
	sim, err := alisim.New(appID, channels.AlipayLimits(), 1)
	if err != nil {
		t.Fatal(err)
	}
	sim.UseCertificateMode(cert)
	sim.AddSubMerchant(smid)
	sim.SetNotifyScale(0.0001)
	e := &env{sim: sim, gateway: httptest.NewServer(sim.Handler()), inbox: make(chan url.Values, 16)}
	e.notify = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f, _ := url.ParseQuery(string(b))
		e.inbox <- f
		_, _ = io.WriteString(w, "success")
	}))
	t.Cleanup(func() { e.gateway.Close(); e.notify.Close() })
	return e
}

func (e *env) client(t *testing.T, cert bool, gateway string) *alipay.Client {
	t.Helper()
	k := e.sim.Keys
	cfg := alipay.Config{AppID: appID, PrivateKey: alisim.PrivateKeyPEM(k.AppPrivateKey), Gateway: gateway,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}}
	if cert {
		cfg.AppCert, cfg.AlipayRootCert, cfg.AlipayCert = alisim.CertPEM(k.AppCert), alisim.CertPEM(k.RootCert),
			alisim.CertPEM(k.AlipayCert)
	} else {
		cfg.AlipayPublicKey = alisim.PublicKeyPEM(&k.AlipayPrivateKey.PublicKey)
	}
	c, err := alipay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func order(notifyURL string) channels.CombinedOrder {
	return channels.CombinedOrder{Scene: channels.SceneAlipayApp, OutTradeNo: "ALI-0001", NotifyURL: notifyURL,
		SubOrders: []channels.SubOrder{
			{SubMchID: smid, OutTradeNo: "ALI-0001-sub1", Description: "tea", Amount: 10000},
			{SubMchID: smid, OutTradeNo: "ALI-0001-sub2", Description: "cups", Amount: 5000},
		}}
}

// The lifecycle through smartwalle's client, unmodified, in both key modes: merged payment, the notifications,
// the settle confirm with freeze, royalty within the cap, finish, and a refund after finish with a reversal.
func TestLifecycleInBothKeyModes(t *testing.T) {
	for _, cert := range []bool{false, true} {
		t.Run(map[bool]string{false: "public-key", true: "certificate"}[cert], func(t *testing.T) {
			e := newEnv(t, cert)
			c := e.client(t, cert, e.gateway.URL+"/gateway.do")
			tx := payBoth(t, e, c)
			shareAndFinish(t, e, c, tx)
			refundAfterFinish(t, e, c, tx)
			e.sim.Wait()
		})
	}
}

// payBoth places a two-shop merged payment, pays it as the buyer, reads both notifications and the query, and
// answers sub-order 1's trade number.
func payBoth(t *testing.T, e *env, c *alipay.Client) string {
	ctx := context.Background()
	o := order(e.notify.URL)
	params, err := c.CreateCombined(ctx, o)
	if err != nil || !strings.Contains(params.OrderString, "alipay.trade.app.merge.pay") {
		t.Fatalf("create: %+v %v", params, err)
	}
	pre, _ := url.ParseQuery(params.OrderString)
	if again, err := c.CreateCombined(ctx, o); err != nil || again.OrderString == "" {
		t.Fatalf("repeating the create must answer again: %v", err)
	}
	if err := e.sim.Pay(preOrderNo(t, pre)); err != nil {
		t.Fatal(err)
	}
	txs := map[string]string{}
	for range 2 {
		n, err := c.ParseNotification(ctx, channels.Inbound{Body: []byte((<-e.inbox).Encode())})
		if err != nil || n.Payment == nil || n.Payment.OutTradeNo != "ALI-0001" ||
			n.Payment.SubOrders[0].TradeState != channels.PaymentPaid {
			t.Fatalf("payment notification: %+v %v", n, err)
		}
		txs[n.Payment.SubOrders[0].OutTradeNo] = n.Payment.SubOrders[0].TransactionID
	}
	st, err := c.QueryCombined(ctx, o.OutTradeNo, o.SubOrders)
	if err != nil || st.SubOrders[0].TradeState != channels.PaymentPaid || st.SubOrders[1].Amount != 5000 {
		t.Fatalf("query: %+v %v", st, err)
	}
	return txs["ALI-0001-sub1"]
}

func shareAndFinish(t *testing.T, e *env, c *alipay.Client, tx string) {
	ctx := context.Background()
	if _, err := c.ConfirmSettlement(ctx, channels.SettleRequest{SubMchID: smid, TransactionID: tx,
		OutRequestNo: "ALI-0001-sub1-settle", Amount: 10000}); err != nil {
		t.Fatal(err)
	}
	if b := e.sim.MerchantBalance(smid); b.Frozen != 10000 || b.Unsettled != 5000 {
		t.Fatalf("after confirm: %+v", b)
	}
	share := channels.SharingRequest{SubMchID: smid, TransactionID: tx, OutOrderNo: "ALI-0001-sub1-share1",
		Receivers: []channels.SharingReceiver{{Account: dist, Amount: 1000, Description: "L1"}}}
	if _, err := c.Share(ctx, share); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Fatalf("sharing to an unbound receiver must be refused: %v", err)
	}
	if err := c.AddReceiver(ctx, channels.ReceiverRegistration{Account: dist, RelationType: "DISTRIBUTOR"}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Share(ctx, share); err != nil || s.Status != channels.SharingFinished ||
		s.Receivers[0].Result != channels.ReceiverSuccess {
		t.Fatalf("share: %+v %v", s, err)
	}
	over := share
	over.OutOrderNo, over.Receivers = "ALI-0001-sub1-share2", []channels.SharingReceiver{{Account: dist, Amount: 2001}}
	if _, err := c.Share(ctx, over); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Fatalf("more than 30 %% must be refused: %v", err)
	}
	fin, err := c.Finish(ctx, channels.FinishRequest{SubMchID: smid, TransactionID: tx, OutOrderNo: "ALI-0001-sub1-finish"})
	if err != nil || fin.FinishAmount != 9000 {
		t.Fatalf("finish: %+v %v", fin, err)
	}
}

func refundAfterFinish(t *testing.T, e *env, c *alipay.Client, tx string) {
	ctx := context.Background()
	rf, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "ALI-0001-sub1-rf-R1", Refund: 5000, From: channels.FundsAvailable,
		Reversals: []channels.Reversal{{Account: dist, Amount: 500}}})
	if err != nil || rf.Status != channels.RefundSucceeded || rf.Refund != 5000 {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if b, got := e.sim.MerchantBalance(smid), e.sim.ReceiverBalance(dist); b.Available != 4500 || got != 500 {
		t.Fatalf("after refund: merchant %+v, distributor %s", b, got)
	}
	n, err := c.ParseNotification(ctx, channels.Inbound{Body: []byte((<-e.inbox).Encode())})
	if err != nil || n.Refund == nil || n.Refund.OutRefundNo != "ALI-0001-sub1-rf-R1" {
		t.Fatalf("refund notification: %+v %v", n, err)
	}
	if _, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "ALI-0001-sub1-rf-R2", Refund: 5001}); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Fatalf("refund beyond what is left must be refused: %v", err)
	}
}

func preOrderNo(t *testing.T, orderString url.Values) string {
	t.Helper()
	biz := orderString.Get("biz_content")
	i := strings.Index(biz, `"pre_order_no":"`)
	if i < 0 {
		t.Fatalf("no pre_order_no in %s", biz)
	}
	rest := biz[i+len(`"pre_order_no":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// Verification is really on: a tampered answer, a forged notification and a request signed with the wrong key
// are all refused.
func TestVerificationIsOn(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	tamper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.sim.Handler().ServeHTTP(rec, r)
		_, _ = io.WriteString(w, strings.Replace(rec.Body.String(), `"10000"`, `"10003"`, 1))
	}))
	defer tamper.Close()
	c := e.client(t, false, tamper.URL+"/gateway.do")
	_, err := c.CreateCombined(ctx, order(e.notify.URL))
	var be *channels.BusinessError
	if !asBusiness(err, &be) || !be.Retryable || be.Code != "RESPONSE_UNVERIFIED" {
		t.Fatalf("a tampered answer must be refused as unverified: %v", err)
	}

	good := e.client(t, false, e.gateway.URL+"/gateway.do")
	params, err := good.CreateCombined(ctx, order(e.notify.URL))
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := url.ParseQuery(params.OrderString)
	_ = e.sim.Pay(preOrderNo(t, pre))
	form := <-e.inbox
	form.Set("total_amount", "1.00")
	if _, err := good.ParseNotification(ctx, channels.Inbound{Body: []byte(form.Encode())}); err == nil {
		t.Fatal("a notification changed after signing must be rejected")
	}

	wrong := e.sim.Keys
	other, _ := alisim.New(appID, channels.AlipayLimits(), 2)
	bad, err := alipay.New(alipay.Config{AppID: appID, PrivateKey: alisim.PrivateKeyPEM(other.Keys.AppPrivateKey),
		AlipayPublicKey: alisim.PublicKeyPEM(&wrong.AlipayPrivateKey.PublicKey), Gateway: e.gateway.URL + "/gateway.do"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.QueryCombined(ctx, "ALI-0001", order("").SubOrders)
	if !asBusiness(err, &be) || be.Retryable || be.Code != "isv.invalid-signature" {
		t.Fatalf("a request signed with another key must get isv.invalid-signature: %v", err)
	}
	e.sim.Wait()
}

func asBusiness(err error, be **channels.BusinessError) bool {
	b, ok := err.(*channels.BusinessError)
	*be = b
	return ok
}
