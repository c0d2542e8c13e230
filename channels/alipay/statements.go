package alipay

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/money"
)

var _ channels.Statements = (*Client)(nil)

// StatementBills: the platform's trade bill (payments and refunds) and the sub-merchants' account bill (zft_acc),
// whose 分账 lines are the royalties each sub-merchant paid out, and 分账退回 lines those given back in refunds.
func (c *Client) StatementBills() ([]string, []string) {
	return []string{BillTrade, BillZFTAccount},
		[]string{channels.EventPayment, channels.EventRefund, channels.EventSharing, channels.EventSharingReturn}
}

// ReadStatement asks for a day's bill, downloads the zip to a temporary file at once (its URL lives 30 seconds),
// and streams the detail file (GBK) through the zip's CRC-32 check, yielding its lines. Before 09:00 the next
// day the bill is ReasonNotReady.
func (c *Client) ReadStatement(ctx context.Context, bill, day string) iter.Seq2[channels.StatementLine, error] {
	return func(yield func(channels.StatementLine, error) bool) {
		suffix, read := map[string]string{BillTrade: "_业务明细.csv", BillZFTAccount: "_账务明细.csv"}[bill], tradeLine
		if bill == BillZFTAccount {
			read = accountLine
		}
		if suffix == "" {
			yield(channels.StatementLine{}, invalidRequest("bill", "trade or zft_acc"))
			return
		}
		f, err := c.Bill(ctx, bill, day, "")
		if err != nil {
			yield(channels.StatementLine{}, err)
			return
		}
		zf, cleanup, err := c.fetchZip(ctx, f)
		if err != nil {
			yield(channels.StatementLine{}, err)
			return
		}
		defer cleanup()
		for row, err := range detailRows(zf, suffix) {
			var l channels.StatementLine
			var keep bool
			if err == nil {
				l, keep, err = read(row)
				l.Bill, l.Line = bill, row.line
			}
			if err != nil {
				yield(channels.StatementLine{}, err)
				return
			}
			if keep && !yield(l, nil) {
				return
			}
		}
	}
}

// fetchZip downloads a bill's zip into a temporary file (a zip is read from its end, so it cannot be streamed),
// and opens it; cleanup closes and removes the file.
func (c *Client) fetchZip(ctx context.Context, f channels.BillFile) (*zip.Reader, func(), error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.DownloadURL, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, &channels.BusinessError{Channel: channels.Alipay, Code: channels.CodeTimeout, Retryable: true,
			Message: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, downloadRefused(resp.StatusCode, nil)
	}
	tmp, err := os.CreateTemp("", "alipay-bill-*.zip")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	size, err := io.Copy(tmp, io.LimitReader(resp.Body, 4<<30))
	if err != nil {
		cleanup()
		return nil, nil, downloadRefused(resp.StatusCode, err)
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("alipay bill: not a zip: %w", err)
	}
	return zr, cleanup, nil
}

// downloadRefused: a 4xx is an expired URL (it lives 30 seconds), which only asking for a new one helps; a 5xx or
// a cut body may pass.
func downloadRefused(status int, err error) error {
	expired := status/100 == 4
	be := &channels.BusinessError{Channel: channels.Alipay, HTTPStatus: status, Code: "BILL_DOWNLOAD",
		Retryable: !expired, Message: fmt.Sprintf("bill download answered %d (%v)", status, err)}
	if expired {
		be.Reason, be.Message = channels.ReasonNotFound, "the bill's download URL has expired: ask for a new one"
	}
	return be
}

// detailRow is a detail file's data row: its line, and its cells by column name.
type detailRow struct {
	line int
	cell map[string]string
}

