package wxsim

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// billDay is the calendar day (China time) of a moment, as bills count days.
func billDay(t time.Time) string { return t.In(cst).Format("2006-01-02") }

func yuan(fen int64) string { return money.Amount(fen).String() }

func billLine(cells ...string) string {
	for i, c := range cells {
		cells[i] = "`" + c
	}
	return strings.Join(cells, ",")
}

// Bills of a day are made by 10:00 the next day (China time); before that the channel answers
// STATEMENT_CREATING. A day with no line is NO_STATEMENT_EXIST. tar_type=GZIP answers the file gzipped; the hash
// is always the plain file's.
const billReadyHour = 10

// billMade checks the parameters every bill takes: a past day within three months whose bills are made, and
// tar_type.
func (s *Sim) billMade(q url.Values) *apiError {
	date, err := time.ParseInLocation("2006-01-02", q.Get("bill_date"), cst)
	switch {
	case err != nil:
		return paramError("bill_date", "YYYY-MM-DD")
	case q.Get("tar_type") != "" && q.Get("tar_type") != "GZIP":
		return paramError("tar_type", "GZIP")
	case !date.Before(s.now().In(cst)) || date.Before(s.now().In(cst).AddDate(0, -3, -1)):
		return paramError("bill_date", "a past day, at most three months back")
	case s.now().Before(date.AddDate(0, 0, 1).Add(billReadyHour*time.Hour + s.billFaults.Late)):
		return fail(http.StatusBadRequest, wire.CodeStatementCreating, "账单生成中，请10点后再下载")
	}
	return nil
}

func (s *Sim) billRequest(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	day, sub, kind := q.Get("bill_date"), q.Get("sub_mchid"), q.Get("bill_type")
	if kind == "" {
		kind = wire.BillTypeAll
	}
	if wire.TradeBillColumns[kind] == nil {
		return 0, nil, paramError("bill_type", "ALL, SUCCESS or REFUND")
	}
	if e := s.billMade(q); e != nil {
		return 0, nil, e
	}
	var file string
	var rows int
	switch r.URL.Path {
	case wire.PathTradeBill:
		file, rows = s.tradeBill(day, sub, kind)
	case wire.PathSharingBill:
		file, rows = s.sharingBill(day, sub)
	default:
		account := q.Get("account_type")
		if account != wire.AccountBasic && account != wire.AccountOperation && account != wire.AccountFees {
			return 0, nil, paramError("account_type", "BASIC, OPERATION or FEES")
		}
		file, rows = s.fundFlowBill(day, account, false, "")
	}
	if rows == 0 {
		return 0, nil, fail(http.StatusBadRequest, wire.CodeNoStatementExist, "该日期无账单")
	}
	sum := sha1.Sum([]byte(file))
	return 0, wire.BillResponse{HashType: "SHA1", HashValue: hex.EncodeToString(sum[:]),
		DownloadURL: s.billURL(r, compressed(q, []byte(file)))}, nil
}

