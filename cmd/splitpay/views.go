package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/splitpay/splitpay/workflows"
)

// viewsFlags are the `splitpay views` settings.
var viewsFlags struct{ receiptDays int }

func bindViewsFlags(fs *flag.FlagSet) {
	fs.IntVar(&viewsFlags.receiptDays, "receipt-days", 10, "a sub-order waiting this many days for receipt is shown")
}

// runViews prints the saved views of the stuck cases (workflows.SavedViews): each one's query, and the link that
// saves it in the Temporal UI of the browser that opens it.
func runViews(_ context.Context, cfg *config, _ *slog.Logger, out io.Writer) error {
	for _, v := range workflows.SavedViews(time.Now(), viewsFlags.receiptDays) {
		fmt.Fprintf(out, "%s\n  %s\n  %s\n", v.Name, v.Query, v.SaveURL(cfg.TemporalUI, cfg.TemporalNamespace))
	}
	return nil
}
