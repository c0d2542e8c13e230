package wechatpay

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

var _ channels.Statements = (*Client)(nil)

// The day's bills reconciliation reads: the trade bill (payments and refunds of every sub-merchant), the
// profit-sharing bill (shares, returns and finishes), the platform's fund-flow bill (its BASIC account: the
// subsidies it paid and got back), and the sub-merchants' fund-flow bill (their withdrawals, and those that came
// back).
const (
	BillTrade       = "trade"
	BillSharing     = "sharing"
	BillFundFlow    = "fundflow"
	BillSubFundFlow = "sub_fundflow"
)

// StatementBills names the bills and the posting kinds they cover.
func (c *Client) StatementBills() ([]string, []string) {
	return []string{BillTrade, BillSharing, BillFundFlow, BillSubFundFlow},
		[]string{channels.EventPayment, channels.EventRefund, channels.EventSharing, channels.EventSharingReturn,
			channels.EventFinish, channels.EventSubsidy, channels.EventSubsidyReturn, channels.EventWithdrawal,
			channels.EventWithdrawalBack, channels.EventWithdrawalBounced}
}

// ReadStatement asks for a bill of every sub-merchant, gzipped, streams it through its SHA1, and yields its lines;
// NO_STATEMENT_EXIST (no business that day) yields none, STATEMENT_CREATING is ReasonNotReady.
func (c *Client) ReadStatement(ctx context.Context, bill, day string) iter.Seq2[channels.StatementLine, error] {
	return func(yield func(channels.StatementLine, error) bool) {
		q := url.Values{"bill_date": {day}, "tar_type": {"GZIP"}}
		path, read := wire.PathTradeBill, tradeLine
		switch bill {
		case BillTrade:
			q.Set("bill_type", wire.BillTypeAll)
		case BillSharing:
			path, read = wire.PathSharingBill, sharingLine
		case BillFundFlow:
			path, read = wire.PathFundFlowBill, fundFlowLine
			q.Set("account_type", wire.AccountBasic)
		case BillSubFundFlow:
			path, read = wire.PathSubFundFlowBill, subFundFlowLine
			q.Set("account_type", wire.AccountAll)
			q.Set("algorithm", wire.BillAlgorithmAES)
		default:
			yield(channels.StatementLine{}, invalid("bill", "trade, sharing, fundflow or sub_fundflow"))
			return
		}
		body, sum, err := c.openStatement(ctx, path, q)
		if channels.IsReason(err, channels.ReasonNotFound) {
			return // NO_STATEMENT_EXIST
		}
		if err != nil {
			yield(channels.StatementLine{}, err)
			return
		}
		defer body.Close()
		for l, err := range parseBill(body, bill, read) {
			if !yield(l, err) || err != nil {
				return
			}
		}
		if err := sum(); err != nil {
			yield(channels.StatementLine{}, err)
		}
	}
}

// openStatement asks for a bill and opens it, gzipped; the sub-merchants' fund-flow bills come sealed.
func (c *Client) openStatement(ctx context.Context, path string, q url.Values) (io.ReadCloser, func() error, error) {
	if path == wire.PathSubFundFlowBill || path == wire.PathOneSubFundFlow {
		return c.openSealedBill(ctx, path, q)
	}
	f, err := c.bill(ctx, path, q)
	if err != nil {
		return nil, nil, err
	}
	return c.openBill(ctx, f, true)
}

// ParseStatement reads a downloaded bill (BillTrade or BillSharing) as money events: for files kept on disk, and
// benchmarks.
func ParseStatement(r io.Reader, bill string) iter.Seq2[channels.StatementLine, error] {
	read := map[string]func(billRow) (channels.StatementLine, error){BillTrade: tradeLine, BillSharing: sharingLine,
		BillFundFlow: fundFlowLine, BillSubFundFlow: subFundFlowLine}[bill]
	if read == nil {
		read = tradeLine
	}
	return parseBill(r, bill, read)
}