// detailRows streams the zip's file whose name ends with suffix (names and text in GBK): '#' lines before the
// header, the header, the rows up to the '#…列表结束' marker. The file is read to its end, where archive/zip
// checks its CRC-32.
func detailRows(zr *zip.Reader, suffix string) iter.Seq2[detailRow, error] {
	return func(yield func(detailRow, error) bool) {
		var file *zip.File
		for _, f := range zr.File {
			name := f.Name
			if f.NonUTF8 {
				name, _ = simplifiedchinese.GBK.NewDecoder().String(name)
			}
			if strings.HasSuffix(name, suffix) {
				file = f
			}
		}
		if file == nil {
			yield(detailRow{}, fmt.Errorf("alipay bill: no file ending %s in the zip", suffix))
			return
		}
		rc, err := file.Open()
		if err != nil {
			yield(detailRow{}, fmt.Errorf("alipay bill: %w", err))
			return
		}
		defer rc.Close()
		sc := bufio.NewScanner(transform.NewReader(rc, simplifiedchinese.GBK.NewDecoder()))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var header []string
		for n, done := 1, false; sc.Scan(); n++ {
			line := strings.TrimRight(sc.Text(), "\r")
			switch {
			case done || (header == nil && strings.HasPrefix(line, "#")):
			case header == nil:
				header = strings.Split(line, ",")
			case strings.HasPrefix(line, "#"):
				done = true // the list's end: read on to the end of the file for its checksum
			default:
				cells := strings.Split(line, ",")
				if len(cells) != len(header) {
					yield(detailRow{}, fmt.Errorf("alipay bill: line %d has %d cells, want %d", n, len(cells), len(header)))
					return
				}
				row := detailRow{line: n, cell: make(map[string]string, len(header))}
				for i, h := range header {
					row.cell[h] = strings.TrimSpace(strings.ReplaceAll(cells[i], "\t", ""))
				}
				if !yield(row, nil) {
					return
				}
			}
		}
		if err := sc.Err(); err != nil {
			yield(detailRow{}, fmt.Errorf("alipay bill: a file fails its checksum or is cut: %w", err))
		}
	}
}

// yuanCell reads an amount as unsigned fen; empty is zero.
func yuanCell(row detailRow, column string) (money.Amount, error) {
	v := strings.TrimPrefix(row.cell[column], "-")
	if v == "" {
		return 0, nil
	}
	a, err := money.ParseYuan(v)
	if err != nil {
		return 0, fmt.Errorf("alipay bill line %d, %s: %w", row.line, column, err)
	}
	return a, nil
}

// tradeLine reads a 业务明细 row: 交易 is a payment of 订单金额 keyed by the trade number; 退款 a refund keyed by
// our refund number (退款批次号/请求号). 服务费 is the fee.
func tradeLine(row detailRow) (channels.StatementLine, bool, error) {
	l := channels.StatementLine{Kind: channels.EventPayment, EventID: row.cell["支付宝交易号"],
		OutNo: wire.Ours(row.cell["商户订单号"]), Status: channels.StatementSuccess, At: row.cell["完成时间"]}
	if row.cell["业务类型"] == "退款" {
		no := wire.Ours(row.cell["退款批次号/请求号"])
		l.Kind, l.EventID, l.OutNo, l.TradeID = channels.EventRefund, no, no, l.EventID
	}
	amount, err := yuanCell(row, "订单金额（元）")
	fee, feeErr := yuanCell(row, "服务费（元）")
	l.Amount, l.Fee = amount, fee
	if err == nil {
		err = feeErr
	}
	return l, true, err
}

// accountLine reads a 账务明细 row of zft_acc: a 分账 expense is a sub-merchant's royalty paid out, keyed by the
// settle request's out_request_no (业务订单号) as the ledger keys the sharing; a 分账退回 income is a royalty a
// receiver (对方账号) gave back inside a refund, which has no id of its own: the refund's out_request_no and the
// receiver. Other movements are not read.
func accountLine(row detailRow) (channels.StatementLine, bool, error) {
	out, err := yuanCell(row, "支出金额（-元）")
	in, inErr := yuanCell(row, "收入金额（+元）")
	if err == nil {
		err = inErr
	}
	serial := row.cell["业务订单号"]
	l := channels.StatementLine{OutNo: wire.Ours(serial), TradeID: row.cell["业务基础订单号"], SubMchID: row.cell["备注"],
		Status: channels.StatementSuccess, At: row.cell["发生时间"]}
	switch kind := row.cell["业务类型"]; {
	case err != nil:
		return l, false, err
	case kind == "分账" && out > 0:
		l.Kind, l.EventID, l.Amount = channels.EventSharing, serial, out
	case kind == "分账退回" && in > 0:
		l.Kind, l.Receiver, l.Amount = channels.EventSharingReturn, row.cell["对方账号"], in
	default:
		return l, false, nil
	}
	return l, true, nil
}