// compressed is a bill's file as asked: gzipped for tar_type=GZIP.
func compressed(q url.Values, file []byte) []byte {
	if q.Get("tar_type") != "GZIP" {
		return file
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(file)
	_ = zw.Close()
	return b.Bytes()
}

// billURL keeps a file for download and answers its URL.
func (s *Sim) billURL(r *http.Request, body []byte) string {
	token := s.nextID("BILL")
	s.bills[token] = body
	return "http://" + r.Host + wire.PathBillDownload + "?token=" + token
}

var cst = channels.ChinaTime

// feeRate is the simulator's fee (0.60 %), charged on payments and given back in proportion on refunds.
func fee(amount int64) int64 { return (amount*6 + 500) / 1000 }

// tradeBill lists the day's payments (by payment time) and refunds (by the time they were accepted) of one
// sub-merchant, or all, in the columns of the bill type; it answers the file and its number of rows.
func (s *Sim) tradeBill(day, sub, kind string) (string, int) {
	columns := wire.TradeBillColumns[kind]
	lines := []string{strings.Join(columns, ",")}
	var n, settled, refunded, fees, total, asked int64
	if kind != wire.BillTypeRefund {
		for _, so := range s.paymentsOn(day, sub) {
			shown, ok := s.billFaults.Shown(so.transactionID, money.Amount(so.wire.Amount.TotalAmount))
			amt := int64(shown)
			if !ok {
				continue
			}
			row := tradeRow(so, so.paidAt, "SUCCESS")
			row["应结订单金额"], row["手续费"], row["订单金额"] = yuan(amt), yuan(fee(amt)), yuan(amt)
			lines = append(lines, billRow(columns, row))
			n, settled, fees, total = n+1, settled+amt, fees+fee(amt), total+amt
		}
	}
	if kind != wire.BillTypeSuccess {
		for _, rf := range s.refundsOn(day, sub) {
			created, _ := time.Parse(time.RFC3339, rf.state.CreateTime)
			shown, ok := s.billFaults.Shown(rf.state.RefundID, money.Amount(rf.state.Amount.Refund))
			amt := int64(shown)
			if !ok {
				continue
			}
			row := tradeRow(rf.sub, created, "REFUND")
			row["微信退款单号"], row["商户退款单号"], row["退款金额"] = rf.state.RefundID, rf.state.OutRefundNo, yuan(amt)
			row["退款类型"], row["退款状态"], row["申请退款金额"] = "ORIGINAL", billRefundStatus(rf.state.Status), yuan(amt)
			row["手续费"], row["订单金额"] = yuan(-fee(amt)), yuan(rf.sub.wire.Amount.TotalAmount)
			row["退款申请时间"], row["退款成功时间"] = created.In(cst).Format(billTime), billTimeOf(rf.state.SuccessTime)
			lines = append(lines, billRow(columns, row))
			n, refunded, fees, asked = n+1, refunded+amt, fees-fee(amt), asked+amt
		}
	}
	for _, x := range s.billFaults.Extra {
		if kind != wire.BillTypeRefund && x.Day == day && (sub == "" || x.SubMchID == sub) {
			amt := int64(x.Amount)
			row := map[string]string{"交易时间": day + " 12:00:00", "特约商户号": x.SubMchID, "微信订单号": x.ID,
				"商户订单号": x.OutTradeNo, "交易状态": "SUCCESS", "应结订单金额": yuan(amt), "订单金额": yuan(amt),
				"手续费": yuan(fee(amt)), "微信退款单号": "0", "商户退款单号": "0", "退款金额": "0.00", "申请退款金额": "0.00"}
			lines = append(lines, billRow(columns, row))
			n, settled, fees, total = n+1, settled+amt, fees+fee(amt), total+amt
		}
	}
	summary := map[string]string{"总交易单数": fmt.Sprint(n), "应结订单总金额": yuan(settled), "退款总金额": yuan(refunded),
		"充值券退款总金额": "0.00", "手续费总金额": yuan(fees), "订单总金额": yuan(total), "申请退款总金额": yuan(asked)}
	lines = append(lines, strings.Join(wire.TradeBillSummaries[kind], ","), billRow(wire.TradeBillSummaries[kind], summary))
	return strings.Join(lines, "\r\n") + "\r\n", int(n)
}

const billTime = "2006-01-02 15:04:05"

func payer(so *subOrder) string {
	if p := so.order.req.CombinePayerInfo; p != nil {
		return p.OpenID
	}
	return ""
}

// BillFaults are discrepancies injected into the bills served (simkit's; ids are transaction, refund, sharing or
// return ids); the names let callers outside channels/ set them.
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

// tradeRow is the cells a sub-order gives every row of the trade bill.
func tradeRow(so *subOrder, at time.Time, state string) map[string]string {
	return map[string]string{"交易时间": at.In(cst).Format(billTime), "公众账号ID": so.order.req.CombineAppID,
		"商户号": so.wire.MchID, "特约商户号": so.wire.SubMchID, "微信订单号": so.transactionID,
		"商户订单号": so.wire.OutTradeNo, "用户标识": payer(so), "交易类型": so.order.tradeType,
		"交易状态": state, "付款银行": "OTHERS", "货币种类": "CNY", "应结订单金额": "0.00", "代金券金额": "0.00",
		"微信退款单号": "0", "商户退款单号": "0", "退款金额": "0.00", "充值券退款金额": "0.00", "商品名称": so.wire.Description,
		"商户数据包": so.wire.Attach, "费率": "0.60%", "申请退款金额": "0.00"}
}

// billRow renders cells in the columns' order, each prefixed with a backtick; a merchant's text has its commas
// escaped, as the channel does.
func billRow(columns []string, cells map[string]string) string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = "`" + strings.ReplaceAll(cells[c], ",", "，")
	}
	return strings.Join(out, ",")
}

