package simulation

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// simChannel is one channel as the simulation drives it: its simulator and adapter, how a buyer pays and how a
// shop earns money of its own there, the faults it injects, and every party's balance at it.
type simChannel interface {
	name() string
	adapter() activities.Channel
	newShop(w *world, id string) shop
	newAccounts(w *world, tag string) (d1, d2, sup string)
	platform() string
	pay(h *history, no string, subs []channels.SubOrder) []string // each sub-order's transaction id, paid
	// earn is a sale of the shop's own, paid and released at once: its transaction, and the release's id and amount.
	earn(h *history, no string, s shop, amount money.Amount) (tx, finishID string, settled money.Amount)
	advance(d time.Duration) // moves the simulator's clock on
	faults(h *history)
	clearFaults()
	limits(h *history) workflows.PlanLimits
	subsidies() bool
	shopBalance(subMchID string) (frozen, available int64)
	receiverBalance(kind, account string) int64
	spend(kind, account string) int64 // what a merchant receiver spent of its balance; 0 where not simulated
	topUp(kind, account string, amount int64)
	settleRefund(subMchID, outRefundNo string, abnormal bool) error
}

// wechatChannel is WeChat Pay 电商收付通 through wxsim.
type wechatChannel struct{ *testenv.WeChat }

func (c wechatChannel) name() string                { return channels.WeChatPay }
func (c wechatChannel) adapter() activities.Channel { return c.Client }
func (c wechatChannel) platform() string            { return testenv.SpMchID }
func (c wechatChannel) subsidies() bool             { return true }
func (c wechatChannel) clearFaults()                { c.Sim.SetFaults(wxsim.Faults{}) }

func (c wechatChannel) newShop(w *world, id string) shop {
	s := shop{id: id, subMchID: w.id("19", 8)}
	c.Sim.AddSubMerchant(s.subMchID)
	return s
}

func (c wechatChannel) newAccounts(w *world, tag string) (d1, d2, sup string) {
	return "o-" + tag + "-l1", "o-" + tag + "-l2", w.id("18", 8)
}

func (c wechatChannel) pay(h *history, no string, subs []channels.SubOrder) []string {
	return h.placeAndPay(channels.SceneNative, no, subs, c.Sim.Pay)
}

// earn is a sale frozen for sharing and released at once with a finish, as the shop's other orders are.
func (c wechatChannel) earn(h *history, no string, s shop, amount money.Amount) (string, string, money.Amount) {
	sub := channels.SubOrder{SubMchID: s.subMchID, OutTradeNo: no + "-1", Description: "other sales", Amount: amount,
		ProfitSharing: true}
	tx := h.placeAndPay(channels.SceneNative, no, []channels.SubOrder{sub}, c.Sim.Pay)[0]
	var st channels.SharingState
	h.retry("earn", func() (err error) {
		st, err = c.Client.Finish(context.Background(), channels.FinishRequest{SubMchID: s.subMchID,
			TransactionID: tx, OutOrderNo: no + "-finish", Description: "other sales"})
		return err
	})
	return tx, st.OrderID, st.FinishAmount
}

func (c wechatChannel) advance(d time.Duration) { c.Sim.Advance(d) }

func (c wechatChannel) faults(h *history) {
	var f wxsim.Faults
	if h.rng.IntN(3) == 0 {
		f.SystemErrorRate = map[string]float64{"/v3/ecommerce/profitsharing": 0.15, "/v3/ecommerce/refunds": 0.15,
			"/v3/ecommerce/subsidies": 0.15}
		f.FrequencyLimitedRate = map[string]float64{"/v3/ecommerce/profitsharing/returnorders": 0.1}
		h.count("faulty channel")
	}
	if h.rng.IntN(8) == 0 {
		f.ClosedReceivers = map[string]string{h.d2: "RECEIVER_HIGH_RISK"}
		h.count("closed receiver")
	}
	c.Sim.SetFaults(f)
}

func (c wechatChannel) limits(h *history) workflows.PlanLimits {
	return workflows.PlanLimits{MaxSubOrders: 50, MaxReceiversPerRequest: 1 + h.rng.IntN(5), MaxRequests: 20,
		MaxRatio: decimal.RequireFromString("0.30"), MaxRefunds: 50}
}

func (c wechatChannel) shopBalance(subMchID string) (int64, int64) {
	b := c.Sim.Balance(subMchID)
	return b.Frozen, b.Available
}

func (c wechatChannel) receiverBalance(kind, account string) int64 {
	return c.Sim.ReceiverBalance(kind, account)
}

func (c wechatChannel) spend(kind, account string) int64 {
	bal := c.Sim.ReceiverBalance(kind, account)
	if bal > 0 {
		c.Sim.SpendReceiverBalance(kind, account, bal)
	}
	return bal
}

