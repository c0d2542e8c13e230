package alisim

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/money"
)

// flow is one movement of money on an Alipay account, as the account bills (账务明细) list it.
type flow struct {
	at                time.Time
	account, counter  string
	tradeNo, outTrade string
	serial            string       // the business number: our out_request_no, or the trade's
	amount            money.Amount // + income, − expense
	kind              string       // 业务类型
}

// move records a movement of amount (signed) on account.
func (s *Sim) move(account, counter string, t *trade, serial string, amount money.Amount, kind string) {
	s.flows = append(s.flows, flow{at: s.now(), account: account, counter: counter, tradeNo: t.tradeNo,
		outTrade: t.detail.OutTradeNo, serial: serial, amount: amount, kind: kind})
}

// Bill types served (alipay.data.dataservice.bill.downloadurl.query).
const (
	billTrade         = "trade"              // 业务账单: the platform's trades
	billTradeZFT      = "trade_zft_merchant" // one 二级商户's trades (smid required)
	billSignCustomer  = "signcustomer"       // 账务账单: the platform account's movements
	billZFTAccount    = "zft_acc"            // every 二级商户's account movements
	billValidFor      = 30 * time.Second     // a download URL's life
	billReadyAtHour   = 9                    // a day's bill exists from 09:00 the next day (Asia/Shanghai)
	billEmptyFileCode = "EMPTY_DATA_WITH_BILL_FILE"
)

var shanghai = channels.ChinaTime

type billRequest struct {
	BillType string `json:"bill_type"`
	BillDate string `json:"bill_date"`
	Smid     string `json:"smid"`
}

type billFile struct {
	body    []byte
	expires time.Time
}

// billQuery makes the day's bill and answers a download URL valid for 30 seconds. A day whose bill is not made
// yet (before 09:00 the next day) is BILL_NOT_EXIST; a day without business gets an empty file, said so by
// bill_file_code.
func (s *Sim) billQuery(biz []byte, _ url.Values) (any, *failure) {
	var req billRequest
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	day, err := time.ParseInLocation("2006-01-02", req.BillDate, shanghai)
	switch {
	case err != nil:
		return nil, fail(wire.SubBillInvalidArguments, "bill_date 格式为 yyyy-MM-dd")
	case req.BillType == billTradeZFT && req.Smid == "", req.BillType != billTradeZFT && req.Smid != "":
		return nil, fail(wire.SubBillInvalidArguments, "smid 仅且必须与 trade_zft_merchant 一起使用")
	case s.now().Before(day.AddDate(0, 0, 1).Add(billReadyAtHour*time.Hour + s.billFaults.Late)):
		return nil, fail(wire.SubBillNotExist, "账单未生成，请于次日 09:00 后下载")
	}
	files, rows, f := s.billFiles(req, day)
	if f != nil {
		return nil, f
	}
	body, err := zipGBK(files)
	if err != nil {
		return nil, fail(wire.SubSystemError, "系统繁忙")
	}
	s.seq++
	token := fmt.Sprintf("%s-%s-%d", req.BillType, day.Format("20060102"), s.seq)
	s.bills[token] = billFile{body: body, expires: s.now().Add(billValidFor)}
	out := map[string]any{"code": success.Code, "msg": success.Msg,
		"bill_download_url": "http://" + s.host + "/sim/bills/" + token + "?fileType=csv.zip"}
	if rows == 0 {
		out["bill_file_code"] = billEmptyFileCode
	}
	return out, nil
}

// serveBill answers a bill's zip until its URL expires.
func (s *Sim) serveBill(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.bills[r.PathValue("token")]
	s.mu.Unlock()
	if !ok || s.now().After(b.expires) {
		http.Error(w, "the download URL has expired", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(b.body)
}

// billFiles are the named CSV files of a bill, and how many detail rows they hold.
func (s *Sim) billFiles(req billRequest, day time.Time) (map[string]string, int, *failure) {
	prefix := fmt.Sprintf("%s0156_%s", s.platformPID(), day.Format("20060102"))
	switch req.BillType {
	case billTrade, billTradeZFT:
		detail, total, n := s.tradeBill(day, req.Smid)
		return map[string]string{prefix + "_业务明细.csv": detail, prefix + "_业务明细(汇总).csv": total}, n, nil
	case billSignCustomer, billZFTAccount:
		detail, total, n := s.accountBill(day, req.BillType == billZFTAccount)
		return map[string]string{prefix + "_账务明细.csv": detail, prefix + "_账务明细(汇总).csv": total}, n, nil
	}
	return nil, 0, fail(wire.SubBillTypeNotSupported, "不支持的账单类型 %s", req.BillType)
}

func (s *Sim) platformPID() string {
	if s.platform != "" {
		return s.platform
	}
	return "2088000000000000"
}

// zipGBK zips the files, their names and contents in GBK with CRLF line ends, as Alipay serves bills.
func zipGBK(files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	enc := simplifiedchinese.GBK.NewEncoder()
	for name, text := range files {
		gbkName, err := enc.String(name)
		if err != nil {
			return nil, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: gbkName, NonUTF8: true, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		body, err := enc.String(strings.ReplaceAll(text, "\n", "\r\n"))
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(body)); err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return buf.Bytes(), err
}

// BillFaults are discrepancies injected into the bills served (simkit's; ids are trade numbers, or the
// out_request_no of a refund or a settle, as sent); the names let callers outside channels/ set them.
type (
	BillFaults   = simkit.BillFaults
	ExtraPayment = simkit.ExtraPayment
)

// SetBillFaults replaces the injected bill discrepancies.
func (s *Sim) SetBillFaults(f BillFaults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.billFaults = f
}
