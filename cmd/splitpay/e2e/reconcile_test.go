package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// billsMade moves both simulators' clocks past 10:00 tomorrow (China time), when today's bills exist.
func (h *harness) billsMade() string {
	now := time.Now().In(channels.ChinaTime)
	ready := channels.BillsMade(now)
	h.s.Sim.Advance(ready.Sub(now))
	h.s.AliSim.Advance(ready.Sub(now))
	return now.Format(time.DateOnly)
}

// reconciled starts the day's reconciliation of a channel through the API, waits until the run has settled —
// balanced, or waiting for ops — and answers the report, whose status must be one of want.
func (h *harness) reconciled(channel, day string, want ...string) api.ReconciliationView {
	h.t.Helper()
	h.post("/v1/reconciliations", starter.ReconcileRequest{Channel: channel, From: day}, nil)
	h.settled(channel, day)
	return h.report(channel, day, 10*time.Second, want...)
}

// settled waits until the day's run is BALANCED or waits for ops.
func (h *harness) settled(channel, day string) workflows.ReconcileState {
	h.t.Helper()
	id := workflows.ReconcileWorkflowID(channel, day)
	var st workflows.ReconcileState
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		st = workflows.ReconcileState{}
		if v, err := h.s.Starter.Temporal.QueryWorkflow(h.t.Context(), id, "", workflows.QueryReconcile); err == nil {
			_ = v.Get(&st)
		}
		if st.Status == workflows.ReconcileBalanced || st.Status == workflows.ReconcileNeedsAttention {
			return st
		}
	}
	h.t.Fatalf("reconciliation %s did not settle: %+v", id, st)
	return st
}

