package alipay_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

// billText opens a bill's zip and answers each file by the end of its (GBK) name, decoded from GBK.
func billText(t *testing.T, body []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	dec := simplifiedchinese.GBK.NewDecoder()
	out := map[string]string{}
	for _, f := range zr.File {
		name, _ := dec.String(f.Name)
		r, _ := f.Open()
		raw, _ := io.ReadAll(r)
		r.Close()
		text, err := dec.String(string(raw))
		if err != nil {
			t.Fatalf("%s is not GBK: %v", name, err)
		}
		out[name[strings.LastIndex(name, "_")+1:]] = text
	}
	return out
}

// download fetches the bill a Bill call answered and opens it.
func download(t *testing.T, c *alipay.Client) func(channels.BillFile, error) map[string]string {
	return func(f channels.BillFile, err error) map[string]string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		body, err := c.DownloadBill(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return billText(t, body)
	}
}

// A day's bills exist from 09:00 the next day; their URL lives 30 seconds. The trade bill lists the payment and
// the refund (negative, naming its out_request_no) by header; the sub-merchants' account bill lists the settle
// confirm, the royalty paid out and the refund, each with the balance after it.
func TestBills(t *testing.T) {
	e, c, tx := paidTrade(t, "BILL01", true)
	ctx := context.Background()
	if err := share(c, tx, "BILL01-sub1-share1", 1000); err != nil {
		t.Fatal(err)
	}
	for _, no := range []string{"R9", "R1"} { // made in this order, whatever their numbers
		if _, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
			OutRefundNo: "BILL01-sub1-rf-" + no, Refund: 1000, Total: 10000}); err != nil {
			t.Fatal(err)
		}
		e.sim.Advance(time.Second)
	}
	day := time.Now().In(channels.ChinaTime).Format("2006-01-02")
	if _, err := c.TradeBill(ctx, day, ""); !channels.IsReason(err, channels.ReasonNotReady) {
		t.Fatalf("today's bill before it is made: %v", err)
	}
	e.sim.Advance(34 * time.Hour) // past 09:00 tomorrow
	trade := download(t, c)(c.TradeBill(ctx, day, ""))["业务明细.csv"]
	for _, want := range []string{"支付宝交易号,商户订单号,业务类型", ",交易,tea,", ",100.00,100.00,", ",退款,tea,",
		",-10.00,-10.00,", "BILL01_1sub1_1rf_1R1", "#交易合计：1笔，商家实收共100.00元",
		"#退款合计：2笔，商家实收退款共-20.00元", "\r\n"} {
		if !strings.Contains(trade, want) {
			t.Errorf("trade bill lacks %q:\n%s", want, trade)
		}
	}
	if r9, r1 := strings.Index(trade, "rf_1R9"), strings.Index(trade, "rf_1R1"); r9 < 0 || r1 < r9 {
		t.Errorf("refund rows not in the order they were made:\n%s", trade)
	}
	f, err := c.Bill(ctx, alipay.BillZFTAccount, day, "")
	acct := download(t, c)(f, err)["账务明细.csv"]
	// Settle 100 in; 10 shared out (balance 90); two refunds of 10 (balances 80, then 70).
	for _, want := range []string{",100.00,0.00,100.00,", ",0.00,10.00,90.00,", ",0.00,10.00,80.00,",
		",0.00,10.00,70.00,"} {
		if !strings.Contains(acct, want) {
			t.Errorf("account bill lacks %q:\n%s", want, acct)
		}
	}
	e.sim.Advance(31 * time.Second)
	if _, err := c.DownloadBill(ctx, f); !channels.IsReason(err, channels.ReasonNotFound) {
		t.Errorf("a bill URL 31 seconds old: %v, want NOT_FOUND (ask for a new URL)", err)
	}
	if _, err := c.Bill(ctx, "nonsense", day, ""); !channels.IsReason(err, channels.ReasonInvalid) {
		t.Errorf("an unknown bill type: %v", err)
	}
}

// The statement reader streams both bills as money events keyed as the ledger keys postings: the payment by trade
// number, each refund by our refund number, each royalty by the settle's out_request_no, each royalty given back
// inside a refund by the refund's number and the receiver's account; injected discrepancies (a dropped line,
// another amount, an extra payment) show in what it reads.
func TestStatements(t *testing.T) {
	e, c, tx := paidTrade(t, "STMT01", true)
	ctx := context.Background()
	if err := share(c, tx, "STMT01-sub1-share1", 1500); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyRefund(ctx, channels.RefundRequest{SubMchID: smid, TransactionID: tx,
		OutRefundNo: "STMT01-sub1-rf1", Refund: 2000, Total: 10000,
		Reversals: []channels.Reversal{{Account: dist, Amount: 500}}}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(channels.ChinaTime).Format("2006-01-02")
	for _, err := range c.ReadStatement(ctx, alipay.BillTrade, day) {
		if !channels.IsReason(err, channels.ReasonNotReady) {
			t.Fatalf("before 09:00 tomorrow: %v", err)
		}
	}
	e.sim.Advance(34 * time.Hour)
	read := func(bill string) []channels.StatementLine {
		var out []channels.StatementLine
		for l, err := range c.ReadStatement(ctx, bill, day) {
			if err != nil {
				t.Fatalf("%s: %v", bill, err)
			}
			l.At, l.Line = "", 0
			out = append(out, l)
		}
		return out
	}
	trade, acct := read(alipay.BillTrade), read(alipay.BillZFTAccount)
	settle := wire.OutNo("STMT01-sub1-share1", wire.MaxSettleRequestNo)
	if len(trade) != 2 || trade[0] != (channels.StatementLine{Bill: "trade", Kind: "payment", EventID: tx,
		OutNo: "STMT01-sub1", Amount: 10000, Fee: 60, Status: "SUCCESS"}) || trade[1].Kind != "refund" ||
		trade[1].EventID != "STMT01-sub1-rf1" || trade[1].Amount != 2000 || trade[1].Fee != 12 { // 服务费 0.60 %
		t.Errorf("trade bill: %+v", trade)
	}
	if len(acct) != 2 || acct[0].Kind != "sharing" || acct[0].EventID != settle || acct[0].Amount != 1500 ||
		acct[1] != (channels.StatementLine{Bill: "zft_acc", Kind: "sharing_return", OutNo: "STMT01-sub1-rf1",
			TradeID: tx, SubMchID: smid, Receiver: dist, Amount: 500, Status: "SUCCESS"}) {
		t.Errorf("account bill: %+v", acct)
	}
	e.sim.SetBillFaults(alisim.BillFaults{Drop: map[string]bool{tx: true},
		Amount: map[string]money.Amount{settle: 1400},
		Extra:  []alisim.ExtraPayment{{Day: day, ID: "2026000000000009", OutTradeNo: "NOBODY", Amount: 700}}})
	trade, acct = read(alipay.BillTrade), read(alipay.BillZFTAccount)
	if len(trade) != 2 || trade[0].Kind != "refund" || trade[1].EventID != "2026000000000009" || acct[0].Amount != 1400 {
		t.Errorf("with injected discrepancies: %+v %+v", trade, acct)
	}
}
