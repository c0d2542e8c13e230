package wechatpay_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/money"
)

const (
	spMchID  = testenv.SpMchID
	spAppID  = testenv.SpAppID
	apiV3Key = testenv.APIv3Key
	shopA    = "1900000109"
	shopB    = "1900000110"
)

// env is the simulator fixture plus a server that records the notifications the simulator sends.
type env struct {
	*testenv.WeChat
	sim     *wxsim.Sim
	wx      *wechatpay.Client
	srv     *httptest.Server
	key     *rsa.PrivateKey
	notify  *httptest.Server
	mu      sync.Mutex
	arrived []*http.Request
	bodies  [][]byte
}

func newEnv(t testing.TB, limits channels.Limits) *env {
	t.Helper()
	f := testenv.StartWeChat(t, limits, shopA, shopB)
	e := &env{WeChat: f, sim: f.Sim, wx: f.Client, srv: f.Server, key: testenv.MerchantKey()}
	e.notify = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.bodies = append(e.bodies, body)
		e.arrived = append(e.arrived, r)
		e.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(e.notify.Close)
	return e
}

func (e *env) client(t testing.TB, limits channels.Limits) *wechatpay.Client {
	return e.NewClient(t, limits)
}

// notification waits for the n-th notification and rebuilds it as a request the parser can read.
func (e *env) notification(t *testing.T, n int) *http.Request {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		if len(e.arrived) >= n {
			r, body := e.arrived[n-1], e.bodies[n-1]
			e.mu.Unlock()
			req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
			req.Header = r.Header.Clone()
			return req
		}
		e.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("notification %d never arrived", n)
	return nil
}

func order(no string, subs ...channels.SubOrder) channels.CombinedOrder {
	return channels.CombinedOrder{
		Scene:         channels.SceneJSAPI,
		OutTradeNo:    no,
		PayerOpenID:   "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		PayerClientIP: "127.0.0.1",
		NotifyURL:     "https://example.invalid/notify",
		SubOrders:     subs,
	}
}

func sub(shop, no string, amount money.Amount, sharing bool, subsidy money.Amount) channels.SubOrder {
	return channels.SubOrder{
		SubMchID:      shop,
		OutTradeNo:    no,
		Description:   "tea",
		Amount:        amount,
		ProfitSharing: sharing,
		SubsidyAmount: subsidy,
	}
}

// wantCode asserts a BusinessError with the channel's code and retryable flag.
func wantCode(t *testing.T, err error, code string, retryable bool) {
	t.Helper()
	var be *channels.BusinessError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want BusinessError %s", err, code)
	}
	if be.Code != code || be.Retryable != retryable {
		t.Fatalf("err = %s (retryable %v), want %s (retryable %v)", be, be.Retryable, code, retryable)
	}
}

// pay places and pays a one-sub-order combined order and returns the sub-order's transaction id.
func (e *env) pay(t *testing.T, no string, amount, subsidy money.Amount) string {
	t.Helper()
	ctx := context.Background()
	o := order(no, sub(shopA, no+"-1", amount, true, subsidy))
	o.NotifyURL = e.notify.URL
	if _, err := e.wx.CreateCombined(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	st, err := e.wx.QueryCombined(ctx, no, nil)
	if err != nil || st.SubOrders[0].TradeState != channels.PaymentPaid {
		t.Fatalf("after pay: %+v %v", st, err)
	}
	return st.SubOrders[0].TransactionID
}

func TestCombinedPaymentLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	o := order("C100001", sub(shopA, "C100001-1", 10000, true, 0), sub(shopB, "C100001-2", 8000, false, 0))
	o.NotifyURL = e.notify.URL
	params, err := e.wx.CreateCombined(ctx, o)
	if err != nil || params.PrepayID == "" {
		t.Fatalf("create: %+v %v", params, err)
	}
	again, err := e.wx.CreateCombined(ctx, o)
	if err != nil || again.PrepayID != params.PrepayID {
		t.Errorf("repeat create: %+v %v, want the same prepay id", again, err)
	}
	changed := o
	changed.SubOrders = []channels.SubOrder{sub(shopA, "C100001-1", 10001, true, 0), o.SubOrders[1]}
	_, err = e.wx.CreateCombined(ctx, changed)
	wantCode(t, err, wire.CodeOutTradeNoUsed, false)

	for _, scene := range []string{
		channels.SceneApp, channels.SceneNative, channels.SceneH5, channels.SceneMiniProgram,
	} {
		so := order("SCENE-"+scene, sub(shopA, "SCENE-"+scene+"-1", 100, false, 0))
		so.Scene, so.H5Type = scene, "Wap"
		p, err := e.wx.CreateCombined(ctx, so)
		if err != nil || p.PrepayID+p.CodeURL+p.H5URL == "" {
			t.Errorf("scene %s: %+v %v", scene, p, err)
		}
	}

	st, err := e.wx.QueryCombined(ctx, "C100001", nil)
	if err != nil || st.SubOrders[0].TradeState != channels.PaymentNotPaid {
		t.Fatalf("query unpaid: %+v %v", st, err)
	}
	if err := e.sim.Pay("C100001"); err != nil {
		t.Fatal(err)
	}
	n, paid, err := parsePayment(e.wx, e.notification(t, 1))
	if err != nil || n.EventType != "TRANSACTION.SUCCESS" || paid.OutTradeNo != "C100001" || len(paid.SubOrders) != 2 ||
		paid.SubOrders[0].TradeState != channels.PaymentPaid || paid.SubOrders[0].TransactionID == "" || paid.SubOrders[1].Amount != 8000 {
		t.Fatalf("payment notification: %+v %+v %v", n, paid, err)
	}
	if b := e.sim.Balance(shopA); b.Frozen != 10000 || b.Available != 0 {
		t.Errorf("shop A (profit sharing) balance %+v", b)
	}
	if b := e.sim.Balance(shopB); b.Frozen != 0 || b.Available != 8000 {
		t.Errorf("shop B (no sharing) balance %+v", b)
	}
	wantCode(t, e.wx.CloseCombined(ctx, "", "C100001", o.SubOrders), wire.CodeOrderPaid, false)

}

