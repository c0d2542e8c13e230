package alipay_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// paidTrade pays a one-shop 100.00 QR order and answers the client and the trade number; confirm also confirms
// its settlement with the freeze and binds the distributor.
func paidTrade(t *testing.T, no string, confirm bool) (*env, *alipay.Client, string) {
	t.Helper()
	e := newEnv(t, false)
	c := e.client(t, false, e.gateway.URL+"/gateway.do")
	ctx := context.Background()
	o := channels.CombinedOrder{Scene: channels.SceneAlipayQR, OutTradeNo: no, NotifyURL: e.notify.URL,
		SubOrders: []channels.SubOrder{{SubMchID: smid, OutTradeNo: no + "-sub1", Description: "tea", Amount: 10000}}}
	if p, err := c.CreateCombined(ctx, o); err != nil || p.CodeURL == "" {
		t.Fatalf("create: %+v %v", p, err)
	}
	if err := e.sim.Pay(wire.OutNo(o.SubOrders[0].OutTradeNo, wire.MaxOutTradeNo)); err != nil {
		t.Fatal(err)
	}
	<-e.inbox
	st, err := c.QueryCombined(ctx, no, o.SubOrders)
	if err != nil || st.SubOrders[0].TradeState != channels.PaymentPaid {
		t.Fatalf("query: %+v %v", st, err)
	}
	tx := st.SubOrders[0].TransactionID
	if confirm {
		if _, err := c.ConfirmSettlement(ctx, channels.SettleRequest{SubMchID: smid, TransactionID: tx,
			OutRequestNo: no + "-sub1-settle", Amount: 10000}); err != nil {
			t.Fatal(err)
		}
		if err := c.AddReceiver(ctx, channels.ReceiverRegistration{Account: dist}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(e.sim.Wait)
	return e, c, tx
}

func share(c *alipay.Client, tx, no string, amount money.Amount) error {
	_, err := c.Share(context.Background(), channels.SharingRequest{SubMchID: smid, TransactionID: tx, OutOrderNo: no,
		Receivers: []channels.SharingReceiver{{Account: dist, Amount: amount}}})
	return err
}

// The cap is 30.00 of 100.00: the last fen passes, one more is refused.
func TestLastFenOfTheCap(t *testing.T) {
	e, c, tx := paidTrade(t, "CAP001", true)
	if err := share(c, tx, "CAP001-sub1-share1", 2999); err != nil {
		t.Fatal(err)
	}
	if err := share(c, tx, "CAP001-sub1-share2", 1); err != nil {
		t.Fatalf("the last fen of the cap must pass: %v", err)
	}
	if err := share(c, tx, "CAP001-sub1-share3", 1); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Fatalf("a fen over the cap must be refused: %v", err)
	}
	if got := e.sim.ReceiverBalance(dist); got != 3000 {
		t.Fatalf("distributor holds %s, want 30.00", got)
	}
}

// Before the finish a refund comes from what the trade still holds frozen: more than that is refused and moves
// nothing; all of it passes.
func TestRefundLargerThanFrozen(t *testing.T) {
	e, c, tx := paidTrade(t, "FRZ001", true)
	if err := share(c, tx, "FRZ001-sub1-share1", 3000); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "FRZ001-sub1-rf-A", Refund: 7001})
	if !channels.IsReason(err, channels.ReasonNotEnough) || e.sim.MerchantBalance(smid).Frozen != 7000 {
		t.Fatalf("70.01 of 70.00 frozen: %v, %+v", err, e.sim.MerchantBalance(smid))
	}
	rf, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "FRZ001-sub1-rf-B", Refund: 7000, From: channels.FundsFrozen})
	if err != nil || rf.Refund != 7000 || rf.From != channels.FundsFrozen || e.sim.MerchantBalance(smid).Frozen != 0 {
		t.Fatalf("all of the frozen money: %+v %v %+v", rf, err, e.sim.MerchantBalance(smid))
	}
}

// A full refund closes the trade, and its notification still reads as the refund; the same out_request_no is
// refunded once, and with another amount it is refused.
func TestFullRefundAndRepeats(t *testing.T) {
	e, c, tx := paidTrade(t, "FUL001", false)
	ctx := context.Background()
	req := channels.RefundRequest{SubMchID: smid, TransactionID: tx, OutRefundNo: "FUL001-sub1-rf-A", Refund: 10000}
	for range 2 {
		if rf, err := c.ApplyRefund(ctx, req); err != nil || rf.Refund != 10000 {
			t.Fatalf("full refund (and its repeat): %+v %v", rf, err)
		}
	}
	if b := e.sim.MerchantBalance(smid); b.Unsettled != 0 {
		t.Fatalf("refunded twice or not at all: %+v", b)
	}
	other := req
	other.Refund = 9999
	if _, err := c.ApplyRefund(ctx, other); err == nil {
		t.Fatal("the same out_request_no with another amount must be refused")
	}
	st, err := c.QueryCombined(ctx, "FUL001", []channels.SubOrder{{SubMchID: smid, OutTradeNo: "FUL001-sub1"}})
	if err != nil || st.SubOrders[0].TradeState != channels.PaymentClosed {
		t.Fatalf("a fully refunded trade is closed: %+v %v", st, err)
	}
	n, err := c.ParseNotification(ctx, channels.Inbound{Body: []byte((<-e.inbox).Encode())})
	if err != nil || n.Refund == nil || n.Refund.OutRefundNo != "FUL001-sub1-rf-A" {
		t.Fatalf("the closing notification is the refund's: %+v %v", n, err)
	}
}

