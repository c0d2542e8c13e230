package wechatpay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/money"
)

// The sub-merchants' fund-flow bill, sealed and cut into parts, lists each withdrawal when the channel accepts it
// and again when it comes back (failed, or bounced by the bank), keyed by the sub-merchant and our out_request_no;
// the trade and sharing movements it also lists are passed over, and the profit-sharing bill lists the finish.
func TestSubMerchantFundFlowBill(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	tx := e.pay(t, "CF00001", 20000, 0)
	fin, err := e.wx.Finish(ctx, channels.FinishRequest{SubMchID: shopA, TransactionID: tx, OutOrderNo: "CF00001-finish"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		no     string
		amount int64
		ends   []string
	}{{"WF01", 6000, []string{channels.WithdrawSuccess, channels.WithdrawRefunded}},
		{"WF02", 3000, []string{channels.WithdrawFail}}, {"WF03", 1000, nil}} {
		if _, err := e.wx.Withdraw(ctx, channels.WithdrawRequest{SubMchID: shopA, OutRequestNo: w.no,
			Amount: money.Amount(w.amount)}); err != nil {
			t.Fatal(err)
		}
		for _, end := range w.ends {
			if err := e.sim.SettleWithdrawal(shopA, w.no, end); err != nil {
				t.Fatal(err)
			}
		}
	}
	day := e.billsMade()
	e.sim.SetBillPartSize(300) // several parts, joined in order
	var got []string
	for l, err := range e.wx.ReadStatement(ctx, wechatpay.BillSubFundFlow, day) {
		if err != nil {
			t.Fatal(err)
		}
		if l.SubMchID != shopA || l.EventID == "" || l.Status != channels.StatementSuccess {
			t.Errorf("line %+v", l)
		}
		got = append(got, l.Kind+" "+l.OutNo+" "+l.Amount.String())
	}
	want := "withdrawal_requested WF01 60.00,withdrawal_bounced WF01 60.00,withdrawal_requested WF02 30.00," +
		"withdrawal_failed WF02 30.00,withdrawal_requested WF03 10.00"
	if strings.Join(got, ",") != want {
		t.Errorf("sub-merchant fund-flow lines\n got %v\nwant %s", got, want)
	}
	finishes := 0
	for l, err := range e.wx.ReadStatement(ctx, wechatpay.BillSharing, day) {
		if err == nil && l.Kind == channels.EventFinish && l.EventID == fin.OrderID && l.Amount == 20000 {
			finishes++
		}
	}
	if finishes != 1 {
		t.Errorf("the profit-sharing bill lists the finish %d times", finishes)
	}
	sealedBillAnswers(t, e, day)
	damagedInTransit(t, e, day)
}

// damagedInTransit: a sealed part with a byte flipped on the way fails its check at the end of the read (GCM's
// tag is not checked while streaming; the plain text's SHA1, or the gzip stream's own checksum, catches it), so a
// reader that stages lines in a transaction rolls them back.
func damagedInTransit(t *testing.T, e *env, day string) {
	e.sim.CorruptSealedBills(true)
	defer e.sim.CorruptSealedBills(false)
	var failed error
	for _, err := range e.wx.ReadStatement(context.Background(), wechatpay.BillSubFundFlow, day) {
		if err != nil {
			failed = err
		}
	}
	if failed == nil {
		t.Error("a sealed bill damaged in transit was read without an error")
	}
}

// rawClient is a signed client for raw calls to the simulator (answers not verified, as for bill downloads).
func rawClient(t *testing.T, e *env) *core.Client {
	c, err := core.NewClient(context.Background(), option.WithMerchantCredential(spMchID, testenv.CertSerial, e.key),
		option.WithoutValidator())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawBill asks for a plain bill and answers its file as the channel serves it.
func rawBill(t *testing.T, e *env, path string, q url.Values) string {
	t.Helper()
	ctx, c := context.Background(), rawClient(t, e)
	var b wire.BillResponse
	res, err := c.Get(ctx, e.srv.URL+path+"?"+q.Encode())
	if err == nil {
		defer res.Response.Body.Close()
		body, _ := io.ReadAll(res.Response.Body)
		err = json.Unmarshal(body, &b)
	}
	if err == nil {
		if res, err = c.Get(ctx, b.DownloadURL); err == nil {
			defer res.Response.Body.Close()
			file, err := io.ReadAll(res.Response.Body)
			if err == nil {
				return string(file)
			}
		}
	}
	t.Fatalf("bill %s: %v", path, err)
	return ""
}

// sealedBillAnswers: the raw answers of both sub-merchant fund-flow endpoints, and the parameters they refuse.
func sealedBillAnswers(t *testing.T, e *env, day string) {
	ctx, c := context.Background(), rawClient(t, e)
	get := func(path string, q url.Values) (wire.EncryptedBillResponse, error) {
		var out wire.EncryptedBillResponse
		res, err := c.Get(ctx, e.srv.URL+path+"?"+q.Encode())
		if err == nil {
			defer res.Response.Body.Close()
			body, _ := io.ReadAll(res.Response.Body)
			err = json.Unmarshal(body, &out)
		}
		return out, err
	}
	one := url.Values{"bill_date": {day}, "sub_mchid": {shopA}, "account_type": {wire.AccountBasic},
		"algorithm": {wire.BillAlgorithmAES}}
	out, err := get(wire.PathOneSubFundFlow, one)
	if err != nil || out.DownloadBillCount < 2 || len(out.DownloadBillList) != out.DownloadBillCount ||
		out.DownloadBillList[0].EncryptKey == "" || len(out.DownloadBillList[0].Nonce) != 12 {
		t.Errorf("one sub-merchant's bill: %+v %v", out, err)
	}
	for name, q := range map[string]url.Values{
		"account_type": {"bill_date": {day}, "account_type": {wire.AccountBasic}, "algorithm": {wire.BillAlgorithmAES}},
		"algorithm":    {"bill_date": {day}, "account_type": {wire.AccountAll}, "algorithm": {wire.BillAlgorithmSM4}},
		"bill_date":    {"bill_date": {"2026-13-01"}, "account_type": {wire.AccountAll}, "algorithm": {wire.BillAlgorithmAES}},
	} {
		_, err := get(wire.PathSubFundFlowBill, q)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("a bad %s: %v", name, err)
		}
	}
	if _, err := get(wire.PathOneSubFundFlow, url.Values{"bill_date": {day}, "sub_mchid": {"1999999999"},
		"account_type": {wire.AccountBasic}, "algorithm": {wire.BillAlgorithmAES}}); err == nil ||
		!strings.Contains(err.Error(), "sub_mchid") {
		t.Errorf("an unknown sub-merchant: %v", err)
	}
}

// billsMade moves the simulator's clock to 10:01 the next day (China time), when today's bills exist, and
// answers today.
func (e *env) billsMade() string {
	now := time.Now().In(channels.ChinaTime)
	e.sim.Advance(channels.BillsMade(now).Sub(now))
	return now.Format(time.DateOnly)
}