// An unpaid order closes; only the whole order can close; a closed order cannot be paid.
func TestUnpaidCombinedOrderCloses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	u := order("C100002", sub(shopA, "C100002-1", 500, false, 0), sub(shopB, "C100002-2", 500, false, 0))
	if _, err := e.wx.CreateCombined(ctx, u); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.wx.CloseCombined(ctx, "", "C100002", u.SubOrders[:1]), wire.CodeParamError, false)
	if err := e.wx.CloseCombined(ctx, "", "C100002", u.SubOrders); err != nil {
		t.Fatalf("close: %v", err)
	}
	if st, _ := e.wx.QueryCombined(ctx, "C100002", nil); st.SubOrders[0].TradeState != channels.PaymentClosed {
		t.Errorf("closed order state %+v", st)
	}
	if err := e.sim.Pay("C100002"); err == nil {
		t.Error("a closed order was paid")
	}
	_, err := e.wx.QueryCombined(ctx, "NOPE0001", nil)
	wantCode(t, err, wire.CodeOrderNotExist, false)
}

func TestCombinedOrderRules(t *testing.T) {
	ctx := context.Background()
	loose := channels.WeChatLimits()
	loose.MaxSubOrders = 60 // let 51 sub-orders through the adapter so the simulator's own rule answers
	e := newEnv(t, channels.WeChatLimits())
	var subs []channels.SubOrder
	for i := range 51 {
		subs = append(subs, sub(shopA, fmt.Sprintf("BIG0001-%02d", i), 100, false, 0))
	}
	_, err := e.client(t, loose).CreateCombined(ctx, order("BIG0001", subs...))
	wantCode(t, err, wire.CodeParamError, false)
	strict := newEnv(t, channels.WeChatLimits())
	_, err = strict.wx.CreateCombined(ctx, order("BIG0002", subs...))
	wantCode(t, err, wire.CodeParamError, false) // refused by the adapter before the call

	_, err = e.wx.CreateCombined(ctx, order("UNK0001", sub("1999999999", "UNK0001-1", 100, false, 0)))
	wantCode(t, err, wire.CodeNoAuth, false)
	noPayer := order("NOP0001", sub(shopA, "NOP0001-1", 100, false, 0))
	noPayer.PayerOpenID = ""
	_, err = e.wx.CreateCombined(ctx, noPayer)
	wantCode(t, err, wire.CodeParamError, false)
}

// The channel documentation's coupon example at the adapter: two items of 100, a 满200减20 platform coupon (the
// buyer pays 180, the platform subsidises 20), then the subsidy, sharing within the cap, returns, a refund of
// one item, the subsidy's return and finish; every step's refusals on the way.
func TestSharingSubsidyReturnRefundFinish(t *testing.T) {
	c := &couponCase{t: t, ctx: context.Background(), e: newEnv(t, channels.WeChatLimits())}
	c.tx = c.e.pay(t, "C200001", 18000, 2000)
	c.subsidise()
	c.shareWithinTheCap()
	c.returnMerchantShares()
	rf := c.refundOneItem()
	c.returnTheSubsidy(rf)
	c.finish()
	c.fundFlowBill()
}