func parseBill(r io.Reader, bill string, read func(billRow) (channels.StatementLine, error)) iter.Seq2[channels.StatementLine, error] {
	return func(yield func(channels.StatementLine, error) bool) {
		for row, err := range billRows(r) {
			var l channels.StatementLine
			if err == nil {
				if l, err = read(row); err == nil {
					l.Bill, l.Line = bill, row.line
				}
			}
			if err == nil && l.Kind == "" {
				continue // a movement reconciliation does not match (the platform's own)
			}
			if !yield(l, err) || err != nil {
				return
			}
		}
	}
}

// openBill downloads a bill (a signed request whose answer is not signed) as a stream, gunzipped when asked for
// gzip; sum, called after the stream is read, checks the plain file's SHA1 against the hash the channel gave.
func (c *Client) openBill(ctx context.Context, f channels.BillFile, gz bool) (io.ReadCloser, func() error, error) {
	return c.openFile(ctx, f, gz, nil)
}

// openFile is openBill for a file that unseal, when given, deciphers first.
func (c *Client) openFile(ctx context.Context, f channels.BillFile, gz bool,
	unseal func(io.Reader) (io.Reader, error),
) (io.ReadCloser, func() error, error) {
	if !strings.EqualFold(f.HashType, "SHA1") {
		return nil, nil, invalid("hash_type", fmt.Sprintf("unsupported bill hash %q", f.HashType))
	}
	res, err := c.download.Get(ctx, f.DownloadURL)
	if err != nil {
		return nil, nil, classify(err)
	}
	var plain io.Reader = res.Response.Body
	if unseal != nil {
		if plain, err = unseal(plain); err != nil {
			res.Response.Body.Close()
			return nil, nil, err
		}
	}
	if gz {
		if plain, err = gzip.NewReader(plain); err != nil {
			res.Response.Body.Close()
			return nil, nil, downloadFailed(err)
		}
	}
	h := sha1.New()
	sum := func() error {
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, f.HashValue) {
			return &channels.BusinessError{Channel: channels.WeChatPay, Code: "BILL_HASH_MISMATCH",
				Message: fmt.Sprintf("bill SHA1 %s, channel said %s", got, f.HashValue), Retryable: true}
		}
		return nil
	}
	return readCloser{io.TeeReader(plain, h), res.Response.Body}, sum, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func downloadFailed(err error) error {
	return &channels.BusinessError{Channel: channels.WeChatPay, Code: channels.CodeTimeout, Message: err.Error(),
		Retryable: true}
}

// DownloadBill fetches a whole bill (plain, not gzipped) and checks its SHA1 hash: for small bills and tests.
func (c *Client) DownloadBill(ctx context.Context, f channels.BillFile) ([]byte, error) {
	body, sum, err := c.openBill(ctx, f, false)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, 512<<20))
	if err != nil {
		return nil, downloadFailed(err)
	}
	return data, sum()
}

// billRow is a data row: its line in the file, and its cells by column name.
type billRow struct {
	line int
	cell func(column string) string
}

func (r billRow) get(column string) string { return r.cell(column) }