// Two identical sharing requests racing move the money once.
func TestRacingShares(t *testing.T) {
	e, c, tx := paidTrade(t, "RACE01", true)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = share(c, tx, "RACE01-sub1-share1", 1000) }()
	}
	wg.Wait()
	if errors.Join(errs...) != nil || e.sim.ReceiverBalance(dist) != 1000 {
		t.Fatalf("racing shares: %v, distributor %s", errs, e.sim.ReceiverBalance(dist))
	}
}

// Alipay releases frozen money after FreezeDays by itself; a later refund comes from the balance.
func TestAutoReleaseAfterFreezeDays(t *testing.T) {
	e, c, tx := paidTrade(t, "AUTO01", true)
	e.sim.Advance(30*24*time.Hour + time.Minute)
	if b := e.sim.MerchantBalance(smid); b.Frozen != 0 || b.Available != 10000 {
		t.Fatalf("after 30 days: %+v", b)
	}
	if _, err := c.ApplyRefund(context.Background(), channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "AUTO01-sub1-rf-A", Refund: 10000, From: channels.FundsAvailable}); err != nil {
		t.Fatal(err)
	}
	if b := e.sim.MerchantBalance(smid); b.Available != 0 {
		t.Fatalf("the refund must come from the balance: %+v", b)
	}
}

// A form with a NUL byte, or none at all, is a forgery: rejected before anything reads it.
func TestMalformedNotifications(t *testing.T) {
	_, c, _ := paidTrade(t, "NUL001", false)
	for name, body := range map[string]string{"NUL": "notify_id=1\x00&sign=x", "empty": "",
		"bad escape": "a=%zz", "unsigned": url.Values{"notify_type": {"trade_status_sync"}}.Encode()} {
		if _, err := c.ParseNotification(context.Background(), channels.Inbound{Body: []byte(body)}); !errors.Is(err,
			channels.ErrNotificationRejected) {
			t.Errorf("%s: %v, want ErrNotificationRejected", name, err)
		}
	}
}

// A refund whose reversals pass their checks but whose own money is short moves nothing — no royalty comes back
// half-way — and the same request number then works for a refund the trade covers with the reversal counted.
func TestRefundWithReversalsIsAllOrNothing(t *testing.T) {
	e, c, tx := paidTrade(t, "AON001", true)
	if err := share(c, tx, "AON001-sub1-share1", 3000); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	refund := func(amount money.Amount) error {
		_, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx, OutRefundNo: "AON001-rf1",
			Refund: amount, Total: 10000, Reversals: []channels.Reversal{{Account: dist, Amount: 1000}}})
		return err
	}
	// 70.00 frozen + 10.00 given back cannot pay 100.00, and the shop has no balance.
	if err := refund(10000); !channels.IsReason(err, channels.ReasonNotEnough) {
		t.Fatalf("a refund the trade cannot pay: %v", err)
	}
	if got, held := e.sim.ReceiverBalance(dist), e.sim.MerchantBalance(smid).Frozen; got != 3000 || held != 7000 {
		t.Fatalf("after a refused refund the distributor holds %s and the trade %s frozen; want 30.00 and 70.00",
			got, held)
	}
	if err := refund(8000); err != nil {
		t.Fatalf("70.00 frozen + 10.00 given back pays 80.00: %v", err)
	}
	if got, held := e.sim.ReceiverBalance(dist), e.sim.MerchantBalance(smid).Frozen; got != 2000 || held != 0 {
		t.Fatalf("the distributor holds %s and the trade %s frozen; want 20.00 and 0", got, held)
	}
}

// The sharing cap is the contract's, read with alipay.trade.royalty.rate.query, not the documented 30 %.
func TestSharingCapReadFromAlipay(t *testing.T) {
	limits := channels.AlipayLimits()
	limits.MaxSharingRatio = decimal.RequireFromString("0.20")
	sim, err := alisim.New(appID, limits, 1)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{sim: sim, gateway: httptest.NewServer(sim.Handler())}
	t.Cleanup(e.gateway.Close)
	c := e.client(t, false, e.gateway.URL+"/gateway.do")
	if got := c.Limits().MaxSharingRatio.String(); got != "0.3" {
		t.Fatalf("before asking: %s", got)
	}
	if err := c.LoadSharingCap(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Limits().MaxSharingRatio.String(); got != "0.2" {
		t.Errorf("the contract's cap: %s, want 0.2", got)
	}
}

// A receiver removed and registered again is bound again: the second registration is a new bind request (its
// generation is in the number), not a repeat of the first that Alipay would answer without binding.
func TestReceiverBoundAgainAfterRemoval(t *testing.T) {
	e, c, tx := paidTrade(t, "REB001", true) // binds dist, generation 1
	ctx := context.Background()
	if err := c.DeleteReceiver(ctx, channels.ReceiverRegistration{Account: dist, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	if err := share(c, tx, "REB001-sub1-share1", 100); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Fatalf("sharing to an unbound receiver: %v", err)
	}
	if err := c.AddReceiver(ctx, channels.ReceiverRegistration{Account: dist, Generation: 2}); err != nil {
		t.Fatal(err)
	}
	if err := share(c, tx, "REB001-sub1-share2", 100); err != nil {
		t.Fatalf("sharing after binding again: %v", err)
	}
	if got := e.sim.ReceiverBalance(dist); got != 100 {
		t.Errorf("distributor holds %s", got)
	}
}
