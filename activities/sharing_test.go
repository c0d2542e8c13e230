package activities_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// run executes activity a in the activity test environment and answers its output, held to the contract's types.
func run[In, Out any](t *testing.T, ae *testsuite.TestActivityEnvironment, a workflows.Activity[In, Out], in In) Out {
	t.Helper()
	return runNamed[Out](t, ae, a.Name, in)
}

// One sub-order's money, end to end through the activities: pay, post, subsidise, share by the plan, settle,
// post, finish, post. Afterwards the ledger and the simulator agree on every balance, and the sub-order
// conserves money.
func TestSubOrderMoneyPathLedgerMatchesChannel(t *testing.T) {
	fx := env(t)
	ref := fx.paidSubOrder(t, "M0000001", 18000, 2000)
	plan := shareByThePlan(t, fx.ae, ref)
	fin := run(t, fx.ae, workflows.ActivityFinish,
		workflows.FinishInput{SubOrderRef: ref, OutOrderNo: ref.SubOrderNo + "-finish", Description: "done"})
	run(t, fx.ae, workflows.ActivityPostFinished,
		workflows.PostFinishedInput{SubOrderRef: ref, FinishOrderID: fin.OrderID, Amount: fin.Amount})
	if fin.Amount != plan.MerchantKeeps {
		t.Errorf("finish unfroze %s, the plan keeps %s", fin.Amount, plan.MerchantKeeps)
	}
	fx.ledgerMatchesChannel(t, ref)
}

// paidSubOrder places order no with one sub-order of amount (and a platform subsidy) at the simulator, pays it,
// and posts the payment and the subsidy through the activities (each a channel call, then a posting).
func (fx *fixture) paidSubOrder(t *testing.T, no string, amount, subsidy money.Amount) workflows.SubOrderRef {
	ref := fx.paidOrder(t, no, amount, subsidy)
	sub := run(t, fx.ae, workflows.ActivityCreateSubsidy,
		workflows.SubsidyInput{SubOrderRef: ref, OutSubsidyNo: ref.SubOrderNo + "-subsidy", Amount: subsidy})
	run(t, fx.ae, workflows.ActivityPostSubsidyPaid,
		workflows.PostSubsidyInput{SubOrderRef: ref, SubsidyID: sub.SubsidyID, Amount: sub.Amount})
	return ref
}

// paidOrder places order no with one sub-order of amount (placed for a platform subsidy), pays it at the
// simulator and posts the payment; the subsidy is left to the caller.
func (fx *fixture) paidOrder(t *testing.T, no string, amount, subsidy money.Amount) workflows.SubOrderRef {
	ctx, ae := context.Background(), fx.ae
	person := channels.ReceiverRegistration{Type: channels.ReceiverPersonal, Account: "o-l1", Name: "王五",
		RelationType: "DISTRIBUTOR"}
	if err := fx.wx.Client.AddReceiver(ctx, person); err != nil {
		t.Fatal(err)
	}
	in := fx.create(no)
	in.SubOrders[0].Amount, in.SubOrders[0].SubsidyAmount = amount, subsidy
	run(t, ae, workflows.ActivityCreateCombinedPayment, in)
	if err := fx.wx.Sim.Pay(no); err != nil {
		t.Fatal(err)
	}
	st := run(t, ae, workflows.ActivityQueryCombinedPayment,
		workflows.QueryPaymentInput{Channel: channels.WeChatPay, OutTradeNo: no})
	ref := workflows.SubOrderRef{Channel: channels.WeChatPay, OrderNo: no, SubOrderNo: no + "-1", MerchantID: "m1",
		SubMchID: shop, TransactionID: st.SubOrders[0].TransactionID}
	run(t, ae, workflows.ActivityPostPayment, workflows.PostPaymentInput{Channel: ref.Channel, OrderNo: ref.OrderNo,
		SubOrderNo: ref.SubOrderNo, MerchantID: ref.MerchantID, TransactionID: ref.TransactionID, Amount: st.SubOrders[0].Amount})
	return ref
}

// shareByThePlan plans 5% to the platform and 10% to a distributor, one receiver a request, and shares, asks
// and posts each batch.
func shareByThePlan(t *testing.T, ae *testsuite.TestActivityEnvironment, ref workflows.SubOrderRef) workflows.SharingPlan {
	rate := decimal.RequireFromString
	plan, err := workflows.PlanSharing(workflows.SharingPlanInput{Paid: 18000, Subsidy: 2000, MaxRatio: rate("0.30"),
		MaxReceiversPerRequest: 1, MaxRequests: 20, Rules: []workflows.CommissionRule{
			{ReceiverID: workflows.PlatformReceiverID, Role: workflows.RolePlatform, Type: workflows.ReceiverMerchant,
				Account: testenv.SpMchID, Rate: rate("0.05")},
			{ReceiverID: "d1", Role: workflows.RoleDistributor, Type: workflows.ReceiverPersonal, Account: "o-l1",
				Rate: rate("0.10")},
		}})
	if err != nil || len(plan.Batches) != 2 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	for k, b := range plan.Batches {
		share := workflows.ShareInput{
			SubOrderRef: ref, OutOrderNo: ref.SubOrderNo + "-share" + string(rune('1'+k)), Shares: b,
		}
		run(t, ae, workflows.ActivityShare, share)
		done := run(t, ae, workflows.ActivityQueryShare, share)
		if done.Status != channels.SharingFinished {
			t.Fatalf("sharing %d: %+v", k, done)
		}
		run(t, ae, workflows.ActivityPostSharing,
			workflows.PostSharingInput{SubOrderRef: ref, SharingOrderID: done.OrderID, Shares: b})
	}
	return plan
}