func (c wechatChannel) topUp(kind, account string, amount int64) {
	c.Sim.TopUpReceiver(kind, account, amount)
}

func (c wechatChannel) settleRefund(subMchID, outRefundNo string, abnormal bool) error {
	return c.Sim.SettleRefund(subMchID, outRefundNo, abnormal)
}

// alipayChannel is Alipay 直付通 through alisim: settlement confirmed before sharing, shares reversed inside
// refunds, refunds answered at once, no subsidies.
type alipayChannel struct{ *testenv.Alipay }

func (c alipayChannel) name() string                { return channels.Alipay }
func (c alipayChannel) adapter() activities.Channel { return c.Client }
func (c alipayChannel) platform() string            { return testenv.AlipayPlatform }
func (c alipayChannel) subsidies() bool             { return false }
func (c alipayChannel) clearFaults()                { c.Sim.SetFaults(alisim.Faults{}) }
func (c alipayChannel) newShop(w *world, id string) shop {
	return shop{id: id, subMchID: w.id("20882", 11)} // opened on first use
}

func (c alipayChannel) newAccounts(w *world, _ string) (d1, d2, sup string) {
	return w.id("20881", 11), w.id("20881", 11), w.id("20881", 11) // never the platform's 20880…
}

func (c alipayChannel) pay(h *history, no string, subs []channels.SubOrder) []string {
	return h.placeAndPay(channels.SceneAlipayPage, no, subs, c.Sim.Pay)
}

// earn is a sale confirmed and released at once (no royalty): money in the shop's available balance. The shop's
// own calls meet the injected faults too, and retry as the activities do.
func (c alipayChannel) earn(h *history, no string, s shop, amount money.Amount) (string, string, money.Amount) {
	ctx := context.Background()
	sub := channels.SubOrder{SubMchID: s.subMchID, OutTradeNo: no + "-1", Description: "other sales", Amount: amount}
	payTrade := func(string) error { return c.Sim.Pay(sub.OutTradeNo) } // a QR code pays its one trade
	tx := h.placeAndPay(channels.SceneAlipayQR, no, []channels.SubOrder{sub}, payTrade)[0]
	var st channels.SharingState
	h.retry("earn", func() (err error) {
		_, err = c.Client.ConfirmSettlement(ctx, channels.SettleRequest{SubMchID: s.subMchID, TransactionID: tx,
			OutRequestNo: no + "-settle", Amount: amount})
		return err
	})
	h.retry("earn", func() (err error) {
		st, err = c.Client.Finish(ctx, channels.FinishRequest{SubMchID: s.subMchID, TransactionID: tx,
			OutOrderNo: no + "-finish"})
		return err
	})
	return tx, st.OrderID, st.FinishAmount
}

func (c alipayChannel) advance(d time.Duration) { c.Sim.Advance(d) }

// retry calls do until it succeeds or fails for good, as an activity's retry policy would (bounded).
func (h *history) retry(what string, do func() error) {
	var err error
	for range 50 {
		var be *channels.BusinessError
		if err = do(); err == nil || !errors.As(err, &be) || !be.Retryable {
			break
		}
	}
	if err != nil {
		h.t.Fatalf("seed %d: %s: %v", h.seed, what, err)
	}
}

// faults: system errors on sharing and refunds now and then; notifications are not this test's subject, so
// none is sent (the sub-orders never wait on one: Alipay answers refunds at once).
func (c alipayChannel) faults(h *history) {
	f := alisim.Faults{Common: alisim.Common{DropNotifications: true}}
	if h.rng.IntN(3) == 0 {
		f.SystemErrorRate = map[string]float64{"alipay.trade.order.settle": 0.15, "alipay.trade.refund": 0.15,
			"alipay.trade.settle.confirm": 0.15}
		h.count("faulty channel")
	}
	c.Sim.SetFaults(f)
}

func (c alipayChannel) limits(h *history) workflows.PlanLimits {
	l := channels.AlipayLimits()
	return workflows.PlanLimits{MaxSubOrders: l.MaxSubOrders, MaxReceiversPerRequest: 1 + h.rng.IntN(5),
		MaxRequests: l.MaxSharingsPerOrder, MaxRatio: l.MaxSharingRatio, MaxRefunds: l.MaxRefundsPerOrder,
		ConfirmBeforeSharing: true, RefundReversesShares: true}
}

func (c alipayChannel) shopBalance(smid string) (int64, int64) {
	b := c.Sim.MerchantBalance(smid)
	return (b.Unsettled + b.Frozen).Fen(), b.Available.Fen()
}

func (c alipayChannel) receiverBalance(_, account string) int64 {
	return c.Sim.ReceiverBalance(account).Fen()
}
func (c alipayChannel) spend(string, string) int64              { return 0 }
func (c alipayChannel) topUp(string, string, int64)             {}
func (c alipayChannel) settleRefund(string, string, bool) error { return nil }