// fundFlowBill: the platform's fund-flow bill of the day lists the subsidy paid out and the one got back, keyed by
// their ids, as reconciliation reads them.
func (c *couponCase) fundFlowBill() {
	t, e := c.t, c.e
	now := time.Now().In(channels.ChinaTime)
	e.sim.Advance(channels.BillsMade(now).Sub(now))
	var kinds []string
	for l, err := range e.wx.ReadStatement(c.ctx, wechatpay.BillFundFlow, now.Format(time.DateOnly)) {
		if err != nil {
			t.Fatal(err)
		}
		if l.Amount != 2000 || l.EventID == "" {
			t.Errorf("fund-flow line %+v", l)
		}
		kinds = append(kinds, l.Kind)
	}
	if strings.Join(kinds, ",") != "subsidy,subsidy_return" {
		t.Errorf("fund-flow bill kinds %v", kinds)
	}
	// the raw bill lists every movement of the platform's account: its commission in, and the part it returned
	raw := rawBill(t, e, wire.PathFundFlowBill, url.Values{"bill_date": {now.Format(time.DateOnly)},
		"account_type": {wire.AccountBasic}})
	for _, want := range []string{"`分账,`分账,`收入,`10.00,", "`分账回退,`分账回退,`支出,`5.00,"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the platform's fund-flow bill lacks %q:\n%s", want, raw)
		}
	}
}

// couponCase is TestSharingSubsidyReturnRefundFinish's order, step by step.
type couponCase struct {
	t   *testing.T
	ctx context.Context
	e   *env
	tx  string
}

func (c *couponCase) share(no string, rcv ...channels.SharingReceiver) (channels.SharingState, error) {
	return c.e.wx.Share(c.ctx, channels.SharingRequest{
		SubMchID: shopA, TransactionID: c.tx, OutOrderNo: no, Receivers: rcv,
	})
}

// receivers are the platform (10), a supplier (10) and a person (20).
func (c *couponCase) receivers() (platform, supplier, person channels.SharingReceiver) {
	return channels.SharingReceiver{
			Type: channels.ReceiverMerchant, Account: spMchID, Amount: 1000, Description: "commission",
		},
		channels.SharingReceiver{
			Type: channels.ReceiverMerchant, Account: "1900000300", Amount: 1000, Description: "supplier",
		},
		channels.SharingReceiver{Type: channels.ReceiverPersonal, Account: "o-distributor-1", Name: "张三", Amount: 2000,
			Description: "L1"}
}

// subsidise: sharing before the subsidy is refused; the subsidy is paid once, repeat-safe.
func (c *couponCase) subsidise() {
	t, e, ctx, tx := c.t, c.e, c.ctx, c.tx
	platform, _, _ := c.receivers()
	share := c.share
	_, err := share("C200001-sub1-share1", platform)
	wantCode(t, err, wire.CodeRuleLimit, false) // the subsidy comes first
	sub := channels.SubsidyRequest{
		SubMchID:      shopA,
		TransactionID: tx,
		OutSubsidyNo:  "C200001-sub1-subsidy",
		Amount:        2000,
		Description:   "coupon",
	}
	if st, err := e.wx.CreateSubsidy(ctx, sub); err != nil || st.Amount != 2000 {
		t.Fatalf("subsidy: %+v %v", st, err)
	}
	if _, err := e.wx.CreateSubsidy(ctx, sub); err != nil {
		t.Errorf("re-entrant subsidy: %v", err)
	}
	if b := e.sim.Balance(shopA); b.Frozen != 20000 {
		t.Fatalf("frozen after subsidy = %d", b.Frozen)
	}

}

