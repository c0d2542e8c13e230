package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
)

func TestInboxRecognisesDuplicates(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	n := ledger.Notification{
		Channel:   "wechatpay",
		EventID:   "EV-1",
		EventType: "TRANSACTION.SUCCESS",
		Resource:  []byte(`{"openid":"o-1"}`),
	}
	if first, delivered, err := l.RecordNotification(ctx, n); err != nil || !first || delivered {
		t.Fatalf("first delivery: %v %v %v", first, delivered, err)
	}
	if first, delivered, err := l.RecordNotification(ctx, n); err != nil || first || delivered {
		t.Fatalf("duplicate delivery before the signal: first=%v delivered=%v err=%v", first, delivered, err)
	}
	if err := l.NotificationDelivered(ctx, n.Channel, n.EventID); err != nil {
		t.Fatal(err)
	}
	if first, delivered, err := l.RecordNotification(ctx, n); err != nil || first || !delivered {
		t.Fatalf("duplicate delivery after the signal: first=%v delivered=%v err=%v", first, delivered, err)
	}
	n.Channel = "alipay" // the same id on another channel is another event
	if first, delivered, err := l.RecordNotification(ctx, n); err != nil || !first || delivered {
		t.Fatalf("other channel: %v %v %v", first, delivered, err)
	}
	_, _, err := l.RecordNotification(ctx, ledger.Notification{Channel: "wechatpay", EventType: "X"})
	if ve := (*ledger.ValidationError)(nil); !errors.As(err, &ve) || ve.Field != "EventID" {
		t.Errorf("missing event id: %v", err)
	}
}