// billRefundStatus is a refund's state as the bill writes it (ABNORMAL shows as CHANGE).
func billRefundStatus(status string) string {
	if status == channels.RefundAbnormal {
		return "CHANGE"
	}
	return status
}

func billTimeOf(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return ""
	}
	return t.In(cst).Format(billTime)
}

// paymentsOn are the sub-orders paid on a day (of one sub-merchant, or all), by transaction id.
func (s *Sim) paymentsOn(day, sub string) []*subOrder {
	var subs []*subOrder
	for _, so := range s.byTx {
		if billDay(so.paidAt) == day && (sub == "" || so.wire.SubMchID == sub) {
			subs = append(subs, so)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].transactionID < subs[j].transactionID })
	return subs
}

// refundsOn are the refunds applied on a day (of one sub-merchant, or all), by refund id.
func (s *Sim) refundsOn(day, sub string) []*refund {
	var rfs []*refund
	for _, rf := range s.refundsByID {
		created, _ := time.Parse(time.RFC3339, rf.state.CreateTime)
		if billDay(created) == day && (sub == "" || rf.sub.wire.SubMchID == sub) {
			rfs = append(rfs, rf)
		}
	}
	sort.Slice(rfs, func(i, j int) bool { return rfs[i].state.RefundID < rfs[j].state.RefundID })
	return rfs
}

// sharingBill lists the day's successful shares, a row per receiver, and returns; it answers the file and its
// number of rows.
func (s *Sim) sharingBill(day, sub string) (string, int) {
	lines := []string{wire.SharingBillHeader}
	var shs []*sharing
	for _, sh := range s.sharings {
		if billDay(sh.created) == day && (sub == "" || sh.state.SubMchID == sub) &&
			sh.state.Status == channels.SharingFinished {
			shs = append(shs, sh)
		}
	}
	sort.Slice(shs, func(i, j int) bool { return shs[i].state.OrderID < shs[j].state.OrderID })
	for _, sh := range shs {
		if rest := sh.state.FinishAmount; rest > 0 { // a finish order: the rest unfrozen to the sub-merchant
			if shown, ok := s.billFaults.Shown(sh.state.OrderID, money.Amount(rest)); ok {
				lines = append(lines, billLine(sh.created.In(cst).Format(billTime), sh.state.SubMchID,
					sh.state.TransactionID, sh.state.OrderID, sh.state.OutOrderNo, wire.SharingBillFinish,
					channels.ReceiverMerchant, sh.state.SubMchID, yuan(int64(shown)), channels.ReceiverSuccess))
			}
		}
		for _, rc := range sh.state.Receivers {
			shown, ok := s.billFaults.Shown(sh.state.OrderID, money.Amount(rc.Amount))
			amt := int64(shown)
			if !ok || rc.Result != channels.ReceiverSuccess {
				continue // only successful shares are listed
			}
			lines = append(lines, billLine(sh.created.In(cst).Format(billTime), sh.state.SubMchID, sh.state.TransactionID,
				sh.state.OrderID, sh.state.OutOrderNo, wire.SharingBillShare, rc.Type, rc.ReceiverAccount, yuan(amt),
				rc.Result))
		}
	}
	var rets []*returnOrder
	for _, ro := range s.returns {
		if ro.state.Result == channels.ReturnSuccess && (sub == "" || ro.state.SubMchID == sub) &&
			billDay(parseTime(ro.state.FinishTime)) == day {
			rets = append(rets, ro)
		}
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i].state.ReturnNo < rets[j].state.ReturnNo })
	for _, ro := range rets {
		shown, ok := s.billFaults.Shown(ro.state.ReturnNo, money.Amount(ro.state.Amount))
		amt := int64(shown)
		if !ok {
			continue
		}
		lines = append(lines, billLine(billTimeOf(ro.state.FinishTime), ro.state.SubMchID, "", ro.state.ReturnNo,
			ro.state.OutReturnNo, wire.SharingBillReturn, channels.ReceiverMerchant, ro.state.ReturnMchID, yuan(amt),
			ro.state.Result))
	}
	return strings.Join(lines, "\r\n") + "\r\n", len(lines) - 1
}

