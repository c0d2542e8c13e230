package activities_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// run executes activity a in the activity test environment and answers its output, held to the contract's types.
func run[In, Out any](t *testing.T, ae *testsuite.TestActivityEnvironment, a workflows.Activity[In, Out], in In) Out {
	t.Helper()
	v, err := ae.ExecuteActivity(a.Name, in)
	if err != nil {
		t.Fatalf("%s: %v", a.Name, err)
	}
	var out Out
	if err := v.Get(&out); err != nil {
		t.Fatalf("%s result: %v", a.Name, err)
	}
	return out
}

// One sub-order's money, end to end through the activities: pay, post, subsidise, share by the plan, settle,
// post, finish, post. Afterwards the ledger and the simulator agree on every balance, and the sub-order
// conserves money.
func TestSubOrderMoneyPathLedgerMatchesChannel(t *testing.T) {
	ctx := context.Background()
	fx := env(t)
	ae, f, l := fx.ae, fx.wx, fx.ledger
	if err := f.Client.AddReceiver(ctx, channels.ReceiverRegistration{Type: channels.ReceiverPersonal, Account: "o-l1", Name: "王五", RelationType: "DISTRIBUTOR"}); err != nil {
		t.Fatal(err)
	}
	in := fx.create("M0000001")
	in.SubOrders[0].Amount, in.SubOrders[0].SubsidyAmount = 18000, 2000
	run(t, ae, workflows.ActivityCreateCombinedPayment, in)
	if err := f.Sim.Pay("M0000001"); err != nil {
		t.Fatal(err)
	}
	st := run(
		t,
		ae,
		workflows.ActivityQueryCombinedPayment,
		workflows.QueryPaymentInput{Channel: channels.WeChatPay, OutTradeNo: "M0000001"},
	)
	ref := workflows.SubOrderRef{
		Channel:       channels.WeChatPay,
		OrderNo:       "M0000001",
		SubOrderNo:    "M0000001-1",
		MerchantID:    "m1",
		SubMchID:      shop,
		TransactionID: st.SubOrders[0].TransactionID,
	}
	run(t, ae, workflows.ActivityPostPayment, workflows.PostPaymentInput{Channel: ref.Channel, OrderNo: ref.OrderNo,
		SubOrderNo: ref.SubOrderNo, MerchantID: ref.MerchantID, TransactionID: ref.TransactionID, Amount: st.SubOrders[0].Amount})
	sub := run(
		t,
		ae,
		workflows.ActivityCreateSubsidy,
		workflows.SubsidyInput{SubOrderRef: ref, OutSubsidyNo: "M0000001-1-subsidy",
			Amount: 2000},
	)
	run(t, ae, workflows.ActivityPostSubsidyPaid, workflows.PostSubsidyInput{SubOrderRef: ref, SubsidyID: sub.SubsidyID,
		Amount: sub.Amount})

	plan, err := workflows.PlanSharing(
		workflows.SharingPlanInput{Paid: 18000, Subsidy: 2000, MaxRatio: decimal.RequireFromString("0.30"),
			MaxReceiversPerRequest: 1, MaxRequests: 20, Rules: []workflows.CommissionRule{
				{
					ReceiverID: workflows.PlatformReceiverID,
					Role:       workflows.RolePlatform,
					Type:       workflows.ReceiverMerchant,
					Account:    testenv.SpMchID,
					Rate:       decimal.RequireFromString("0.05"),
				},
				{
					ReceiverID: "d1",
					Role:       workflows.RoleDistributor,
					Type:       workflows.ReceiverPersonal,
					Account:    "o-l1",
					Rate:       decimal.RequireFromString("0.10"),
				},
			}},
	)
	if err != nil || len(plan.Batches) != 2 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	for k, b := range plan.Batches {
		share := workflows.ShareInput{
			SubOrderRef: ref,
			OutOrderNo:  ref.SubOrderNo + "-share" + string(rune('1'+k)),
			Shares:      b,
		}
		run(t, ae, workflows.ActivityShare, share)
		done := run(t, ae, workflows.ActivityQueryShare, share)
		if done.Status != channels.SharingFinished {
			t.Fatalf("sharing %d: %+v", k, done)
		}
		run(
			t,
			ae,
			workflows.ActivityPostSharing,
			workflows.PostSharingInput{SubOrderRef: ref, SharingOrderID: done.OrderID, Shares: b},
		)
	}
	fin := run(
		t,
		ae,
		workflows.ActivityFinish,
		workflows.FinishInput{SubOrderRef: ref, OutOrderNo: ref.SubOrderNo + "-finish", Description: "done"},
	)
	run(
		t,
		ae,
		workflows.ActivityPostFinished,
		workflows.PostFinishedInput{SubOrderRef: ref, FinishOrderID: fin.OrderID, Amount: fin.Amount},
	)

	simBal := f.Sim.Balance(shop)
	bals, err := l.MerchantBalances(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if fin.Amount != plan.MerchantKeeps || bals[ledger.BucketAvailable].Fen() != simBal.Available ||
		bals[ledger.BucketFrozen].Fen() != simBal.Frozen {
		t.Errorf(
			"merchant: ledger %v, channel %+v, plan keeps %s, finish %s",
			bals,
			simBal,
			plan.MerchantKeeps,
			fin.Amount,
		)
	}
	d1, _ := l.Balance(ctx, ledger.ReceiverCommission("d1"))
	pc, _ := l.Balance(ctx, ledger.PlatformCommission())
	if d1.Fen() != f.Sim.ReceiverBalance(channels.ReceiverPersonal, "o-l1") ||
		pc.Fen() != f.Sim.ReceiverBalance(channels.ReceiverMerchant, testenv.SpMchID) {
		t.Errorf(
			"receivers: ledger d1 %s platform %s; channel %d and %d",
			d1,
			pc,
			f.Sim.ReceiverBalance(
				channels.ReceiverPersonal,
				"o-l1",
			),
			f.Sim.ReceiverBalance(channels.ReceiverMerchant, testenv.SpMchID),
		)
	}
	totals, err := l.SubOrderTotals(ctx, ref.OrderNo, ref.SubOrderNo)
	if err != nil || totals.Conserved() != nil {
		t.Errorf("conservation: %+v %v %v", totals, err, totals.Conserved())
	}
}
