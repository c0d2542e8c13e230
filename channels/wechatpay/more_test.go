package wechatpay_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/money"
)

func TestWithdrawal(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	tx := e.pay(t, "C900001", 10000, 0)
	if b, err := e.wx.Balance(ctx, shopA); err != nil || b.Pending != 10000 || b.Available != 0 {
		t.Fatalf("balance while frozen: %+v %v", b, err)
	}
	w := channels.WithdrawRequest{SubMchID: shopA, OutRequestNo: "W900001", Amount: 1}
	_, err := e.wx.Withdraw(ctx, w)
	wantCode(t, err, wire.CodeNotEnough, false) // frozen money cannot be withdrawn
	if _, err := e.wx.Finish(ctx, channels.FinishRequest{
		SubMchID: shopA, TransactionID: tx, OutOrderNo: "C900001-finish", Description: "done",
	}); err != nil {
		t.Fatal(err)
	}
	w.Amount = 6000
	st, err := e.wx.Withdraw(ctx, w)
	if err != nil || st.Status != channels.WithdrawCreated || st.WithdrawID == "" {
		t.Fatalf("withdraw: %+v %v", st, err)
	}
	if again, err := e.wx.Withdraw(ctx, w); err != nil || again.WithdrawID != st.WithdrawID {
		t.Errorf("repeated withdraw: %+v %v", again, err)
	}
	w2 := w
	w2.Amount = 6001
	_, err = e.wx.Withdraw(ctx, w2)
	wantCode(t, err, wire.CodeInvalidRequest, false)
	if err := e.sim.SettleWithdrawal(shopA, "W900001", channels.WithdrawSuccess); err != nil {
		t.Fatal(err)
	}
	if q, err := e.wx.QueryWithdraw(ctx, shopA, "W900001"); err != nil || q.Status != channels.WithdrawSuccess ||
		q.Amount != 6000 {
		t.Errorf("query: %+v %v", q, err)
	}
	if b, _ := e.wx.Balance(ctx, shopA); b.Available != 4000 {
		t.Errorf("available after withdrawal = %d", b.Available)
	}
	if err := e.sim.SettleWithdrawal(shopA, "W900001", channels.WithdrawRefunded); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.wx.Balance(ctx, shopA); b.Available != 10000 {
		t.Errorf("available after the bank bounced = %d", b.Available)
	}
}

func applyment(no string) channels.Applyment {
	return channels.Applyment{
		OutRequestNo:         no,
		OrganizationType:     "2401",
		IDCardCopy:           "media-1",
		IDCardNational:       "media-2",
		IDCardName:           "张三",
		IDCardNumber:         "110101199003074477",
		IDCardValidTimeBegin: "2020-01-01",
		IDCardValidTime:      "2040-01-01",
		BankAccountType:      "75",
		AccountBank:          "招商银行",
		AccountName:          "张三",
		BankAddressCode:      "110000",
		AccountNumber:        "6214830000001234",
		ContactType:          "65",
		ContactName:          "张三",
		MobilePhone:          "13800138000",
		StoreName:            "张三的茶叶店",
		MerchantShortname:    "张三茶叶",
	}
}