func parseTime(rfc3339 string) time.Time {
	t, _ := time.Parse(time.RFC3339, rfc3339)
	return t
}

// fundFlow is a movement on a BASIC account, the platform's or a sub-merchant's: + income, − expense (fen).
type fundFlow struct {
	at            time.Time
	account       string // the sub_mchid, or "" for the platform's own account
	bizNo, serial string // the channel's id of the business (微信支付业务单号), and the movement's (资金流水单号)
	voucher       string // the business's number as the merchant gave it (业务凭证号), else bizNo
	kind          string // 业务类型
	amount        int64
}

// platformFlowOpening is the simulated platform account's balance before its first movement.
const platformFlowOpening = 100_000_000 // 1,000,000.00 yuan

// flow records a movement on an account ("" is the platform's) for the fund-flow bills (callers hold s.mu).
func (s *Sim) flow(account, bizNo, voucher, kind string, amount int64) {
	if voucher == "" {
		voucher = bizNo
	}
	s.flows = append(s.flows, fundFlow{at: s.now(), account: account, bizNo: bizNo, serial: s.nextID("FF"),
		voucher: voucher, kind: kind, amount: amount})
}

// fundFlowBill lists the day's movements on the platform's account (BASIC; OPERATION and FEES have none here)
// or, with subs, on the sub-merchants' (one, or every one when sub is ""), each with its account's balance after
// it; it answers the file and its number of rows.
func (s *Sim) fundFlowBill(day, account string, subs bool, sub string) (string, int) {
	columns := wire.FundFlowBillColumns
	if subs {
		columns = wire.SubFundFlowBillColumns
	}
	lines := []string{strings.Join(columns, ",")}
	balance := map[string]int64{"": platformFlowOpening}
	var n, in, out, nIn, nOut int64
	for _, f := range s.flows {
		balance[f.account] += f.amount
		amount, ok := s.billFaults.Shown(f.bizNo, money.Amount(f.amount))
		mine := (!subs && f.account == "") || (subs && f.account != "" && (sub == "" || f.account == sub))
		if !mine || account != wire.AccountBasic && account != wire.AccountAll || billDay(f.at) != day || !ok {
			continue
		}
		way, amt := wire.FundFlowIncome, int64(amount)
		if amt < 0 {
			way, amt, nOut, out = wire.FundFlowExpense, -amt, nOut+1, out-amount.Fen()
		} else {
			nIn, in = nIn+1, in+amt
		}
		lines = append(lines, billRow(columns, map[string]string{"记账时间": f.at.In(cst).Format(billTime),
			"特约商户号": f.account, "微信支付业务单号": f.bizNo, "资金流水单号": f.serial, "业务名称": f.kind, "业务类型": f.kind,
			"收支类型": way, "收支金额(元)": yuan(amt), "账户结余(元)": yuan(balance[f.account]), "资金变更提交申请人": "system",
			"业务凭证号": f.voucher}))
		n++
	}
	lines = append(lines, strings.Join(wire.FundFlowBillSummary, ","),
		billLine(fmt.Sprint(n), fmt.Sprint(nIn), yuan(in), fmt.Sprint(nOut), yuan(out)))
	return strings.Join(lines, "\r\n") + "\r\n", int(n)
}

// serveBill answers a bill download: the request is signed, the answer is the raw file, not signed.
func (s *Sim) serveBill(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	file, ok := s.bills[r.URL.Query().Get("token")]
	s.mu.Unlock()
	if !ok {
		s.reply(w, 0, nil, fail(http.StatusNotFound, wire.CodeResourceNotExist, "no such bill"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(file)
}