// shareWithinTheCap: an unregistered receiver and a share above 30% are refused; the request is repeat-safe (the
// name re-encrypted), other content under its number is refused, a second subsidy after sharing too.
func (c *couponCase) shareWithinTheCap() {
	t, e, ctx, tx := c.t, c.e, c.ctx, c.tx
	platform, supplier, person := c.receivers()
	share := c.share
	var err error
	_, err = share("C200001-sub1-share1", platform, supplier)
	wantCode(t, err, wire.CodeInvalidRequest, false) // the supplier is not added yet
	for _, r := range []channels.ReceiverRegistration{
		{Type: channels.ReceiverMerchant, Account: "1900000300", Name: "茶叶供应商有限公司", RelationType: "SUPPLIER"},
		{Type: channels.ReceiverPersonal, Account: "o-distributor-1", Name: "张三", RelationType: "DISTRIBUTOR"},
	} {
		if err := e.wx.AddReceiver(ctx, r); err != nil {
			t.Fatalf("add receiver %s: %v", r.Account, err)
		}
	}
	over := person
	over.Amount = 4001 // 1000 + 1000 + 4001 > 30% of 200.00
	_, err = share("C200001-sub1-share1", platform, supplier, over)
	wantCode(t, err, wire.CodeRuleLimit, false)

	st, err := share("C200001-sub1-share1", platform, supplier, person)
	if err != nil || st.Status != channels.SharingProcessing {
		t.Fatalf("share: %+v %v", st, err)
	}
	if again, err := share("C200001-sub1-share1", platform, supplier, person); err != nil ||
		again.OrderID != st.OrderID {
		t.Errorf("repeated share (name re-encrypted): %+v %v", again, err)
	}
	changed := person
	changed.Amount = 1999
	_, err = share("C200001-sub1-share1", platform, supplier, changed)
	wantCode(t, err, wire.CodeInvalidRequest, false)
	done, err := e.wx.QuerySharing(ctx, shopA, tx, "C200001-sub1-share1")
	if err != nil || done.Status != channels.SharingFinished || done.Receivers[2].Result != channels.ReceiverSuccess {
		t.Fatalf("query sharing: %+v %v", done, err)
	}
	if left, err := e.wx.UnsplitAmount(ctx, tx); err != nil || left != 16000 {
		t.Errorf("unsplit = %d, %v; want 160.00", left, err)
	}
	_, err = e.wx.CreateSubsidy(
		ctx,
		channels.SubsidyRequest{SubMchID: shopA, TransactionID: tx, OutSubsidyNo: "x", Amount: 1000, RefundID: "r"},
	)
	wantCode(t, err, wire.CodeInvalidRequest, false) // a second subsidy, and after sharing

}

// returnMerchantShares: the buyer returns one item; the merchants' shares are pulled back, a person's cannot be.
func (c *couponCase) returnMerchantShares() {
	t, e, ctx := c.t, c.e, c.ctx
	_, err := e.wx.Return(
		ctx,
		channels.ReturnRequest{
			SubMchID:    shopA,
			OutOrderNo:  "C200001-sub1-share1",
			OutReturnNo: "C200001-r1-p",
			ReturnMchID: "o-distributor-1",
			Amount:      100,
		},
	)
	wantCode(t, err, wire.CodeRuleLimit, false)
	_, err = e.wx.Return(
		ctx,
		channels.ReturnRequest{
			SubMchID:    shopA,
			OutOrderNo:  "C200001-sub1-share1",
			OutReturnNo: "C200001-r1-s",
			ReturnMchID: "1900000300",
			Amount:      1001,
		},
	)
	wantCode(t, err, wire.CodeInvalidRequest, false)
	ret, err := e.wx.Return(
		ctx,
		channels.ReturnRequest{
			SubMchID:    shopA,
			OutOrderNo:  "C200001-sub1-share1",
			OutReturnNo: "C200001-r1-pl",
			ReturnMchID: spMchID,
			Amount:      500,
		},
	)
	if err != nil || ret.Result != channels.ReturnSuccess {
		t.Fatalf("return: %+v %v", ret, err)
	}
	if q, err := e.wx.QueryReturn(ctx, shopA, "C200001-sub1-share1", "C200001-r1-pl"); err != nil || q.Amount != 500 {
		t.Errorf("query return: %+v %v", q, err)
	}

}