func (h *harness) report(channel, day string, within time.Duration, want ...string) api.ReconciliationView {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var v api.ReconciliationView
		q := url.Values{"channel": {channel}, "date": {day}}
		err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/reconciliations?"+q.Encode(), "", nil, &v)
		if err == nil && v.FinishedAt != nil && strings.Contains(strings.Join(want, ","), v.Status) {
			return v
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("reconciliation of %s on %s: not %v within %s; last %+v %v", channel, day, want, within, v, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A day of real orders on both channels — payments with a coupon, sharing to four receivers, finish, a refund
// after finish with clawback on WeChat Pay, and two withdrawals (one the bank bounced, one that failed); the same
// on Alipay — reconciles with no discrepancy. A second run of the day changes nothing: the same report, no posting
// made.
func TestReconciliationOfARealDayBalances(t *testing.T) {
	settings := fastSettings
	settings.RefundWindow = 2 * time.Minute
	h := start(t, settings)
	h.onAlipay()
	wx, ali := h.orderNo(1), h.orderNo(2)
	h.paidCart(wx)
	h.aliPaid(h.aliCart(ali))
	h.waitFor(wx, 60*time.Second, "completed", completed)
	h.waitFor(ali, 60*time.Second, "completed", completed)
	for _, no := range []string{wx, ali} {
		path := "/v1/orders/" + no + "/sub-orders/1/refunds"
		var r api.RefundView
		h.post(path, starter.RefundRequest{RefundNo: "LATE1", Reason: "damaged tin", Amount: 9500}, &r)
		if no == wx { // WeChat Pay answers PROCESSING; the bank pays later
			h.waitRefund(path+"/LATE1", 30*time.Second, func(v api.RefundView) bool { return v.RefundID != "" })
			if err := h.s.Sim.SettleRefund(shop1, r.OutRefundNo, false); err != nil {
				t.Fatal(err)
			}
		}
		h.waitRefund(path+"/LATE1", 30*time.Second, refundIs(workflows.RefundSucceeded))
	}
	h.withdrawalsThatCameBack()
	day := h.billsMade()
	var postings int64
	countPostings := func() int64 {
		var n int64
		if err := h.s.API.DB.QueryRow(t.Context(), `SELECT count(*) FROM postings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	postings = countPostings()
	for _, ch := range channels.Names {
		v := h.reconciled(ch, day, "BALANCED", "DISCREPANCIES")
		if v.Status != "BALANCED" || len(v.Discrepancies) != 0 || v.Matched != v.Events || v.Events < 4 ||
			len(v.Totals) == 0 {
			t.Errorf("%s: %+v", ch, v)
		}
		again := h.reconciled(ch, day, "BALANCED", "DISCREPANCIES")
		if again.Status != v.Status || again.Lines != v.Lines || again.Matched != v.Matched || len(again.Totals) != len(v.Totals) {
			t.Errorf("%s run again: %+v, first %+v", ch, again, v)
		}
	}
	if n := countPostings(); n != postings {
		t.Errorf("reconciling posted %d times", n-postings)
	}
	// the coupon's subsidy, matched; the withdrawals, each out and back
	if st := h.settled(channels.WeChatPay, day); st.Bills["fundflow"] < 1 || st.Bills["sub_fundflow"] != 4 {
		t.Errorf("WeChat Pay's bills: %v", st.Bills)
	}
	injectedDiscrepancies(t, h, day)
}

// withdrawalsThatCameBack: m1 withdraws twice on WeChat Pay; the bank bounces the first after it succeeded, and
// the second fails.
func (h *harness) withdrawalsThatCameBack() {
	for _, w := range []struct{ no, end, status string }{ // numbers of this test's own: workflow ids
		{h.prefix + "WB1", channels.WithdrawRefunded, workflows.WithdrawalBounced},
		{h.prefix + "WF2", channels.WithdrawFail, workflows.WithdrawalFailed},
	} {
		h.post("/v1/merchants/m1/withdrawals", starter.WithdrawalRequest{OutRequestNo: w.no, Amount: 1000}, nil)
		h.withdrawal("m1", w.no, func(v api.WithdrawalView) bool { return v.ChannelState == channels.WithdrawCreated })
		if w.end == channels.WithdrawRefunded {
			if err := h.s.Sim.SettleWithdrawal(shop1, w.no, channels.WithdrawSuccess); err != nil {
				h.t.Fatal(err)
			}
			h.withdrawal("m1", w.no, func(v api.WithdrawalView) bool { return v.Status == workflows.WithdrawalSucceeded })
		}
		if err := h.s.Sim.SettleWithdrawal(shop1, w.no, w.end); err != nil {
			h.t.Fatal(err)
		}
		h.withdrawal("m1", w.no, func(v api.WithdrawalView) bool { return v.Status == w.status })
	}
}

// injectedDiscrepancies: the bills are made to differ from the ledger — a dropped line, another amount, an extra
// payment; each is found and classified, the run waits for ops, and resolving each with a reason balances it.
func injectedDiscrepancies(t *testing.T, h *harness, day string) {
	v := h.report(channels.WeChatPay, day, time.Second, "BALANCED")
	keys := map[string]string{} // kind → a posting key of that kind
	for _, d := range []string{"payment", "sharing"} {
		keys[d] = firstKey(t, h, channels.WeChatPay, d)
	}
	id := func(key string) string { return key[strings.LastIndex(key, ":")+1:] }
	h.s.Sim.SetBillFaults(wxsim.BillFaults{Drop: map[string]bool{id(keys["sharing"]): true},
		Amount: map[string]money.Amount{id(keys["payment"]): 1},
		Extra: []wxsim.ExtraPayment{{Day: day, SubMchID: shop1, ID: "4200000000000000999",
			OutTradeNo: "NOBODY-1", Amount: 777}}})
	defer h.s.Sim.SetBillFaults(wxsim.BillFaults{})
	v = h.reconciled(channels.WeChatPay, day, "DISCREPANCIES")
	classes := map[string]string{}
	for _, d := range v.Discrepancies {
		classes[d.PostingKey] = d.Class
	}
	for key, class := range map[string]string{keys["sharing"]: "missing_at_channel", keys["payment"]: "amount_differs",
		"wechatpay:payment:4200000000000000999": "missing_in_ledger"} {
		if classes[key] != class {
			t.Errorf("%s: %q, want %s (all: %v)", key, classes[key], class, classes)
		}
	}
	for _, d := range v.Discrepancies {
		var out api.DiscrepancyView
		h.post("/v1/reconciliations/discrepancies/"+strconv.FormatInt(d.ID, 10)+"/resolve",
			map[string]string{"by": "ops:ann", "reason": "bill fault injected by the test"}, &out)
		if out.State != "RESOLVED" || out.ResolvedBy != "ops:ann" {
			t.Errorf("resolved: %+v", out)
		}
	}
	h.report(channels.WeChatPay, day, 10*time.Second, "BALANCED")
	var apiErr *api.Error
	err := h.api.Do(t.Context(), http.MethodPost, "/v1/reconciliations/discrepancies/"+strconv.FormatInt(v.Discrepancies[0].ID, 10)+
		"/resolve", "", map[string]string{"by": "ops:ann", "reason": "again"}, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("resolving twice: %v", err)
	}
	lateBill(t, h, day)
}

// lateBill: Alipay makes the bill late; the run waits for it, asking again, and balances once it exists.
func lateBill(t *testing.T, h *harness, day string) {
	h.s.AliSim.SetBillFaults(alisim.BillFaults{Late: 2 * time.Hour}) // made at 11:00, not 09:00
	defer h.s.AliSim.SetBillFaults(alisim.BillFaults{})
	h.post("/v1/reconciliations", starter.ReconcileRequest{Channel: channels.Alipay, From: day}, nil)
	id := workflows.ReconcileWorkflowID(channels.Alipay, day)
	deadline := time.Now().Add(20 * time.Second)
	for st := (workflows.ReconcileState{}); st.Status != workflows.ReconcileWaitingForBill; {
		if time.Now().After(deadline) {
			t.Fatalf("the late bill was not waited for: %+v", st)
		}
		if v, err := h.s.Starter.Temporal.QueryWorkflow(t.Context(), id, "", workflows.QueryReconcile); err == nil {
			_ = v.Get(&st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.s.AliSim.Advance(time.Hour)
	h.settled(channels.Alipay, day)
	h.report(channels.Alipay, day, 20*time.Second, "BALANCED")
	aliInjectedDiscrepancies(t, h, day)
}

// aliInjectedDiscrepancies: Alipay's bills differ from the ledger — a payment's line dropped, a royalty of another
// amount, an extra payment — and each is found and classified, then resolved.
func aliInjectedDiscrepancies(t *testing.T, h *harness, day string) {
	payment, royalty := firstKey(t, h, channels.Alipay, "payment"), firstKey(t, h, channels.Alipay, "sharing")
	id := func(key string) string { return key[strings.LastIndex(key, ":")+1:] }
	h.s.AliSim.SetBillFaults(alisim.BillFaults{Drop: map[string]bool{id(payment): true},
		Amount: map[string]money.Amount{id(royalty): 1},
		Extra:  []alisim.ExtraPayment{{Day: day, ID: "2026120622001400009999", OutTradeNo: "NOBODY_11", Amount: 555}}})
	defer h.s.AliSim.SetBillFaults(alisim.BillFaults{})
	v := h.reconciled(channels.Alipay, day, "DISCREPANCIES")
	classes := map[string]string{}
	for _, d := range v.Discrepancies {
		classes[d.PostingKey] = d.Class
	}
	for key, class := range map[string]string{payment: "missing_at_channel", royalty: "amount_differs",
		"alipay:payment:2026120622001400009999": "missing_in_ledger"} {
		if classes[key] != class {
			t.Errorf("alipay %s: %q, want %s (all: %v)", key, classes[key], class, classes)
		}
	}
	for _, d := range v.Discrepancies {
		h.post("/v1/reconciliations/discrepancies/"+strconv.FormatInt(d.ID, 10)+"/resolve",
			map[string]string{"by": "ops:ann", "reason": "bill fault injected by the test"}, nil)
	}
	h.report(channels.Alipay, day, 10*time.Second, "BALANCED")
}

func firstKey(t *testing.T, h *harness, channel, kind string) string {
	var key string
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT idempotency_key FROM postings WHERE kind = $1
		AND idempotency_key LIKE $2 ORDER BY id LIMIT 1`, kind, channel+":%").Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

// The daily schedules are applied idempotently (each channel's at the configured time, China time, overlaps
// skipped, missed runs caught up), and a backfill of three days through the API makes three reports.
func TestSchedulesAndABackfill(t *testing.T) {
	h := start(t, fastSettings)
	prefix := "e2e-" + strings.ToLower(h.prefix) + "-"
	opts := starter.ScheduleOptions{Channels: channels.Names, At: "10:30", Catchup: 48 * time.Hour, Paused: true,
		IDPrefix: prefix}
	for range 2 { // applying again updates, never duplicates
		if _, err := h.s.Starter.ApplySchedules(t.Context(), opts); err != nil {
			t.Fatal(err)
		}
	}
	for _, ch := range channels.Names {
		handle := h.s.Starter.Temporal.ScheduleClient().GetHandle(t.Context(), prefix+workflows.ScheduleReconcileID+ch)
		t.Cleanup(func() { _ = handle.Delete(context.Background()) })
		d, err := handle.Describe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		cal := d.Schedule.Spec.Calendars
		if len(cal) != 1 || cal[0].Hour[0].Start != 10 || cal[0].Minute[0].Start != 30 ||
			d.Schedule.Spec.TimeZoneName != "Asia/Shanghai" || d.Schedule.Policy.CatchupWindow != 48*time.Hour ||
			d.Schedule.Policy.Overlap.String() != "Skip" {
			t.Errorf("%s: %+v %+v", ch, d.Schedule.Spec, d.Schedule.Policy)
		}
	}
	today := h.billsMade()
	from := time.Now().In(channels.ChinaTime).AddDate(0, 0, -2).Format(time.DateOnly)
	var started struct {
		WorkflowIDs []string `json:"workflow_ids"`
	}
	h.post("/v1/reconciliations", starter.ReconcileRequest{Channel: channels.WeChatPay, From: from, To: today}, &started)
	if len(started.WorkflowIDs) != 3 {
		t.Fatalf("backfill started %v", started.WorkflowIDs)
	}
	for i := range 3 {
		day := time.Now().In(channels.ChinaTime).AddDate(0, 0, i-2).Format(time.DateOnly)
		if v := h.report(channels.WeChatPay, day, 30*time.Second, "BALANCED"); v.Date != day {
			t.Errorf("report of %s: %+v", day, v)
		}
	}
}

// A payment the ledger never saw — its notification dropped, the channel's query and close answering "no such
// order" until the order stopped for ops — is found in the bill and repaired by the run: the order is asked to
// query, posts the payment under its transaction id, exactly once; the report keeps the item as REPAIRED with
// both sides, and a second run changes nothing.
func TestReconciliationRepairsAPaymentTheLedgerMissed(t *testing.T) {
	settings := fastSettings
	settings.PaymentWindow, settings.QueryAfter, settings.AutoConfirmAfter = 5*time.Second, time.Second, time.Hour
	h := start(t, settings)
	no := h.orderNo(1)
	h.s.Sim.SetFaults(wxsim.Faults{DropNotifications: true, UnknownOrders: map[string]bool{no: true}})
	h.paidCart(no)
	h.waitFor(no, 30*time.Second, "stopped for ops", func(v api.OrderView) bool {
		return v.Status == workflows.StatusNeedsAttention
	})
	h.s.Sim.SetFaults(wxsim.Faults{})
	day := h.billsMade()
	v := h.reconciled(channels.WeChatPay, day, "BALANCED", "DISCREPANCIES")
	repaired := 0
	for _, d := range v.Discrepancies {
		if d.Class == "missing_in_ledger" && d.Kind == "payment" && d.State == "REPAIRED" && d.LedgerAmount != nil &&
			d.ChannelAmount != nil && *d.LedgerAmount == *d.ChannelAmount {
			repaired++
		}
	}
	if v.Status != "BALANCED" || repaired != 2 || len(v.Discrepancies) != 2 {
		t.Errorf("after the repair: %+v", v)
	}
	h.waitFor(no, 30*time.Second, "paid", func(v api.OrderView) bool { return awaitingReceipt(v) })
	var n int
	if err := h.s.API.DB.QueryRow(t.Context(), `SELECT count(*) FROM postings WHERE kind = 'payment'`).Scan(&n); err != nil ||
		n != 2 {
		t.Errorf("%d payment postings, want the order's 2 (%v)", n, err)
	}
	h.saveHistories("reconcile-repair", workflows.OrderWorkflowID(no), workflows.ReconcileWorkflowID(channels.WeChatPay, day))
	if again := h.reconciled(channels.WeChatPay, day, "BALANCED", "DISCREPANCIES"); again.Status != "BALANCED" ||
		len(again.Discrepancies) != 2 {
		t.Errorf("run again: %+v", again)
	}
}

// A refund the channel paid whose result never reached the sub-order (its notification dropped, the next query an
// hour away) is status_differs — ours, not booked — and the run repairs it: the sub-order is told, queries the
// refund, and posts it once.
func TestReconciliationRepairsARefundTheLedgerMissed(t *testing.T) {
	settings := fastSettings
	settings.AutoConfirmAfter, settings.RefundPollFirst, settings.RefundPollMax = time.Hour, time.Hour, time.Hour
	h := start(t, settings)
	no := h.orderNo(1)
	h.paidCart(no)
	h.waitFor(no, 30*time.Second, "awaiting receipt", awaitingReceipt)
	h.s.Sim.SetFaults(wxsim.Faults{DropNotifications: true})
	path := "/v1/orders/" + no + "/sub-orders/2/refunds"
	var r api.RefundView
	h.post(path, starter.RefundRequest{RefundNo: "RF1", Reason: "wrong colour", Amount: 800}, &r)
	h.waitRefund(path+"/RF1", 30*time.Second, func(v api.RefundView) bool { return v.RefundID != "" })
	if err := h.s.Sim.SettleRefund(shop2, r.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	day := h.billsMade()
	v := h.reconciled(channels.WeChatPay, day, "BALANCED", "DISCREPANCIES")
	if len(v.Discrepancies) != 1 || v.Discrepancies[0].Class != "status_differs" || v.Discrepancies[0].State != "REPAIRED" ||
		v.Discrepancies[0].LedgerAmount == nil || *v.Discrepancies[0].LedgerAmount != 800 || v.Status != "BALANCED" {
		t.Errorf("after the repair: %+v", v)
	}
	h.waitRefund(path+"/RF1", 10*time.Second, refundIs(workflows.RefundSucceeded))
}
