package wechatpay

import (
	"fmt"
	"strings"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// billRows splits a bill into its data rows: the header line names the columns, each cell carries a leading
// backtick (so spreadsheets keep long numbers as text), and the rows stop at the summary header.
func billRows(data []byte, wantHeader string) ([][]string, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimPrefix(lines[0], "\uFEFF") != wantHeader {
		return nil, fmt.Errorf("wechatpay: bill header %q is not the expected %q", firstLine(lines), wantHeader)
	}
	width := len(strings.Split(wantHeader, ","))
	var rows [][]string
	for i, line := range lines[1:] {
		if line == "" || !strings.HasPrefix(line, "`") {
			break // the summary header, or the end
		}
		cells := strings.Split(line, ",")
		if len(cells) != width {
			return nil, fmt.Errorf("wechatpay: bill line %d has %d cells, want %d", i+2, len(cells), width)
		}
		for j := range cells {
			cells[j] = strings.TrimPrefix(cells[j], "`")
		}
		rows = append(rows, cells)
	}
	return rows, nil
}

func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// ParseTradeBill reads a downloaded trade bill; yuan cells become fen, and a malformed amount is an error
// naming the line.
func ParseTradeBill(data []byte) ([]channels.TradeBillLine, error) {
	rows, err := billRows(data, wire.TradeBillHeader)
	if err != nil {
		return nil, err
	}
	out := make([]channels.TradeBillLine, 0, len(rows))
	for i, c := range rows {
		var amounts [3]money.Amount
		for k, idx := range []int{8, 11, 13} {
			if amounts[k], err = money.ParseYuan(c[idx]); err != nil {
				return nil, fmt.Errorf("wechatpay: trade bill line %d: %w", i+2, err)
			}
		}
		l := channels.TradeBillLine{Time: c[0], SubMchID: c[3], TransactionID: c[4], OutTradeNo: c[5], TradeState: c[7],
			Settled: amounts[0], Refund: amounts[1], RefundStatus: c[12], OrderAmount: amounts[2]}
		if c[9] != "0" {
			l.RefundID, l.OutRefundNo = c[9], c[10]
		}
		out = append(out, l)
	}
	return out, nil
}

// ParseSharingBill reads a downloaded profit-sharing bill.
func ParseSharingBill(data []byte) ([]channels.SharingBillLine, error) {
	rows, err := billRows(data, wire.SharingBillHeader)
	if err != nil {
		return nil, err
	}
	out := make([]channels.SharingBillLine, 0, len(rows))
	for i, c := range rows {
		amount, err := money.ParseYuan(c[8])
		if err != nil {
			return nil, fmt.Errorf("wechatpay: sharing bill line %d: %w", i+2, err)
		}
		out = append(
			out,
			channels.SharingBillLine{Time: c[0], SubMchID: c[1], TransactionID: c[2], OrderID: c[3], OutOrderNo: c[4],
				Kind: c[5], ReceiverType: c[6], Receiver: c[7], Amount: amount, Status: c[9]},
		)
	}
	return out, nil
}