// refundOneItem refunds 80 (more than the total is refused by the adapter); the REFUND.SUCCESS notification and
// the query by id agree.
func (c *couponCase) refundOneItem() channels.RefundState {
	t, e, ctx, tx := c.t, c.e, c.ctx, c.tx
	refund := channels.RefundRequest{
		SubMchID:      shopA,
		TransactionID: tx,
		OutRefundNo:   "C200001-sub1-refund1",
		Reason:        "return",
		Refund:        8000,
		Total:         18000,
		NotifyURL:     e.notify.URL,
	}
	over2 := refund
	over2.OutRefundNo, over2.Refund = "C200001-sub1-refund0", 18001
	_, err := e.wx.ApplyRefund(ctx, over2)
	wantCode(t, err, wire.CodeParamError, false) // above the total: refused by the adapter
	rf, err := e.wx.ApplyRefund(ctx, refund)
	if err != nil || rf.Status != channels.RefundProcessing || rf.RefundID == "" {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if err := e.sim.SettleRefund(shopA, refund.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	n, rn, err := parseRefund(e.wx, e.notification(t, 2))
	if err != nil || n.EventType != "REFUND.SUCCESS" || rn.OutRefundNo != refund.OutRefundNo || rn.Refund != 8000 ||
		rn.Status != channels.RefundSucceeded {
		t.Fatalf("refund notification: %+v %+v %v", n, rn, err)
	}
	if q, err := e.wx.QueryRefundByID(ctx, shopA, rf.RefundID); err != nil || q.Status != channels.RefundSucceeded {
		t.Errorf("query refund by id: %+v %v", q, err)
	}
	return rf
}

// returnTheSubsidy gives the voided coupon's 20 back to the platform, once per refund.
func (c *couponCase) returnTheSubsidy(rf channels.RefundState) {
	t, e, ctx, tx := c.t, c.e, c.ctx, c.tx
	srt := channels.SubsidyReturnRequest{
		SubMchID:      shopA,
		OutOrderNo:    "C200001-sub1-subret1",
		TransactionID: tx,
		RefundID:      rf.RefundID,
		Amount:        2000,
	}
	if st, err := e.wx.ReturnSubsidy(ctx, srt); err != nil || st.Amount != 2000 {
		t.Fatalf("subsidy return: %+v %v", st, err)
	}
	srt.OutOrderNo = "C200001-sub1-subret2"
	_, err := e.wx.ReturnSubsidy(ctx, srt)
	wantCode(t, err, wire.CodeInvalidRequest, false) // one subsidy return per refund

}

// finish unfreezes the rest: 200 paid+subsidy − 40 shared + 5 returned − 80 refunded − 20 subsidy returned = 65.
func (c *couponCase) finish() {
	t, e, ctx, tx := c.t, c.e, c.ctx, c.tx
	fin, err := e.wx.Finish(
		ctx,
		channels.FinishRequest{
			SubMchID:      shopA,
			TransactionID: tx,
			OutOrderNo:    "C200001-sub1-finish",
			Description:   "done",
		},
	)
	// 200 paid+subsidy − 40 shared + 5 returned − 80 refunded − 20 subsidy returned = 65 yuan left to unfreeze.
	if err != nil || fin.Status != channels.SharingFinished || fin.FinishAmount != 6500 {
		t.Fatalf("finish: %+v %v", fin, err)
	}
	if b := e.sim.Balance(shopA); b.Frozen != 0 || b.Available != 6500 {
		t.Errorf("shop A after finish: %+v", b)
	}
	if e.sim.ReceiverBalance(channels.ReceiverMerchant, spMchID) != 500 ||
		e.sim.ReceiverBalance(channels.ReceiverPersonal, "o-distributor-1") != 2000 {
		t.Error("receivers' balances do not match what was shared and returned")
	}
}

func TestRefundWaitsForProcessingSharing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	tx := e.pay(t, "C300001", 10000, 0)
	e.sim.SetFaults(wxsim.Faults{StuckSharing: true})
	if _, err := e.wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "C300001-share1",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: spMchID, Amount: 1000}}}); err != nil {
		t.Fatal(err)
	}
	refund := channels.RefundRequest{
		SubMchID:      shopA,
		TransactionID: tx,
		OutRefundNo:   "C300001-refund1",
		Refund:        1000,
		Total:         10000,
	}
	_, err := e.wx.ApplyRefund(ctx, refund)
	wantCode(t, err, wire.CodeRuleLimit, false)
	e.sim.SetFaults(wxsim.Faults{})
	if _, err := e.wx.ApplyRefund(ctx, refund); err != nil {
		t.Errorf("refund after the sharing settled: %v", err)
	}
	refund.OutRefundNo, refund.Refund = "C300001-refund2", 9001 // 10.00 already refunded
	_, err = e.wx.ApplyRefund(ctx, refund)
	wantCode(t, err, wire.CodeInvalidRequest, false)
}