func TestOnboardingStates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	a := applyment("ONB-0001")
	bad := a
	bad.MobilePhone = "12345"
	_, err := e.wx.SubmitApplyment(ctx, bad)
	wantCode(t, err, wire.CodeParamError, false)
	id, err := e.wx.SubmitApplyment(ctx, a)
	if err != nil || id == "" {
		t.Fatalf("submit: %s %v", id, err)
	}
	if again, err := e.wx.SubmitApplyment(ctx, a); err != nil || again != id {
		t.Errorf("repeat submit (fields re-encrypted): %s %v", again, err)
	}
	state := func(want string) channels.ApplymentState {
		t.Helper()
		st, err := e.wx.QueryApplyment(ctx, "ONB-0001")
		if err != nil || st.State != want {
			t.Fatalf("state = %+v %v, want %s", st, err, want)
		}
		return st
	}
	state(channels.ApplymentChecking)
	e.sim.Advance(2 * time.Minute)
	st := state(channels.ApplymentAccountVerify)
	if v := st.AccountValidation; v == nil || v.PayAmount <= 0 || v.Deadline == "" ||
		strings.Contains(v.AccountNo, "6214830000001234") {
		t.Errorf("account validation %+v (the account number must come back masked)", v)
	}
	must(t, e.sim.RejectApplyment("ONB-0001", "id_card_info.id_card_copy", "身份证照片模糊"))
	st = state(channels.ApplymentRejected)
	if len(st.AuditDetail) != 1 || st.AuditDetail[0].Field != "id_card_info.id_card_copy" {
		t.Errorf("audit detail %+v", st.AuditDetail)
	}
	a.IDCardCopy = "media-3" // corrected and resubmitted under the same number
	if _, err := e.wx.SubmitApplyment(ctx, a); err != nil {
		t.Fatal(err)
	}
	state(channels.ApplymentChecking)
	e.sim.Advance(2 * time.Minute)
	state(channels.ApplymentAccountVerify)
	must(t, e.sim.VerifyApplymentAccount("ONB-0001"))
	state(channels.ApplymentAuditing)
	e.sim.Advance(2 * time.Minute)
	st = state(channels.ApplymentNeedSign)
	if st.SubMchID == "" || st.SignURL == "" {
		t.Errorf("NEED_SIGN without sub_mchid or sign_url: %+v", st)
	}
	must(t, e.sim.SignApplyment("ONB-0001"))
	st = state(channels.ApplymentFinish)
	// The new shop can sell.
	o := order("ONB0001", sub(st.SubMchID, "ONB0001-1", 100, false, 0))
	if _, err := e.wx.CreateCombined(ctx, o); err != nil {
		t.Errorf("the onboarded shop cannot sell: %v", err)
	}

}

// An account never verified is rejected at the deadline.
func TestUnverifiedApplymentIsRejectedAtTheDeadline(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	if _, err := e.wx.SubmitApplyment(ctx, applyment("ONB-0002")); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(11 * 24 * time.Hour)
	if st, _ := e.wx.QueryApplyment(ctx, "ONB-0002"); st.State != channels.ApplymentRejected {
		t.Errorf("unverified past the deadline: %+v", st)
	}
}

func TestBillsMatchTheSimulatorsState(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	tx1 := e.pay(t, "CB00001", 12345, 0)
	e.pay(t, "CB00002", 20001, 0)
	if _, err := e.wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: tx1, OutOrderNo: "CB00001-share1",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: spMchID, Amount: 1234}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wx.QuerySharing(ctx, shopA, tx1, "CB00001-share1"); err != nil {
		t.Fatal(err)
	}
	rf, err := e.wx.ApplyRefund(ctx, channels.RefundRequest{
		SubMchID: shopA, TransactionID: tx1, OutRefundNo: "CB00001-rf1", Refund: 1001, Total: 12345,
	})
	if err != nil {
		t.Fatal(err)
	}
	cst := channels.ChinaTime
	now := time.Now().In(cst)
	today := now.Format("2006-01-02")
	if _, err := e.wx.TradeBill(ctx, now.AddDate(0, 0, 1).Format("2006-01-02"), ""); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Errorf("tomorrow's bill: %v, want PARAM_ERROR", err)
	}
	ready := time.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, cst)
	e.sim.Advance(ready.Sub(now) - time.Minute) // 09:59 the next day
	for l, err := range e.wx.ReadStatement(ctx, wechatpay.BillTrade, today) {
		if !channels.IsReason(err, channels.ReasonNotReady) {
			t.Errorf("before 10:00 the next day: %+v %v, want STATEMENT_CREATING", l, err)
		}
	}
	e.sim.Advance(2 * time.Minute)
	trade := statement(t, e, wechatpay.BillTrade, today)
	want := []channels.StatementLine{
		{Bill: "trade", Kind: "payment", EventID: tx1, OutNo: "CB00001-1", SubMchID: shopA, Amount: 12345, Fee: 74,
			Status: "SUCCESS"},
		{Bill: "trade", Kind: "refund", EventID: rf.RefundID, TradeID: tx1, OutNo: "CB00001-rf1", SubMchID: shopA, Amount: 1001,
			Fee: 6, Status: rf.Status},
	}
	if len(trade) != 3 || !sameLine(trade[0], want[0]) && !sameLine(trade[1], want[0]) || !sameLine(trade[2], want[1]) {
		t.Errorf("trade bill: %+v", trade)
	}
	shares := statement(t, e, wechatpay.BillSharing, today)
	if len(shares) != 1 || shares[0].Kind != "sharing" || shares[0].Amount != 1234 || shares[0].OutNo != "CB00001-share1" {
		t.Errorf("sharing bill: %+v", shares)
	}
	if got := statement(t, e, wechatpay.BillTrade, time.Now().AddDate(0, 0, -5).Format("2006-01-02")); len(got) != 0 {
		t.Errorf("a day with no business: %+v", got)
	}
	injectedBillFaults(t, e, today, tx1, rf.RefundID)
}

