package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
)

// BenchmarkReconcile reconciles a generated WeChat Pay trade bill of N payment lines (SPLITPAY_RECON_LINES,
// comma-separated sizes; default 250000,1000000) against a ledger holding the matching postings: the bill is read
// from disk, streamed through the parser into staging with COPY, and matched. It reports lines per second of the
// whole and the process's peak RSS. Setup (writing the file, bulk-loading the postings) is not timed.
func BenchmarkReconcile(b *testing.B) {
	sizes := os.Getenv("SPLITPAY_RECON_LINES")
	if sizes == "" {
		sizes = "250000,1000000"
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) { benchReconcile(b, n) })
	}
}

func benchReconcile(b *testing.B, n int) {
	ctx := context.Background()
	db := testenv.MigratedPool(b)
	l := ledger.New(db)
	file := filepath.Join(b.TempDir(), "tradebill.csv")
	writeTradeBill(b, file, n)
	loadPayments(b, db, n)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		run, err := l.BeginRecon(ctx, "wechatpay", "2026-11-30")
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		staged, err := l.StageBill(ctx, run, wechatpay.BillTrade, asBillLines(wechatpay.ParseStatement(
			bufio.NewReaderSize(f, 1<<20), wechatpay.BillTrade)))
		f.Close()
		if err != nil || staged != int64(n) {
			b.Fatalf("staged %d of %d: %v", staged, n, err)
		}
		staging := time.Since(start)
		if run, err = match(l, run, []string{"payment"}); err != nil || run.Matched != int64(n) {
			b.Fatalf("matched %+v: %v", run, err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "lines/s")
		b.ReportMetric(staging.Seconds(), "stage-s")
		b.ReportMetric(time.Since(start).Seconds()-staging.Seconds(), "match-s")
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
}

// asBillLines converts the channel's lines to the ledger's, as the StageBill activity does.
func asBillLines(lines iter.Seq2[channels.StatementLine, error]) iter.Seq2[ledger.BillLine, error] {
	return func(yield func(ledger.BillLine, error) bool) {
		for l, err := range lines {
			if !yield(ledger.BillLine{Line: l.Line, Kind: l.Kind, EventID: l.EventID, OutNo: l.OutNo,
				SubMchID: l.SubMchID, Amount: l.Amount, Fee: l.Fee, Status: l.Status, At: l.At}, err) {
				return
			}
		}
	}
}

// writeTradeBill writes an ALL trade bill of n payments of 1.00 to 99.99 yuan, in the documented columns.
func writeTradeBill(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cols := wire.TradeBillColumns[wire.BillTypeAll]
	fmt.Fprintln(w, strings.Join(cols, ","))
	row := make([]string, len(cols))
	for i := range n {
		for c, name := range cols {
			switch name {
			case "交易时间":
				row[c] = "`2026-11-30 12:00:00"
			case "特约商户号":
				row[c] = "`1900000109"
			case "微信订单号":
				row[c] = "`" + benchTx(i)
			case "商户订单号":
				row[c] = fmt.Sprintf("`B%d-sub1", i)
			case "交易状态":
				row[c] = "`SUCCESS"
			case "订单金额", "应结订单金额":
				row[c] = "`" + benchAmount(i)
			default:
				row[c] = "`"
			}
		}
		fmt.Fprintln(w, strings.Join(row, ","))
	}
	fmt.Fprintln(w, strings.Join(wire.TradeBillSummaries[wire.BillTypeAll], ","))
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	_ = f.Close()
}

func benchTx(i int) string { return fmt.Sprintf("4200%016d", i) }

func benchAmount(i int) string { c := 100 + i%9900; return fmt.Sprintf("%d.%02d", c/100, c%100) }

// loadPayments bulk-loads n payment postings (buyers' clearing → a merchant's frozen funds) with COPY, as the
// ledger would hold them after a day of n payments.
func loadPayments(b *testing.B, db *pgxpool.Pool, n int) {
	ctx := context.Background()
	l := ledger.New(db)
	ref := ledger.OrderRef{Channel: "wechatpay", OrderNo: "B0", SubOrderNo: "B0-sub1", MerchantID: "m1"}
	if _, err := l.PaymentReceived(ctx, ledger.PaymentReceived{OrderRef: ref, TransactionID: "seed", Amount: 1}); err != nil {
		b.Fatal(err) // opens the two accounts
	}
	var clearing, frozen, first int64
	if err := db.QueryRow(ctx, `SELECT (SELECT id FROM accounts WHERE key = $1), (SELECT id FROM accounts WHERE key = $2),
		nextval('postings_id_seq')`, ledger.BuyersClearing("wechatpay").Key(),
		ledger.MerchantFrozen("wechatpay", "m1").Key()).Scan(&clearing, &frozen, &first); err != nil {
		b.Fatal(err)
	}
	_, err := db.CopyFrom(ctx, pgx.Identifier{"postings"}, []string{"id", "idempotency_key", "kind", "fingerprint"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{first + 1 + int64(i), "wechatpay:payment:" + benchTx(i), "payment", []byte{1}}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.CopyFrom(ctx, pgx.Identifier{"entries"}, []string{"posting_id", "account_id", "amount"},
		pgx.CopyFromSlice(2*n, func(j int) ([]any, error) {
			c, _ := strconv.ParseFloat(benchAmount(j/2), 64)
			fen := int64(c*100 + 0.5)
			if j%2 == 0 {
				return []any{first + 1 + int64(j/2), clearing, -fen}, nil
			}
			return []any{first + 1 + int64(j/2), frozen, fen}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `SELECT setval('postings_id_seq', $1)`, first+int64(n)+1); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `ANALYZE postings; ANALYZE entries`); err != nil {
		b.Fatal(err)
	}
}