func TestSharingLimits(t *testing.T) {
	ctx := context.Background()
	limits := channels.WeChatLimits()
	limits.MaxSharingsPerOrder = 2
	loose := limits
	loose.MaxReceiversPerSharing = 10
	e := newEnv(t, limits)
	tx := e.pay(t, "C400001", 100000, 0)
	plat := func(a money.Amount) []channels.SharingReceiver {
		return []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: spMchID, Amount: a}}
	}
	for i := 1; i <= 2; i++ {
		if _, err := e.wx.Share(ctx, channels.SharingRequest{
			SubMchID: shopA, TransactionID: tx, OutOrderNo: "C400001-s" + strconv.Itoa(i),
			Receivers: plat(100),
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.wx.Share(
		ctx,
		channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "C400001-s3", Receivers: plat(100)},
	)
	wantCode(t, err, wire.CodeRuleLimit, false)

	six := append(plat(1), plat(1)[0], plat(1)[0], plat(1)[0], plat(1)[0], plat(1)[0])
	_, err = e.wx.Share(
		ctx,
		channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "C400001-s4", Receivers: six},
	)
	wantCode(t, err, wire.CodeParamError, false) // adapter: 5 per request
	_, err = e.client(t, loose).
		Share(ctx, channels.SharingRequest{
			SubMchID: shopA, TransactionID: tx, OutOrderNo: "C400001-s5", Receivers: six,
		})
	wantCode(t, err, wire.CodeParamError, false) // simulator: 5 per request

	e.sim.SetFaults(wxsim.Faults{EnforceSharingDelay: true})
	tx2 := e.pay(t, "C400002", 10000, 0)
	_, err = e.wx.Share(
		ctx,
		channels.SharingRequest{SubMchID: shopA, TransactionID: tx2, OutOrderNo: "C400002-s1", Receivers: plat(100)},
	)
	wantCode(t, err, wire.CodeRuleLimit, false)
	e.sim.Advance(31 * time.Second)
	if _, err := e.wx.Share(ctx, channels.SharingRequest{
		SubMchID: shopA, TransactionID: tx2, OutOrderNo: "C400002-s1", Receivers: plat(100),
	}); err != nil {
		t.Errorf("sharing 31 s after payment: %v", err)
	}
}

func TestInjectedFaultsAreRetryable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	o := order("C500001", sub(shopA, "C500001-1", 100, false, 0))
	e.sim.SetFaults(wxsim.Faults{SystemErrorRate: map[string]float64{"/v3/combine-transactions": 1}})
	_, err := e.wx.CreateCombined(ctx, o)
	wantCode(t, err, wire.CodeSystemError, true)
	e.sim.SetFaults(wxsim.Faults{FrequencyLimitedRate: map[string]float64{"/v3/combine-transactions": 1}})
	_, err = e.wx.CreateCombined(ctx, o)
	wantCode(t, err, wire.CodeFrequencyLimited, true)
	e.sim.SetFaults(wxsim.Faults{Delay: map[string]time.Duration{"/v3/combine-transactions": 3 * time.Second}})
	_, err = e.wx.CreateCombined(ctx, o)
	wantCode(t, err, channels.CodeTimeout, true)
	e.sim.SetFaults(wxsim.Faults{})
	if _, err := e.wx.CreateCombined(ctx, o); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}

// signedRequest builds a request signed like the SDK does, for tampering.
func signedRequest(t *testing.T, e *env, method, path string, body []byte, ts int64) *http.Request {
	t.Helper()
	nonce := "NONCE0123456789"
	msg := fmt.Sprintf("%s\n%s\n%d\n%s\n%s\n", method, path, ts, nonce, body)
	sig, err := utils.SignSHA256WithRSA(msg, e.key)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(
		"Authorization",
		fmt.Sprintf(
			`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%d",serial_no="MERCHANTSERIAL01",signature="%s"`,
			spMchID,
			nonce,
			ts,
			sig,
		),
	)
	return req
}

func TestSimulatorRejectsForgedRequests(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	body, _ := json.Marshal(
		map[string]any{"combine_appid": spAppID, "combine_mchid": spMchID, "combine_out_trade_no": "FORGED01",
			"notify_url": "https://example.invalid/n", "sub_orders": []map[string]any{{"mchid": spMchID, "sub_mchid": shopA,
				"out_trade_no": "FORGED01-1", "description": "x", "amount": map[string]any{
					"total_amount": 100, "currency": "CNY",
				}}}},
	)
	path := "/v3/combine-transactions/app"

	tampered := signedRequest(t, e, http.MethodPost, path, body, time.Now().Unix())
	forgedBody := bytes.Replace(body, []byte(`"total_amount":100`), []byte(`"total_amount":1`), 1)
	tampered.Body, tampered.ContentLength = io.NopCloser(bytes.NewReader(forgedBody)), int64(len(forgedBody))
	stale := signedRequest(t, e, http.MethodPost, path, body, time.Now().Add(-6*time.Minute).Unix())
	for name, req := range map[string]*http.Request{"tampered body": tampered, "stale timestamp": stale} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var we struct{ Code string }
		_ = json.NewDecoder(resp.Body).Decode(&we)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || we.Code != wire.CodeSignError {
			t.Errorf("%s: %d %s, want 401 SIGN_ERROR", name, resp.StatusCode, we.Code)
		}
	}
	_, err := e.wx.QueryCombined(context.Background(), "FORGED01", nil)
	wantCode(t, err, wire.CodeOrderNotExist, false) // nothing was created

	good := signedRequest(t, e, http.MethodPost, path, body, time.Now().Unix())
	resp, err := http.DefaultClient.Do(good)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the untampered request: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

