package wxsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// billDay is the calendar day (China time) of a moment, as bills count days.
func billDay(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

func yuan(fen int64) string { return money.Amount(fen).String() }

func billLine(cells ...string) string {
	for i, c := range cells {
		cells[i] = "`" + c
	}
	return strings.Join(cells, ",")
}

func (s *Sim) billRequest(_ *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	day, sub := q.Get("bill_date"), q.Get("sub_mchid")
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return 0, nil, paramError("bill_date", "YYYY-MM-DD")
	}
	var file string
	if r.URL.Path == wire.PathTradeBill {
		file = s.tradeBill(day, sub)
	} else {
		file = s.sharingBill(day, sub)
	}
	sum := sha1.Sum([]byte(file))
	token := s.nextID("BILL")
	s.bills[token] = []byte(file)
	return 0, wire.BillResponse{HashType: "SHA1", HashValue: hex.EncodeToString(sum[:]),
		DownloadURL: "http://" + r.Host + wire.PathBillDownload + "?token=" + token}, nil
}

func (s *Sim) tradeBill(day, sub string) string {
	lines := []string{wire.TradeBillHeader}
	var count, settled, refunded, total int64
	for _, so := range s.paymentsOn(day, sub) {
		amt := so.wire.Amount.TotalAmount
		lines = append(lines, tradeLine(so, so.paidAt.Format("2006-01-02 15:04:05"), "SUCCESS", yuan(amt),
			"0", "0", "0.00", "", yuan(amt)))
		count, settled, total = count+1, settled+amt, total+amt
	}
	for _, rf := range s.refundsOn(day, sub) {
		at := rf.state.CreateTime[:10] + " " + rf.state.CreateTime[11:19]
		lines = append(lines, tradeLine(rf.sub, at, "REFUND", "0.00", rf.state.RefundID, rf.state.OutRefundNo,
			yuan(rf.state.Amount.Refund), rf.state.Status, yuan(rf.sub.wire.Amount.TotalAmount)))
		count, refunded = count+1, refunded+rf.state.Amount.Refund
	}
	lines = append(lines, wire.TradeBillSummary, billLine(fmt.Sprint(count), yuan(settled), yuan(refunded), yuan(total)))
	return strings.Join(lines, "\r\n") + "\r\n"
}

// tradeLine is a trade bill's line for a sub-order: its time, the order's ids, then the given cells.
func tradeLine(so *subOrder, at, state string, cells ...string) string {
	head := []string{at, so.order.req.CombineAppID, so.wire.MchID, so.wire.SubMchID, so.transactionID,
		so.wire.OutTradeNo, "JSAPI", state}
	return billLine(append(head, cells...)...)
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

func (s *Sim) sharingBill(day, sub string) string {
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
		for _, rc := range sh.state.Receivers {
			lines = append(
				lines,
				billLine(
					sh.created.Format("2006-01-02 15:04:05"),
					sh.state.SubMchID,
					sh.state.TransactionID,
					sh.state.OrderID,
					sh.state.OutOrderNo,
					"分账",
					rc.Type,
					rc.ReceiverAccount,
					yuan(rc.Amount),
					rc.Result,
				),
			)
		}
	}
	var rets []*returnOrder
	for _, ro := range s.returns {
		if ro.state.Result == channels.ReturnSuccess && (sub == "" || ro.state.SubMchID == sub) &&
			strings.HasPrefix(ro.state.FinishTime, day) {
			rets = append(rets, ro)
		}
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i].state.ReturnNo < rets[j].state.ReturnNo })
	for _, ro := range rets {
		lines = append(lines, billLine(
			ro.state.FinishTime[:10]+" "+ro.state.FinishTime[11:19],
			ro.state.SubMchID,
			"",
			ro.state.ReturnNo,
			ro.state.OutReturnNo,
			"回退",
			channels.ReceiverMerchant,
			ro.state.ReturnMchID,
			yuan(ro.state.Amount),
			ro.state.Result,
		))
	}
	return strings.Join(lines, "\r\n") + "\r\n"
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
