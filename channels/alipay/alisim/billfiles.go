package alisim

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/money"
)

const billTime = "2006-01-02 15:04:05"

// The trade bill's header (业务明细, 25 columns) and its summary's.
const (
	tradeHeader = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户," +
		"订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称," +
		"商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
	tradeTotalHeader = "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）," +
		"商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）"
	accountHeader = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）," +
		"账户余额（元）,交易渠道,业务类型,备注,业务基础订单号,业务订单号,业务账单来源,业务描述"
	accountTotalHeader = "类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）,总金额（元）"
)

// serviceFee is the simulator's 服务费 on an amount: 0.60 %, given back in proportion on a refund. The bill shows
// it as a deduction (negative on a payment); balances are kept gross, as the ledger keeps them.
func serviceFee(amount money.Amount) money.Amount { return (amount*6 + 500) / 1000 }

// feeCell is a row's 服务费: taken on a payment (negative), given back on a refund (whose amount is negative).
func feeCell(amount money.Amount) string {
	if amount < 0 {
		return serviceFee(-amount).String()
	}
	return (-serviceFee(amount)).String()
}

func onDay(t time.Time, day time.Time) bool {
	return !t.IsZero() && !t.Before(day) && t.Before(day.AddDate(0, 0, 1))
}

// tradeBill lists the day's payments and refunds (of one sub-merchant when smid is set): a refund row repeats its
// trade's numbers with negative amounts and names the refund's out_request_no.
func (s *Sim) tradeBill(day time.Time, smid string) (detail, total string, rows int) {
	var lines []string
	var paid, refunded, fees money.Amount
	var nPaid, nRefunded int
	for _, t := range s.sortedTrades() {
		if smid != "" && t.detail.SubMerchant.MerchantID != smid {
			continue
		}
		row := func(kind string, done time.Time, amount money.Amount, refundNo string) string {
			return strings.Join([]string{t.tradeNo + "\t", t.detail.OutTradeNo + "\t", kind, t.detail.Subject,
				t.created.In(shanghai).Format(billTime), done.In(shanghai).Format(billTime), "", "", "", "",
				"sim***@alipay.com", amount.String(), amount.String(), "0.00", "0.00", "0.00", "0.00", "0.00", "",
				"0.00", "0.00", refundNo, feeCell(amount), "0.00", ""}, ",")
		}
		if amount, _ := money.ParseYuan(t.detail.TotalAmount); onDay(t.paidAt, day) {
			if amount, ok := s.billFaults.Shown(t.tradeNo, amount); ok {
				lines, paid, nPaid = append(lines, row("交易", t.paidAt, amount, "")), paid+amount, nPaid+1
				fees += serviceFee(amount)
			}
		}
		nos := slices.SortedFunc(maps.Keys(t.refunds), func(a, b string) int {
			return t.refunds[a].State.at.Compare(t.refunds[b].State.at)
		})
		for _, no := range nos { // in the order they were made
			amount, ok := s.billFaults.Shown(no, t.refunds[no].State.amount)
			if r := t.refunds[no]; ok && onDay(r.State.at, day) {
				lines = append(lines, row("退款", r.State.at, -amount, no))
				refunded, nRefunded, fees = refunded+amount, nRefunded+1, fees-serviceFee(amount)
			}
		}
	}
	for _, x := range s.billFaults.Extra {
		if x.Day == day.Format("2006-01-02") {
			lines = append(lines, strings.Join([]string{x.ID + "\t", x.OutTradeNo + "\t", "交易", "", "", "", "", "",
				"", "", "", x.Amount.String(), x.Amount.String(), "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00",
				"0.00", "", "0.00", "0.00", ""}, ","))
			paid, nPaid = paid+x.Amount, nPaid+1
		}
	}
	head := s.billHead("#支付宝业务明细查询", day) + "#-----------------------------------------业务明细列表----------------------------------------\n"
	detail = head + tradeHeader + "\n" + strings.Join(append(lines, ""), "\n") +
		"#-----------------------------------------业务明细列表结束------------------------------------\n" +
		fmt.Sprintf("#交易合计：%d笔，商家实收共%s元，商家优惠共0.00元\n#退款合计：%d笔，商家实收退款共%s元，商家优惠退款共0.00元\n",
			nPaid, paid, nRefunded, -refunded) + s.billFoot()
	net := paid - refunded
	total = head + "#-----------------------------------------业务汇总列表----------------------------------------\n" +
		tradeTotalHeader + "\n" + fmt.Sprintf(",,%d,%d,%s,%s,0.00,0.00,0.00,%s,0.00,%s\n", nPaid, nRefunded, net, net,
		-fees, net-fees) +
		"#-----------------------------------------业务汇总列表结束------------------------------------\n" + s.billFoot()
	return detail, total, nPaid + nRefunded
}

// accountBill lists the day's movements on the platform's account, or (zft) on every sub-merchant's, with each
// account's balance after the movement. Income and expense are separate unsigned columns.
func (s *Sim) accountBill(day time.Time, zft bool) (detail, total string, rows int) {
	balance := map[string]money.Amount{}
	var lines []string
	var in, out money.Amount
	var nIn, nOut int
	for i, f := range s.flows {
		balance[f.account] += f.amount
		_, isMerchant := s.merchants[f.account]
		if !onDay(f.at, day) || (zft && !isMerchant) || (!zft && f.account != s.platform) {
			continue
		}
		amount, ok := s.billFaults.Shown(f.serial, f.amount)
		if !ok {
			continue
		}
		f.amount = amount
		income, expense := "0.00", "0.00"
		if f.amount >= 0 {
			income, in, nIn = f.amount.String(), in+f.amount, nIn+1
		} else {
			expense, out, nOut = (-f.amount).String(), out-f.amount, nOut+1
		}
		lines = append(lines, strings.Join([]string{fmt.Sprintf("%s%08d\t", day.Format("20060102"), i+1),
			f.tradeNo + "\t", f.outTrade + "\t", "", f.at.In(shanghai).Format(billTime), f.counter, income, expense,
			balance[f.account].String(), "支付宝", f.kind, f.account, f.tradeNo, f.serial, "直付通", f.kind}, ","))
	}
	head := s.billHead("#支付宝账务明细查询", day)
	detail = head + "#-----------------------------------------账务明细列表----------------------------------------\n" +
		accountHeader + "\n" + strings.Join(append(lines, ""), "\n") +
		"#-----------------------------------------账务明细列表结束------------------------------------\n" +
		fmt.Sprintf("#支出合计：%d笔，共%s元\n#收入合计：%d笔，共%s元\n", nOut, out, nIn, in) + s.billFoot()
	total = head + accountTotalHeader + "\n" +
		fmt.Sprintf("合计,%d,%s,%d,%s,%s\n", nIn, in, nOut, out, in-out) + s.billFoot()
	return detail, total, len(lines)
}

func (s *Sim) billHead(title string, day time.Time) string {
	return fmt.Sprintf("%s\n#账号：[%s0156]\n#起始日期：[%s 00:00:00]   终止日期：[%s 00:00:00]\n", title,
		s.platformPID(), day.Format("2006年01月02日"), day.AddDate(0, 0, 1).Format("2006年01月02日"))
}

func (s *Sim) billFoot() string {
	return "#导出时间：[" + s.now().In(shanghai).Format("2006年01月02日 15:04:05") + "]\n"
}

// sortedTrades are the trades in the order they were created.
func (s *Sim) sortedTrades() []*trade {
	ts := make([]*trade, 0, len(s.trades))
	for _, t := range s.trades {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].tradeNo < ts[j].tradeNo })
	return ts
}