func TestNotificationForgeriesAreRejected(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	p := &wxsim.Platform{MchID: spMchID, APIv3Key: apiV3Key}
	plaintext := []byte(
		`{"combine_out_trade_no":"C600001","sub_orders":[{"sub_mchid":"1900000109","out_trade_no":"C600001-1","trade_state":"SUCCESS","transaction_id":"42000001","amount":{"total_amount":100,"currency":"CNY"}}]}`,
	)
	body, err := e.sim.Envelope(p, "TRANSACTION.SUCCESS", "transaction", plaintext)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]json.RawMessage
	var resourceShape map[string]any
	_ = json.Unmarshal(body, &shape)
	_ = json.Unmarshal(shape["resource"], &resourceShape)
	if len(shape) != 6 || len(resourceShape) != 5 {
		t.Errorf(
			"envelope fields %d and resource fields %d, want the documented 6 and 5: %s",
			len(shape),
			len(resourceShape),
			body,
		)
	}
	ok, _ := e.sim.SignedRequest("http://x/notify", body, false)
	if _, st, err := parsePayment(e.wx, ok); err != nil || st.SubOrders[0].TransactionID != "42000001" {
		t.Fatalf("genuine notification: %+v %v", st, err)
	}

	probe, _ := e.sim.SignedRequest("http://x/notify", body, true)
	stale, _ := e.sim.SignedRequest("http://x/notify", body, false)
	stale.Header.Set("Wechatpay-Timestamp", strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10))
	var env map[string]any
	_ = json.Unmarshal(body, &env)
	res := env["resource"].(map[string]any)
	ct := res["ciphertext"].(string)
	res["ciphertext"] = strings.Replace(ct, ct[10:11], map[bool]string{true: "A", false: "B"}[ct[10:11] != "A"], 1)
	tamperedBody, _ := json.Marshal(env)
	tamperedCT, _ := e.sim.SignedRequest("http://x/notify", tamperedBody, false) // re-signed: only AEAD catches it
	wrongKey, _ := e.sim.Envelope(
		&wxsim.Platform{MchID: spMchID, APIv3Key: "ffffffffffffffffffffffffffffffff"},
		"TRANSACTION.SUCCESS",
		"transaction",
		plaintext,
	)
	wrongKeyReq, _ := e.sim.SignedRequest("http://x/notify", wrongKey, false)
	forged, _ := e.sim.SignedRequest("http://x/notify", body, false)
	forged.Body = io.NopCloser(
		bytes.NewReader(bytes.Replace(body, []byte("TRANSACTION.SUCCESS"), []byte("TRANSACTION.SUCCEED"), 1)),
	)

	for name, req := range map[string]*http.Request{"signature probe": probe, "stale timestamp": stale,
		"tampered ciphertext": tamperedCT, "wrong APIv3 key": wrongKeyReq, "body changed after signing": forged} {
		if _, _, err := parsePayment(e.wx, req); !errors.Is(err, channels.ErrNotificationRejected) {
			t.Errorf("%s: err = %v, want ErrNotificationRejected", name, err)
		}
	}
}

func TestLostAndDuplicateNotifications(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	e.sim.SetFaults(wxsim.Faults{DropNotifications: true})
	e.pay(t, "C700001", 100, 0) // paid; the notification is lost, the query still tells
	e.sim.Wait()
	if len(e.arrived) != 0 {
		t.Errorf("%d notifications arrived despite the drop", len(e.arrived))
	}
	e.sim.SetFaults(wxsim.Faults{DuplicateNotify: true})
	e.pay(t, "C700002", 100, 0)
	e.sim.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.bodies) != 2 || !bytes.Equal(e.bodies[0], e.bodies[1]) {
		t.Errorf("duplicate delivery: %d notifications", len(e.bodies))
	}
}