// ledgerMatchesChannel: the merchant's, the distributor's and the platform's balances in the ledger equal the
// simulator's, and the sub-order conserves money.
func (fx *fixture) ledgerMatchesChannel(t *testing.T, ref workflows.SubOrderRef) {
	ctx, l, sim := context.Background(), fx.ledger, fx.wx.Sim
	simBal := sim.Balance(shop)
	bals, err := l.MerchantBalances(ctx, channels.WeChatPay, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if bals[ledger.BucketAvailable].Fen() != simBal.Available || bals[ledger.BucketFrozen].Fen() != simBal.Frozen {
		t.Errorf("merchant: ledger %v, channel %+v", bals, simBal)
	}
	d1, _ := l.Balance(ctx, ledger.ReceiverCommission(channels.WeChatPay, "d1"))
	pc, _ := l.Balance(ctx, ledger.PlatformCommission(channels.WeChatPay))
	simD1 := sim.ReceiverBalance(channels.ReceiverPersonal, "o-l1")
	simPlatform := sim.ReceiverBalance(channels.ReceiverMerchant, testenv.SpMchID)
	if d1.Fen() != simD1 || pc.Fen() != simPlatform {
		t.Errorf("receivers: ledger d1 %s platform %s; channel %d and %d", d1, pc, simD1, simPlatform)
	}
	totals, err := l.SubOrderTotals(ctx, ref.OrderNo, ref.SubOrderNo)
	if err != nil || totals.Conserved() != nil {
		t.Errorf("conservation: %+v %v %v", totals, err, totals.Conserved())
	}
}

// Workflows started before "split-subsidy" still call PaySubsidy and ReturnSubsidy, which pay (or give back) at
// the channel and post in one activity: run twice, as a retry would, each moves and posts once, and the
// merchant's frozen money in the ledger equals the channel's.
func TestLegacyCombinedSubsidyActivitiesMoveAndPostOnce(t *testing.T) {
	fx := env(t)
	ae := fx.ae
	ref := fx.paidOrder(t, "L0000001", 18000, 2000)
	pay := workflows.SubsidyInput{SubOrderRef: ref, OutSubsidyNo: ref.SubOrderNo + "-subsidy", Amount: 2000}
	for i, wantDup := range []bool{false, true} {
		if r := runNamed[workflows.PostingResult](t, ae, "PaySubsidy", pay); r.Duplicate != wantDup {
			t.Fatalf("PaySubsidy %d: %+v", i, r)
		}
	}
	refund := workflows.ApplyRefundInput{SubOrderRef: ref, OutRefundNo: ref.SubOrderNo + "-rf-R1", Refund: 8000,
		Total: 18000, NotifyURL: fx.notifyURL}
	rf := run(t, ae, workflows.ActivityApplyRefund, refund)
	if err := fx.wx.Sim.SettleRefund(shop, refund.OutRefundNo, false); err != nil {
		t.Fatal(err)
	}
	run(t, ae, workflows.ActivityPostRefund,
		workflows.PostRefundInput{SubOrderRef: ref, RefundID: rf.RefundID, Amount: 8000, FromFrozen: true})
	back := workflows.ReturnSubsidyInput{SubOrderRef: ref, OutOrderNo: ref.SubOrderNo + "-sr1", RefundID: rf.RefundID,
		Amount: 2000, FromFrozen: true}
	for i, wantDup := range []bool{false, true} {
		if r := runNamed[workflows.PostingResult](t, ae, "ReturnSubsidy", back); r.Duplicate != wantDup {
			t.Fatalf("ReturnSubsidy %d: %+v", i, r)
		}
	}
	frozen, err := fx.ledger.Balance(context.Background(), ledger.MerchantFrozen(channels.WeChatPay, "m1"))
	if sim := fx.wx.Sim.Balance(shop).Frozen; err != nil || frozen.Fen() != sim || sim != 18000+2000-8000-2000 {
		t.Errorf("frozen: ledger %s, channel %d (%v), want 100.00", frozen, sim, err)
	}
}

// runNamed executes the activity registered under name: the legacy activities have no contract handle outside
// workflows.
func runNamed[Out any](t *testing.T, ae *testsuite.TestActivityEnvironment, name string, in any) Out {
	t.Helper()
	v, err := ae.ExecuteActivity(name, in)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out Out
	if err := v.Get(&out); err != nil {
		t.Fatalf("%s result: %v", name, err)
	}
	return out
}