// billRows streams a bill's data rows: the header line names the columns (read by name, never by position), each
// cell carries a leading backtick (so spreadsheets keep long numbers as text), and the rows stop at the summary's
// header. The whole stream is read, so its hash covers the summary too.
func billRows(r io.Reader) iter.Seq2[billRow, error] {
	return func(yield func(billRow, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		if !sc.Scan() {
			yield(billRow{}, fmt.Errorf("wechatpay: empty bill: %v", sc.Err()))
			return
		}
		index := map[string]int{}
		for i, name := range strings.Split(strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF")), ",") {
			index[name] = i
		}
		n, rows := 1, true
		for sc.Scan() {
			n++
			line := strings.TrimRight(sc.Text(), "\r")
			if !rows || !strings.HasPrefix(line, "`") {
				rows = false // the summary: read on, for the hash
				continue
			}
			cells := strings.Split(line, ",")
			if len(cells) != len(index) {
				yield(billRow{}, fmt.Errorf("wechatpay: bill line %d has %d cells, want %d", n, len(cells), len(index)))
				return
			}
			row := billRow{line: n, cell: func(column string) string {
				if i, ok := index[column]; ok {
					return strings.TrimPrefix(cells[i], "`")
				}
				return ""
			}}
			if !yield(row, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(billRow{}, downloadFailed(err))
		}
	}
}

// yuanCell reads an amount cell as fen, unsigned; an empty cell is zero.
func yuanCell(row billRow, column string) (money.Amount, error) {
	v := row.get(column)
	if v == "" {
		return 0, nil
	}
	a, err := money.ParseYuan(strings.TrimPrefix(v, "-"))
	if err != nil {
		return 0, fmt.Errorf("wechatpay: bill column %s: %w", column, err)
	}
	return a, nil
}

// tradeLine reads a trade bill row: a payment (its 订单金额, what we asked) or a refund (申请退款金额), with its fee.
func tradeLine(row billRow) (channels.StatementLine, error) {
	l := channels.StatementLine{At: row.get("交易时间"), SubMchID: row.get("特约商户号"), Status: row.get("交易状态")}
	amountColumn := "订单金额"
	if l.Status == "REFUND" {
		l.Kind, l.EventID, l.OutNo, l.Status = channels.EventRefund, row.get("微信退款单号"), row.get("商户退款单号"), row.get("退款状态")
		l.TradeID = row.get("微信订单号")
		amountColumn = "申请退款金额"
		if row.get(amountColumn) == "" {
			amountColumn = "退款金额"
		}
	} else {
		l.Kind, l.EventID, l.OutNo = channels.EventPayment, row.get("微信订单号"), row.get("商户订单号")
	}
	var err, feeErr error
	l.Amount, err = yuanCell(row, amountColumn)
	l.Fee, feeErr = yuanCell(row, "手续费")
	if err == nil {
		err = feeErr
	}
	return l, err
}

// sharingLine reads a profit-sharing bill row: one receiver's share, or a return.
func sharingLine(row billRow) (channels.StatementLine, error) {
	l := channels.StatementLine{At: row.get("分账发起时间"), SubMchID: row.get("分账方商户号"), Kind: channels.EventSharing,
		EventID: row.get("微信分账/回退单号"), OutNo: row.get("商户分账/回退单号"), Status: row.get("处理状态"),
		TradeID: row.get("微信订单号")}
	switch row.get("业务类型") {
	case wire.SharingBillReturn:
		l.Kind = channels.EventSharingReturn
	case wire.SharingBillFinish:
		l.Kind = channels.EventFinish
	}
	var err error
	l.Amount, err = yuanCell(row, "分账金额(元)")
	return l, err
}

// fundFlowLines are the fund-flow bills' business types reconciliation matches, as posting kinds: on the
// platform's account its subsidies; on the sub-merchants' their withdrawals (the other movements there are the
// trade and profit-sharing bills' events again).
var (
	fundFlowLines = map[string]string{wire.FundFlowSubsidy: channels.EventSubsidy,
		wire.FundFlowSubsidyReturn: channels.EventSubsidyReturn}
	subFundFlowLines = map[string]string{wire.FundFlowWithdraw: channels.EventWithdrawal,
		wire.FundFlowWithdrawn: channels.EventWithdrawalBack, wire.FundFlowBounced: channels.EventWithdrawalBounced}
)

// fundFlowLine reads a platform fund-flow bill row: a subsidy paid out or got back, keyed by 微信支付业务单号 (the
// subsidy's or its return's id); other movements have no Kind and are passed over.
func fundFlowLine(row billRow) (channels.StatementLine, error) {
	return flowLine(row, fundFlowLines)
}

// subFundFlowLine reads a sub-merchants' fund-flow bill row: a withdrawal, or one that came back, with its
// sub-merchant and our out_request_no (业务凭证号), by which the ledger keys withdrawals.
func subFundFlowLine(row billRow) (channels.StatementLine, error) {
	l, err := flowLine(row, subFundFlowLines)
	l.SubMchID = row.get("特约商户号")
	return l, err
}

func flowLine(row billRow, kinds map[string]string) (channels.StatementLine, error) {
	kind := kinds[row.get("业务类型")]
	if kind == "" {
		return channels.StatementLine{}, nil
	}
	l := channels.StatementLine{At: row.get("记账时间"), Kind: kind, EventID: row.get("微信支付业务单号"),
		OutNo: row.get("业务凭证号"), Status: channels.StatementSuccess}
	var err error
	l.Amount, err = yuanCell(row, "收支金额(元)")
	return l, err
}