// The relay's sweep is answered what is undelivered and old enough, and claims it: until the claim lapses, no
// sweep is answered it again.
func TestTheSweepClaimsUndeliveredNotifications(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	pending := ledger.Notification{Channel: "wechatpay", EventID: "EV-2", EventType: "TRANSACTION.SUCCESS",
		WorkflowID: "order/T1", Signal: "PaymentNotified", Payload: []byte(`{"NotificationID":"EV-2"}`)}
	if _, _, err := l.RecordNotification(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if got, err := l.ClaimUndelivered(ctx, time.Hour, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("undelivered for an hour: %+v %v", got, err)
	}
	for _, hold := range []time.Duration{0, 0, time.Hour} { // a claim of 0 lapses at once
		if got, err := l.ClaimUndelivered(ctx, 0, hold, 10); err != nil || len(got) != 1 ||
			got[0].WorkflowID != "order/T1" || got[0].Signal != "PaymentNotified" ||
			string(got[0].Payload) != `{"NotificationID": "EV-2"}` {
			t.Fatalf("undelivered: %+v %v", got, err)
		}
	}
	if got, err := l.ClaimUndelivered(ctx, 0, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed for an hour, yet answered again: %+v %v", got, err)
	}
	delivered := pending
	delivered.EventID = "EV-3"
	if _, _, err := l.RecordNotification(ctx, delivered); err != nil {
		t.Fatal(err)
	}
	if err := l.NotificationDelivered(ctx, delivered.Channel, delivered.EventID); err != nil {
		t.Fatal(err)
	}
	if got, err := l.ClaimUndelivered(ctx, 0, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("undelivered after delivery: %+v %v", got, err)
	}
}

// Sweeps racing over one inbox (API processes) claim disjoint notifications, together all of them.
func TestSweepsClaimEachUndeliveredNotificationOnce(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	const n = 60
	for i := range n {
		if _, _, err := l.RecordNotification(ctx, ledger.Notification{Channel: "wechatpay", EventID: fmt.Sprintf("EV-%d", i),
			EventType: "TRANSACTION.SUCCESS", WorkflowID: fmt.Sprintf("order/T%d", i), Signal: "PaymentNotified"}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				got, err := l.ClaimUndelivered(ctx, 0, time.Hour, 10)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, g := range got {
					claimed[g.EventID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("%s claimed %d times", id, k)
		}
	}
	if len(claimed) != n {
		t.Errorf("%d of %d claimed by 12 claims of 10", len(claimed), n)
	}
}

func TestMerchantsAndReceivers(t *testing.T) {
	ctx := context.Background()
	db := testenv.MigratedPool(t)
	l := ledger.New(db)
	var ve *ledger.ValidationError
	if err := l.UpsertMerchant(ctx, ledger.Merchant{
		ID: "m1", Channel: "wechatpay", Status: ledger.MerchantActive, DisplayName: "茶叶小铺",
	}); !errors.As(
		err,
		&ve,
	) ||
		ve.Field != "SubMchID" {
		t.Errorf("active without sub_mchid: %v", err)
	}
	if _, err := l.GetMerchant(ctx, channels.WeChatPay, "m1"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("refused merchant was stored: %v", err)
	}
	if err := l.UpsertMerchant(ctx, ledger.Merchant{
		ID: "m1", Channel: "wechatpay", SubMchID: "1900000109", Status: ledger.MerchantActive,
		DisplayName: "茶叶小铺",
	}); err != nil {
		t.Fatal(err)
	}
	if m, err := l.GetMerchant(ctx, channels.WeChatPay, "m1"); err != nil || m.SubMchID != "1900000109" ||
		m.Status != ledger.MerchantActive {
		t.Errorf("merchant = %+v, %v", m, err)
	}

	if err := l.UpsertReceiver(ctx, ledger.Receiver{
		ID: "d1", Channel: "wechatpay", Type: ledger.ReceiverPersonal, Account: "openid-1",
		Relation: "DISTRIBUTOR", Name: "张三丰",
	}); err != nil {
		t.Fatal(err)
	}
	r, err := l.GetReceiver(ctx, channels.WeChatPay, "d1")
	if err != nil || r.Name != "张**" || r.Status != ledger.ReceiverActive {
		t.Errorf("receiver = %+v, %v", r, err)
	}
	var stored string
	if err := db.QueryRow(ctx, `SELECT string_agg(r::text, ',') FROM receivers r`).Scan(&stored); err == nil &&
		strings.Contains(stored, "三丰") {
		t.Errorf("a person's full name reached the database: %s", stored)
	}
	if err := l.UpsertReceiver(ctx, ledger.Receiver{
		ID: "d2", Channel: "wechatpay", Type: "BANK", Account: "x", Relation: "DISTRIBUTOR", Name: "李",
	}); !errors.As(
		err,
		&ve,
	) ||
		ve.Field != "Type" {
		t.Errorf("bad type: %v", err)
	}
}

func TestOrdersReadModelNeverRollsBack(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	save := func(rev int64, status string) bool {
		t.Helper()
		ok, err := l.SaveOrder(
			ctx,
			ledger.OrderView{
				OrderNo:     "C1",
				Channel:     "wechatpay",
				Status:      status,
				TotalAmount: 18000,
				MerchantIDs: []string{"m1", "m2"},
				Revision:    rev,
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !save(1, "CREATED") || !save(3, "PAID") {
		t.Fatal("in-order writes were not applied")
	}
	if save(2, "CREATED") { // a late retry of an older write
		t.Error("revision 2 overwrote revision 3")
	}
	o, err := l.GetOrder(ctx, "C1")
	if err != nil || o.Status != "PAID" || o.Revision != 3 || len(o.MerchantIDs) != 2 {
		t.Errorf("order = %+v, %v", o, err)
	}
	for i, st := range []string{"PAID", "COMPLETED", "PAID"} {
		if _, err := l.SaveOrder(ctx, ledger.OrderView{
			OrderNo: "L" + string(rune('a'+i)), Channel: "wechatpay", Status: st, Revision: 1,
		}); err != nil {
			t.Fatal(err)
		}
	}
	paid, err := l.ListOrders(ctx, "PAID", "", 10)
	if err != nil || len(paid) != 3 { // C1, La, Lc
		t.Fatalf("paid orders: %d, %v", len(paid), err)
	}
	page2, err := l.ListOrders(ctx, "PAID", paid[0].OrderNo, 10)
	if err != nil || len(page2) != 2 || page2[0].OrderNo != paid[1].OrderNo {
		t.Errorf("second page after %s: %+v, %v", paid[0].OrderNo, page2, err)
	}
	if _, err := l.GetOrder(ctx, "nope"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
}

// One account at a channel is one receiver: registering it under another id is ErrTaken (a 409), not an outage.
func TestAReceiversAccountIsTakenOnce(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	first := ledger.Receiver{ID: "d1", Channel: "wechatpay", Type: ledger.ReceiverPersonal, Account: "o-1",
		Relation: "DISTRIBUTOR", Name: "王小明"}
	if err := l.UpsertReceiver(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := first
	again.ID = "d9"
	if err := l.UpsertReceiver(ctx, again); !errors.Is(err, ledger.ErrTaken) {
		t.Errorf("the same account under another id: %v, want ErrTaken", err)
	}
	if _, err := l.GetReceiver(ctx, channels.WeChatPay, "d9"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("the refused receiver was stored: %v", err)
	}
}