// injectedBillFaults: a dropped line, another amount and an extra payment show in the bill read; a bill whose
// hash does not match is refused.
func injectedBillFaults(t *testing.T, e *env, today, tx, refundID string) {
	e.sim.SetBillFaults(wxsim.BillFaults{Drop: map[string]bool{tx: true}, Amount: map[string]money.Amount{refundID: 999},
		Extra: []wxsim.ExtraPayment{{Day: today, SubMchID: shopA, ID: "4200000000009", OutTradeNo: "NOBODY",
			Amount: 700}}})
	faulty := statement(t, e, wechatpay.BillTrade, today)
	if len(faulty) != 3 || faulty[1].Amount != 999 || faulty[2].EventID != "4200000000009" {
		t.Errorf("with injected discrepancies: %+v", faulty)
	}
	f, err := e.wx.TradeBill(context.Background(), today, shopA)
	if err != nil {
		t.Fatal(err)
	}
	f.HashValue = strings.Repeat("0", 40)
	_, err = e.wx.DownloadBill(context.Background(), f)
	wantCode(t, err, "BILL_HASH_MISMATCH", true)
}

// statement reads a whole bill through the streaming reader, failing the test on an error.
func statement(t *testing.T, e *env, bill, day string) []channels.StatementLine {
	t.Helper()
	var out []channels.StatementLine
	for l, err := range e.wx.ReadStatement(context.Background(), bill, day) {
		if err != nil {
			t.Fatalf("%s bill of %s: %v", bill, day, err)
		}
		out = append(out, l)
	}
	return out
}

func sameLine(a, b channels.StatementLine) bool {
	a.At, a.Line = "", 0
	return a == b
}

func TestFrozenFundsUnfreezeAfterTheFreezePeriod(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	e.pay(t, "CF00001", 5000, 0)
	e.sim.Advance(179 * 24 * time.Hour)
	if b := e.sim.Balance(shopA); b.Frozen != 5000 {
		t.Fatalf("unfrozen early: %+v", b)
	}
	e.sim.Advance(24 * time.Hour)
	if b := e.sim.Balance(shopA); b.Frozen != 0 || b.Available != 5000 {
		t.Errorf("after 180 days: %+v, want all available", b)
	}
}

// Platform-certificate mode: the adapter verifies with the certificate, encrypts names with it, and parses
// notifications signed under the certificate's serial.
func TestCertificateMode(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	e.sim.UseCertificateMode(true)
	wx, err := wechatpay.New(ctx, wechatpay.Config{BaseURL: e.srv.URL, SpMchID: spMchID, SpAppID: spAppID,
		MerchantCertSerial: "MERCHANTSERIAL01", MerchantPrivateKey: e.key, APIv3Key: apiV3Key,
		PlatformCertificates: []*x509.Certificate{e.sim.Certificate}})
	if err != nil {
		t.Fatal(err)
	}
	o := order("CERT0001", sub(shopA, "CERT0001-1", 1000, true, 0))
	o.NotifyURL = e.notify.URL
	if _, err := wx.CreateCombined(ctx, o); err != nil {
		t.Fatalf("create in certificate mode: %v", err)
	}
	if err := e.sim.Pay("CERT0001"); err != nil {
		t.Fatal(err)
	}
	_, st, err := parsePayment(wx, e.notification(t, 1))
	if err != nil {
		t.Fatalf("notification in certificate mode: %v", err)
	}
	if err := wx.AddReceiver(ctx, channels.ReceiverRegistration{
		Type: channels.ReceiverPersonal, Account: "o-cert", Name: "李四", RelationType: "DISTRIBUTOR",
	}); err != nil {
		t.Fatalf("encrypted name in certificate mode: %v", err)
	}
	if _, err := wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: st.SubOrders[0].TransactionID, OutOrderNo: "CERT0001-s1",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverPersonal, Account: "o-cert", Name: "李四", Amount: 100}}}); err != nil {
		t.Errorf("share in certificate mode: %v", err)
	}
	// The public-key client must refuse certificate-signed answers: the serial is not its key id.
	_, err = e.wx.QueryCombined(ctx, "CERT0001", nil)
	wantCode(t, err, "RESPONSE_UNVERIFIED", true)
}