func TestNotificationRetriedUntilAcknowledged(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	var calls int
	var mu sync.Mutex
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls < 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer flaky.Close()
	o := order("C800001", sub(shopA, "C800001-1", 100, false, 0))
	o.NotifyURL = flaky.URL
	if _, err := e.wx.CreateCombined(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Pay("C800001"); err != nil {
		t.Fatal(err)
	}
	e.sim.Wait()
	if calls != 3 {
		t.Errorf("notification attempts = %d, want 3 (two failures, then acknowledged)", calls)
	}
}

// The documented source of a refund's money: while the order is pending split, its unsplit (frozen) money,
// and a refund larger than that is refused (RULE_LIMIT) unless it asks for funds_account=AVAILABLE; after
// finish, available money. The answer and the query say which (funds_account), and a source that cannot cover
// the refund refuses it rather than mixing sources.
func TestRefundSourceOfFunds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	earn := e.pay(t, "C310001", 20000, 0) // the shop's other money: shared nothing, finished
	if _, err := e.wx.Finish(ctx, channels.FinishRequest{
		SubMchID: shopA, TransactionID: earn, OutOrderNo: "C310001-finish", Description: "done",
	}); err != nil {
		t.Fatal(err)
	}
	tx := e.pay(t, "C310002", 10000, 0)
	if _, err := e.wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "C310002-share1",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: spMchID, Amount: 1500}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wx.QuerySharing(ctx, shopA, tx, "C310002-share1"); err != nil { // settles the request
		t.Fatal(err)
	}
	full := channels.RefundRequest{
		SubMchID:      shopA,
		TransactionID: tx,
		OutRefundNo:   "C310002-rf1",
		Refund:        10000,
		Total:         10000,
	}
	_, err := e.wx.ApplyRefund(ctx, full)
	wantCode(t, err, wire.CodeRuleLimit, false)
	if b := e.sim.Balance(shopA); b.Frozen != 8500 || b.Available != 20000 {
		t.Fatalf("a refused refund moved money: %+v", b)
	}
	full.From = channels.FundsAvailable
	st, err := e.wx.ApplyRefund(ctx, full)
	if err != nil || st.From != channels.FundsAvailable {
		t.Fatalf("refund from available funds: %+v %v", st, err)
	}
	if b := e.sim.Balance(shopA); b.Frozen != 8500 || b.Available != 10000 {
		t.Errorf("after the refund from available money: %+v, want frozen 8500 available 10000", b)
	}
	if q, err := e.wx.QueryRefund(ctx, shopA, "", full.OutRefundNo); err != nil || q.From != channels.FundsAvailable {
		t.Errorf("query: %+v %v", q, err)
	}
	// A finished order refunds from available money only; more than that holds is NOT_ENOUGH.
	small := channels.RefundRequest{SubMchID: shopA, TransactionID: earn, OutRefundNo: "C310001-rf1", Refund: 500, Total: 20000}
	if st, err := e.wx.ApplyRefund(ctx, small); err != nil || st.From != channels.FundsAvailable {
		t.Errorf("refund after finish: %+v %v", st, err)
	}
	big := channels.RefundRequest{SubMchID: shopA, TransactionID: earn, OutRefundNo: "C310001-rf2", Refund: 19500, Total: 20000}
	_, err = e.wx.ApplyRefund(ctx, big)
	wantCode(t, err, wire.CodeNotEnough, false)
}

// parsePayment reads req through the channel-neutral ParseNotification and expects a payment.
func parsePayment(wx *wechatpay.Client, req *http.Request) (channels.Notification, channels.CombinedOrderState, error) {
	n, err := parse(wx, req)
	if err == nil && n.Payment == nil {
		err = fmt.Errorf("%w: not a payment", channels.ErrNotificationRejected)
	}
	if err != nil {
		return n.Notification, channels.CombinedOrderState{}, err
	}
	return n.Notification, *n.Payment, nil
}

// parseRefund reads req through ParseNotification and expects a refund.
func parseRefund(wx *wechatpay.Client, req *http.Request) (channels.Notification, channels.RefundState, error) {
	n, err := parse(wx, req)
	if err == nil && n.Refund == nil {
		err = fmt.Errorf("%w: not a refund", channels.ErrNotificationRejected)
	}
	if err != nil {
		return n.Notification, channels.RefundState{}, err
	}
	return n.Notification, *n.Refund, nil
}

func parse(wx *wechatpay.Client, req *http.Request) (channels.Notice, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return channels.Notice{}, err
	}
	return wx.ParseNotification(req.Context(), channels.Inbound{Header: req.Header, Body: body})
}