func TestReceiversSubsidyCancelAndRefundQueries(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	supplier := channels.ReceiverRegistration{
		Type:         channels.ReceiverMerchant,
		Account:      "1900000300",
		Name:         "茶叶供应商有限公司",
		RelationType: "SUPPLIER",
	}
	if err := e.wx.AddReceiver(ctx, supplier); err != nil {
		t.Fatal(err)
	}
	if err := e.wx.DeleteReceiver(ctx, supplier); err != nil {
		t.Fatal(err)
	}
	tx := e.pay(t, "CR00001", 10000, 1000)
	_, err := e.wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "CR00001-s0",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: "1900000300", Amount: 100}}})
	wantCode(t, err, wire.CodeRuleLimit, false) // the subsidy is neither paid nor cancelled
	if err := e.wx.CancelSubsidy(ctx, shopA, tx, "no coupon after all"); err != nil {
		t.Fatal(err)
	}
	_, err = e.wx.Share(ctx, channels.SharingRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "CR00001-s1",
		Receivers: []channels.SharingReceiver{{Type: channels.ReceiverMerchant, Account: "1900000300", Amount: 100}}})
	wantCode(t, err, wire.CodeInvalidRequest, false) // the supplier was deleted
	_, err = e.wx.CreateSubsidy(
		ctx,
		channels.SubsidyRequest{SubMchID: shopA, TransactionID: tx, OutSubsidyNo: "CR00001-sub", Amount: 1000},
	)
	wantCode(t, err, wire.CodeInvalidRequest, false) // cancelled

	r := channels.RefundRequest{
		SubMchID:      shopA,
		TransactionID: tx,
		OutRefundNo:   "CR00001-rf1",
		Refund:        500,
		Total:         10000,
	}
	rf, err := e.wx.ApplyRefund(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := e.wx.QueryRefund(ctx, shopA, "", "CR00001-rf1"); err != nil || q.RefundID != rf.RefundID ||
		q.Status != channels.RefundProcessing {
		t.Errorf("query refund: %+v %v", q, err)
	}
	r.Refund = 501
	_, err = e.wx.ApplyRefund(ctx, r)
	wantCode(t, err, wire.CodeInvalidRequest, false) // out_refund_no reused with another amount
	_, err = e.wx.QueryRefund(ctx, shopB, "", "CR00001-rf1")
	wantCode(t, err, wire.CodeResourceNotExist, false)
	if err := e.sim.SettleRefund(shopA, "CR00001-rf1", true); err != nil {
		t.Fatal(err)
	}
	if q, _ := e.wx.QueryRefund(ctx, shopA, "", "CR00001-rf1"); q.Status != channels.RefundAbnormal {
		t.Errorf("abnormal refund: %+v", q)
	}
}

// Every probe copy is rejected and every genuine notification still arrives and parses, with delivery delays
// that let later notifications overtake earlier ones (the order is random, so it is logged, not asserted).
func TestProbeCopiesRejectedUnderRandomDeliveryDelays(t *testing.T) {
	e := newEnv(t, channels.WeChatLimits())
	e.sim.SetFaults(wxsim.Faults{ProbeSignatures: true, ReorderNotify: 30 * time.Millisecond})
	for i := range 6 {
		e.pay(t, fmt.Sprintf("CP0000%d", i), 100, 0)
	}
	e.sim.Wait()
	e.mu.Lock()
	n := len(e.bodies)
	e.mu.Unlock()
	if n != 12 {
		t.Fatalf("%d deliveries, want 6 probes + 6 notifications", n)
	}
	var genuine, rejected int
	var order []string
	for i := 1; i <= n; i++ {
		_, st, err := parsePayment(e.wx, e.notification(t, i))
		switch {
		case errors.Is(err, channels.ErrNotificationRejected):
			rejected++
		case err == nil:
			genuine++
			order = append(order, st.OutTradeNo)
		default:
			t.Fatal(err)
		}
	}
	if genuine != 6 || rejected != 6 {
		t.Errorf("genuine %d, rejected %d; want 6 and 6 (every probe rejected)", genuine, rejected)
	}
	t.Logf("arrival order %v", order)
}

// must stops the test on a fixture's error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
