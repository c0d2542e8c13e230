package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/money"
)

// fakeChannel is a function-valued stand-in for the channel and ledger activities in the SDK's time-skipping
// environment: it keeps just enough state to answer like the simulator, and records every call, so a test
// can say what the workflow asked for. (Activities against the real simulator and PostgreSQL are tested in
// activities/ and end to end in e2e/.)
type fakeChannel struct {
	mu sync.Mutex

	paid        bool
	payOnClose  bool // the buyer pays just before the close: the close answers ORDERPAID
	closed      bool
	queries     int
	failures    map[ContractEntry][]error // activity → errors to return, in order, before succeeding
	processing  int                       // how many queries a sharing request stays PROCESSING
	closedAccts map[string]string         // receiver account → the channel's fail reason
	calls       []string                  // activity name + key argument, in order
	shares      []ShareInput
	postedShare money.Amount
	finished    money.Amount
	subsidies   money.Amount
	subsidyRef  string                  // the refund id a lowered subsidy carried
	refundPolls int                     // how many queries a refund stays PROCESSING
	abnormal    bool                    // refunds come back ABNORMAL until ops "fix" it (abnormal = false)
	refundClose bool                    // refunds come back CLOSED until ops "fix" it
	refunds     map[string]money.Amount // out_refund_no → applied amount
	posted      money.Amount            // refunds posted to the ledger
	returnShort map[string]int          // receiver account → how many returns fail for lack of balance
	returnSlow  int                     // how many queries a return stays PROCESSING
	returned    money.Amount            // returns posted
	debts       money.Amount            // commission debts posted
	subsidyBack money.Amount            // subsidy returned
	fromFrozen  []bool                  // per posted refund: from frozen funds (before finish)?
	owed        map[string]money.Amount // receiver id → open commission debt to the merchant
	unsplit     money.Amount            // CheckFrozen's answer; 0: more than any refund
	froms       []string                // per applied refund: the funds source asked for
	settled     []money.Amount          // settlement confirms, in order
	reversals   [][]Reversal            // per applied refund: the shares it took back
	risk        RiskDecision            // EvaluateRisk's answer (zero: PASS)
	released    int                     // ReleaseRisk calls
}

func (f *fakeChannel) record(a ContractEntry, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, a.ActivityName()+" "+key)
	if errs := f.failures[a]; len(errs) > 0 {
		f.failures[a] = errs[1:]
		return errs[0]
	}
	return nil
}

func (f *fakeChannel) called(a ContractEntry) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, a.ActivityName()+" ") {
			n++
		}
	}
	return n
}

func (f *fakeChannel) state(in string) PaymentStatus {
	st := PaymentStatus{OutTradeNo: in}
	for n, amount := range []money.Amount{10000, 20000} {
		p := SubOrderPayment{OutTradeNo: SubOrderNo(in, n+1), TradeState: "NOTPAY", Amount: amount}
		if f.paid {
			p.TradeState, p.TransactionID = "SUCCESS", fmt.Sprintf("4200%d", n+1)
		}
		st.SubOrders = append(st.SubOrders, p)
	}
	return st
}

func (f *fakeChannel) register(env *testsuite.TestWorkflowEnvironment) {
	f.registerPayments(env)
	f.registerSubsidies(env)
	f.registerRefunds(env)
	f.registerReturns(env)
	f.registerDebts(env)
	f.registerSubsidyReturns(env)
	f.registerSharing(env)
	f.registerChecks(env)
	stub(env, ActivityConfirmSettlement, func(_ context.Context, in SettleInput) (SettleStatus, error) {
		if err := f.record(ActivityConfirmSettlement, in.OutRequestNo); err != nil {
			return SettleStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.settled = append(f.settled, in.Amount)
		return SettleStatus{Amount: in.Amount}, nil
	})
}

// registerPayments stubs the combined order and its posting.
func (f *fakeChannel) registerPayments(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityCreateCombinedPayment, func(_ context.Context, in CreatePaymentInput) (PaymentParams, error) {
		return PaymentParams{
				CodeURL: "weixin://wxpay/" + in.OutTradeNo,
			}, f.record(
				ActivityCreateCombinedPayment,
				in.OutTradeNo,
			)
	})
	stub(env, ActivityQueryCombinedPayment, func(_ context.Context, in QueryPaymentInput) (PaymentStatus, error) {
		if err := f.record(ActivityQueryCombinedPayment, in.OutTradeNo); err != nil {
			return PaymentStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.queries++
		return f.state(in.OutTradeNo), nil
	})
	stub(env, ActivityCloseCombinedPayment, func(_ context.Context, in ClosePaymentInput) (Done, error) {
		if err := f.record(ActivityCloseCombinedPayment, in.OutTradeNo); err != nil {
			return Done{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.payOnClose {
			f.paid = true
		}
		if f.paid {
			return Done{}, temporal.NewNonRetryableApplicationError("paid", ErrTypeChannelRejected+".ORDERPAID", nil)
		}
		f.closed = true
		return Done{}, nil
	})
	stub(env, ActivityPostPayment, func(_ context.Context, in PostPaymentInput) (PostingResult, error) {
		return PostingResult{}, f.record(ActivityPostPayment, in.SubOrderNo)
	})
	// PostPayments is recorded as what it does: each payment's posting, then the read model's view.
	stub(env, ActivityPostPayments, func(_ context.Context, in PostPaymentsInput) (Done, error) {
		for _, p := range in.Payments {
			if err := f.record(ActivityPostPayment, p.SubOrderNo); err != nil {
				return Done{}, err
			}
		}
		return Done{}, f.record(ActivitySaveOrderView, in.View.Status)
	})
}

// registerSubsidies stubs the subsidy, its return and cancellation.
func (f *fakeChannel) registerSubsidies(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityCreateSubsidy, func(_ context.Context, in SubsidyInput) (SubsidyStatus, error) {
		if err := f.record(ActivityCreateSubsidy, in.OutSubsidyNo); err != nil {
			return SubsidyStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.subsidies += in.Amount
		f.subsidyRef = in.RefundID
		return SubsidyStatus{SubsidyID: "sub-" + in.OutSubsidyNo, Amount: in.Amount}, nil
	})
	stub(env, ActivityPostSubsidyPaid, func(_ context.Context, in PostSubsidyInput) (PostingResult, error) {
		return PostingResult{}, f.record(ActivityPostSubsidyPaid, in.SubsidyID)
	})
}

// registerRefunds stubs refunds, polled PROCESSING until refundPolls queries.
func (f *fakeChannel) registerRefunds(env *testsuite.TestWorkflowEnvironment) {
	refundPolls := map[string]int{}
	refundState := func(in ApplyRefundInput) RefundStatus {
		st := RefundStatus{RefundID: "5030" + in.OutRefundNo, Status: "PROCESSING", Amount: f.refunds[in.OutRefundNo]}
		if refundPolls[in.OutRefundNo] >= f.refundPolls {
			st.Status = "SUCCESS"
			if f.abnormal {
				st.Status = "ABNORMAL"
			}
			if f.refundClose {
				st.Status = "CLOSED"
			}
		}
		return st
	}
	stub(env, ActivityApplyRefund, func(_ context.Context, in ApplyRefundInput) (RefundStatus, error) {
		if err := f.record(ActivityApplyRefund, in.OutRefundNo); err != nil {
			return RefundStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refunds[in.OutRefundNo] == 0 {
			f.refunds[in.OutRefundNo] = in.Refund
			f.froms = append(f.froms, in.From)
			f.reversals = append(f.reversals, in.Reversals)
		}
		return refundState(in), nil
	})
	stub(env, ActivityQueryRefund, func(_ context.Context, in ApplyRefundInput) (RefundStatus, error) {
		if err := f.record(ActivityQueryRefund, in.OutRefundNo); err != nil {
			return RefundStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		refundPolls[in.OutRefundNo]++
		return refundState(in), nil
	})
	stub(env, ActivityPostRefund, func(_ context.Context, in PostRefundInput) (PostingResult, error) {
		if err := f.record(ActivityPostRefund, in.RefundID); err != nil {
			return PostingResult{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posted += in.Amount
		f.fromFrozen = append(f.fromFrozen, in.FromFrozen)
		return PostingResult{}, nil
	})
}

// registerReturns stubs clawback: returns from merchant receivers, persons' debts and their netting.
func (f *fakeChannel) registerReturns(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityReturnShare, func(_ context.Context, in ReturnShareInput) (ReturnStatus, error) {
		if err := f.record(ActivityReturnShare, in.OutReturnNo+" "+in.OutOrderNo); err != nil {
			return ReturnStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.returnShort[in.ReturnMchID] > 0 {
			f.returnShort[in.ReturnMchID]--
			return ReturnStatus{
				ReturnNo:   "3005" + in.OutReturnNo,
				Result:     "FAIL",
				FailReason: "ACCOUNT_ABNORMAL",
				Amount:     in.Amount,
			}, nil
		}
		if f.returnSlow > 0 {
			return ReturnStatus{ReturnNo: "3005" + in.OutReturnNo, Result: "PROCESSING", Amount: in.Amount}, nil
		}
		return ReturnStatus{ReturnNo: "3005" + in.OutReturnNo, Result: "SUCCESS", Amount: in.Amount}, nil
	})
	returnPolls := map[string]int{}
	stub(env, ActivityQueryReturnShare, func(_ context.Context, in ReturnShareInput) (ReturnStatus, error) {
		if err := f.record(ActivityQueryReturnShare, in.OutReturnNo); err != nil {
			return ReturnStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		returnPolls[in.OutReturnNo]++
		if returnPolls[in.OutReturnNo] < f.returnSlow {
			return ReturnStatus{ReturnNo: "3005" + in.OutReturnNo, Result: "PROCESSING", Amount: in.Amount}, nil
		}
		return ReturnStatus{ReturnNo: "3005" + in.OutReturnNo, Result: "SUCCESS", Amount: in.Amount}, nil
	})
	stub(env, ActivityPostSharingReturned, func(_ context.Context, in PostSharingReturnedInput) (PostingResult, error) {
		if err := f.record(ActivityPostSharingReturned, in.ReceiverID); err != nil {
			return PostingResult{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.returned += in.Amount
		return PostingResult{}, nil
	})
}

// registerDebts stubs persons' debts and their netting.
func (f *fakeChannel) registerDebts(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityPostCommissionDebt, func(_ context.Context, in PostCommissionDebtInput) (PostingResult, error) {
		if err := f.record(ActivityPostCommissionDebt, in.ReceiverID); err != nil {
			return PostingResult{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.debts += in.Amount
		return PostingResult{}, nil
	})
	stub(env, ActivityNetCommissionDebts, func(_ context.Context, in NetDebtsInput) (DebtNettings, error) {
		if err := f.record(ActivityNetCommissionDebts, in.SubOrderNo); err != nil {
			return DebtNettings{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []DebtNetting
		for _, s := range in.Shares {
			if n := min(f.owed[s.ReceiverID], s.Amount); n > 0 {
				f.owed[s.ReceiverID] -= n
				out = append(
					out,
					DebtNetting{ReceiverID: s.ReceiverID, NettingID: NettingID(in.SubOrderNo, s.ReceiverID), Amount: n},
				)
			}
		}
		return DebtNettings{Nettings: out}, nil
	})
}

// registerSubsidyReturns stubs subsidy returns.
func (f *fakeChannel) registerSubsidyReturns(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityApplySubsidyReturn, func(_ context.Context, in ReturnSubsidyInput) (SubsidyStatus, error) {
		if err := f.record(ActivityApplySubsidyReturn, in.OutOrderNo); err != nil {
			return SubsidyStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.subsidyBack += in.Amount
		return SubsidyStatus{SubsidyID: "ret-" + in.OutOrderNo, Amount: in.Amount}, nil
	})
	stub(env, ActivityPostSubsidyReturned, func(_ context.Context, in PostSubsidyInput) (PostingResult, error) {
		return PostingResult{}, f.record(ActivityPostSubsidyReturned, in.SubsidyID)
	})
	stub(env, ActivityCancelSubsidy, func(_ context.Context, in CancelSubsidyInput) (Done, error) {
		return Done{}, f.record(ActivityCancelSubsidy, in.SubOrderNo)
	})
}

// registerSharing stubs sharing, polled PROCESSING until processing queries, and finish.
func (f *fakeChannel) registerSharing(env *testsuite.TestWorkflowEnvironment) {
	result := func(in ShareInput, polls int) ShareStatus {
		st := ShareStatus{OrderID: "3008" + in.OutOrderNo, Status: "PROCESSING"}
		if polls >= f.processing {
			st.Status = "FINISHED"
		}
		for _, s := range in.Shares {
			r := ShareReceiverStatus{Account: s.Account, Amount: s.Amount, Result: "PENDING"}
			if st.Status == "FINISHED" {
				r.Result = "SUCCESS"
				if reason, ok := f.closedAccts[s.Account]; ok {
					r.Result, r.FailReason = "CLOSED", reason
				}
			}
			st.Receivers = append(st.Receivers, r)
		}
		return st
	}
	polls := map[string]int{}
	stub(env, ActivityShare, func(_ context.Context, in ShareInput) (ShareStatus, error) {
		if err := f.record(ActivityShare, in.OutOrderNo); err != nil {
			return ShareStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if polls[in.OutOrderNo] == 0 {
			f.shares = append(f.shares, in)
		}
		return result(in, polls[in.OutOrderNo]), nil
	})
	stub(env, ActivityQueryShare, func(_ context.Context, in ShareInput) (ShareStatus, error) {
		if err := f.record(ActivityQueryShare, in.OutOrderNo); err != nil {
			return ShareStatus{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		polls[in.OutOrderNo]++
		return result(in, polls[in.OutOrderNo]), nil
	})
	stub(env, ActivityPostSharing, func(_ context.Context, in PostSharingInput) (PostingResult, error) {
		if err := f.record(ActivityPostSharing, in.SharingOrderID); err != nil {
			return PostingResult{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, s := range in.Shares {
			f.postedShare += s.Amount
		}
		return PostingResult{}, nil
	})
	stub(env, ActivityFinish, func(_ context.Context, in FinishInput) (FinishResult, error) {
		if err := f.record(ActivityFinish, in.OutOrderNo); err != nil {
			return FinishResult{}, err
		}
		return FinishResult{OrderID: "finish-" + in.SubOrderNo}, nil
	})
	stub(env, ActivityPostFinished, func(_ context.Context, in PostFinishedInput) (PostingResult, error) {
		return PostingResult{}, f.record(ActivityPostFinished, in.FinishOrderID)
	})
}

// registerChecks stubs the read model and the ledger's checks.
func (f *fakeChannel) registerChecks(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivitySaveOrderView, func(_ context.Context, in OrderViewInput) (Done, error) {
		return Done{}, f.record(ActivitySaveOrderView, in.Status)
	})
	stub(env, ActivityCheckFrozen, func(_ context.Context, in SubOrderRef) (FrozenCheck, error) {
		if err := f.record(ActivityCheckFrozen, in.SubOrderNo); err != nil {
			return FrozenCheck{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.unsplit == 0 {
			return FrozenCheck{Unsplit: 1 << 40}, nil
		}
		return FrozenCheck{Unsplit: f.unsplit}, nil
	})
	stub(env, ActivityCheckConservation, func(_ context.Context, in SubOrderRef) (Done, error) {
		return Done{}, f.record(ActivityCheckConservation, in.SubOrderNo)
	})
	stub(env, ActivityEvaluateRisk, func(_ context.Context, in RiskInput) (RiskDecision, error) {
		if err := f.record(ActivityEvaluateRisk, in.OrderNo); err != nil {
			return RiskDecision{}, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.risk.Outcome == "" {
			return RiskDecision{Outcome: RiskPass}, nil
		}
		return f.risk, nil
	})
	stub(env, ActivityReleaseRisk, func(_ context.Context, in ReleaseRiskInput) (Done, error) {
		f.mu.Lock()
		f.released++
		f.mu.Unlock()
		return Done{}, f.record(ActivityReleaseRisk, in.OrderNo)
	})
}

// stub registers fn as activity a in the test environment; the compiler holds fn to the contract's types.
func stub[In, Out any](
	env *testsuite.TestWorkflowEnvironment,
	a Activity[In, Out],
	fn func(context.Context, In) (Out, error),
) {
	env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: a.Name})
}

func newFake() *fakeChannel {
	return &fakeChannel{
		failures:    map[ContractEntry][]error{},
		closedAccts: map[string]string{},
		refunds:     map[string]money.Amount{},
		returnShort: map[string]int{},
		owed:        map[string]money.Amount{},
	}
}

func testEnv(t *testing.T, f *fakeChannel) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(Checkout)
	env.RegisterWorkflow(SubOrder)
	f.register(env)
	env.SetTestTimeout(time.Minute)
	return env
}

var testCommissions = []CommissionRule{
	{
		ReceiverID: PlatformReceiverID,
		Role:       RolePlatform,
		Type:       ReceiverMerchant,
		Account:    "1900000100",
		Rate:       d("0.05"),
	},
	{ReceiverID: "d1", Role: RoleDistributor, Type: ReceiverPersonal, Account: "o-l1", Rate: d("0.10")},
	{ReceiverID: "d2", Role: RoleDistributor, Type: ReceiverPersonal, Account: "o-l2", Rate: d("0.05")},
	{ReceiverID: "s1", Role: RoleSupplier, Type: ReceiverMerchant, Account: "1900000999", Rate: d("0.03")},
}

var testLimits = PlanLimits{MaxSubOrders: 50, MaxReceiversPerRequest: 5, MaxRequests: 20, MaxRatio: d("0.30")}

func testOrder() OrderInput {
	return OrderInput{
		OrderNo:     "T20261123001",
		Channel:     "wechatpay",
		Scene:       "native",
		NotifyURL:   "https://example.test/notify",
		Fingerprint: "fp1",
		Limits:      testLimits,
		Settings: OrderSettings{
			PaymentWindow:    30 * time.Minute,
			QueryAfter:       5 * time.Minute,
			AutoConfirmAfter: 7 * 24 * time.Hour,
			AfterSaleWindow:  24 * time.Hour,
		},
		SubOrders: []SubOrderSpec{
			{
				MerchantID:  "m1",
				SubMchID:    "1900000109",
				Description: "tea",
				Amount:      10000,
				Subsidy:     1000,
				Commissions: testCommissions,
			},
			{
				MerchantID:  "m2",
				SubMchID:    "1900000110",
				Description: "cups",
				Amount:      20000,
				Commissions: testCommissions[:2],
			},
		},
	}
}

// create sends the CreatePayment update right after start, as Update-With-Start does.
func create(t *testing.T, env *testsuite.TestWorkflowEnvironment, fingerprint string) *CreatedOrder {
	var out CreatedOrder
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateCreatePayment, "create-1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { t.Errorf("create rejected: %v", err) },
			OnComplete: func(v any, err error) { out, _ = v.(CreatedOrder); _ = err },
		}, CreatePaymentRequest{Fingerprint: fingerprint})
	}, 0)
	return &out
}

func queryOrder(t *testing.T, env *testsuite.TestWorkflowEnvironment) OrderState {
	t.Helper()
	v, err := env.QueryWorkflow(QueryOrder)
	if err != nil {
		t.Fatal(err)
	}
	var st OrderState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOrderPaidByNotificationCompletes(t *testing.T) {
	f := newFake()
	env := testEnv(t, f)
	created := create(t, env, "fp1")
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		f.paid = true
		st := f.state("T20261123001")
		f.mu.Unlock()
		env.SignalWorkflow(SignalPaymentNotified, PaymentNotice{NotificationID: "n1", State: st})
	}, 2*time.Minute)
	// The shop confirms sub-order 1 on day 2; sub-order 2 auto-confirms after 7 days.
	env.RegisterDelayedCallback(func() {
		err := env.UpdateWorkflowByID(
			SubOrderWorkflowID("T20261123001", 1),
			UpdateConfirmReceipt,
			"r1",
			&testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Errorf("confirm rejected: %v", err) }, OnComplete: func(any, error) {}},
			ConfirmReceiptRequest{ConfirmedBy: "shop-backend"},
		)
		if err != nil {
			t.Error(err)
		}
	}, 48*time.Hour)
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res OrderResult
	_ = env.GetWorkflowResult(&res)
	st := queryOrder(t, env)
	if res.Status != StatusCompleted || st.PaidBy != "notification" || created.Params.CodeURL == "" {
		t.Errorf("result %+v, paid by %q, created %+v", res, st.PaidBy, created)
	}
	if n := f.called(ActivityQueryCombinedPayment); n != 0 {
		t.Errorf("paid by notification within QueryAfter, yet the channel was queried %d times", n)
	}
	// Sub-order 1: base 100 + 10 subsidy = 110 → 5.50 + 11 + 5.50 + 3.30 = 25.30. Sub-order 2: 200 × 15% = 30.
	if f.postedShare != 2530+3000 || f.subsidies != 1000 {
		t.Errorf("shared %s, subsidised %s", f.postedShare, f.subsidies)
	}
	if f.called(ActivityPostPayment) != 2 || f.called(ActivityFinish) != 2 || f.called(ActivityCheckConservation) != 2 {
		t.Errorf("calls: %v", f.calls)
	}
	for _, want := range []string{
		"Share T20261123001-sub1-share1", "CreateSubsidy T20261123001-sub1-subsidy",
		"Finish T20261123001-sub2-finish",
	} {
		if !slices.Contains(f.calls, want) {
			t.Errorf("no call %q: out-numbers must derive from the order; calls %v", want, f.calls)
		}
	}
	if st.SubOrders[0].Status != StatusCompleted || st.SubOrders[1].Status != StatusCompleted || st.ChildrenDone != 2 {
		t.Errorf("sub-orders %+v", st.SubOrders)
	}
}

func TestOrderLostNotificationFoundByQuery(t *testing.T) {
	f := newFake()
	env := testEnv(t, f)
	create(t, env, "fp1")
	env.RegisterDelayedCallback(
		func() { f.mu.Lock(); f.paid = true; f.mu.Unlock() },
		7*time.Minute,
	) // paid; notification lost
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	st := queryOrder(t, env)
	if st.Status != StatusCompleted || st.PaidBy != "query" || f.called(ActivityCloseCombinedPayment) != 0 {
		t.Errorf("status %s paid by %q; calls %v", st.Status, st.PaidBy, f.calls)
	}
	// Queried at 5 min (NOTPAY) and at 10 min (SUCCESS): twice.
	if f.queries != 2 {
		t.Errorf("queries = %d, want 2", f.queries)
	}
}

func TestOrderExpiresAndCloses(t *testing.T) {
	f := newFake()
	env := testEnv(t, f)
	create(t, env, "fp1")
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res OrderResult
	_ = env.GetWorkflowResult(&res)
	if res.Status != StatusClosed || !f.closed || f.called(ActivityPostPayment) != 0 {
		t.Errorf("result %+v closed %v calls %v", res, f.closed, f.calls)
	}
	// After the close the order is asked once more, in case a payment raced it; then what it counted against
	// the risk rules' caps is given back.
	i := slices.Index(f.calls, "CloseCombinedPayment T20261123001")
	if i < 0 || i+2 >= len(f.calls) || f.calls[i+1] != "QueryCombinedPayment T20261123001" ||
		f.calls[i+2] != "ReleaseRisk T20261123001" || f.released != 1 {
		t.Errorf("no query after the close, or no release: %v", f.calls)
	}
}

func TestOrderPaymentRacingTheCloseIsKept(t *testing.T) {
	f := newFake()
	f.payOnClose = true
	env := testEnv(t, f)
	create(t, env, "fp1")
	env.ExecuteWorkflow(Checkout, testOrder())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	st := queryOrder(t, env)
	if st.Status != StatusCompleted || st.PaidBy != "query-after-close" || f.called(ActivityPostPayment) != 2 {
		t.Errorf("status %s paid by %q calls %v", st.Status, st.PaidBy, f.calls)
	}
}

func TestOrderDifferentCartUnderSameNumberIsRefused(t *testing.T) {
	f := newFake()
	env := testEnv(t, f)
	create(t, env, "fp1")
	var rejected error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateCreatePayment, "create-2", &testsuite.TestUpdateCallback{
			OnAccept: func() { t.Error("a different cart was accepted") },
			OnReject: func(err error) { rejected = err }, OnComplete: func(any, error) {},
		}, CreatePaymentRequest{Fingerprint: "another cart"})
	}, time.Second)
	env.ExecuteWorkflow(Checkout, testOrder())
	if errorType(rejected) != ErrTypeDifferentCart {
		t.Errorf("rejection = %v", rejected)
	}
	if f.called(ActivityCreateCombinedPayment) != 1 {
		t.Errorf("created %d times", f.called(ActivityCreateCombinedPayment))
	}
}

func TestOrderRejectedByTheChannelEndsWithoutMoney(t *testing.T) {
	f := newFake()
	f.failures[ActivityCreateCombinedPayment] = []error{
		temporal.NewNonRetryableApplicationError("no auth", ErrTypeChannelRejected+".NO_AUTH", nil),
	}
	env := testEnv(t, f)
	var updateErr error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(
			UpdateCreatePayment,
			"c",
			&testsuite.TestUpdateCallback{OnReject: func(err error) { updateErr = err },
				OnComplete: func(_ any, err error) { updateErr = err }},
			CreatePaymentRequest{Fingerprint: "fp1"},
		)
	}, 0)
	env.ExecuteWorkflow(Checkout, testOrder())
	if errorType(updateErr) != ErrTypeChannelRejected+".NO_AUTH" ||
		errorType(env.GetWorkflowError()) != ErrTypeChannelRejected+".NO_AUTH" {
		t.Errorf("update %v; workflow %v", updateErr, env.GetWorkflowError())
	}
	if f.called(ActivityCloseCombinedPayment)+f.called(ActivityPostPayment) != 0 {
		t.Errorf("calls %v", f.calls)
	}
}

func subOrderInput(s OrderSettings) SubOrderInput {
	return SubOrderInput{
		Ref: SubOrderRef{
			Channel:       "wechatpay",
			OrderNo:       "T1",
			SubOrderNo:    "T1-sub1",
			MerchantID:    "m1",
			SubMchID:      "1900000109",
			TransactionID: "42001",
		},
		N:           1,
		Amount:      100000,
		Commissions: testCommissions,
		Limits:      testLimits,
		Settings:    s,
		PaidAt:      testPaidAt,
	}
}

// testPaidAt is when test sub-orders are paid, and where their workflow clock starts: now, because a retried
// local activity's time is measured from the workflow clock against the machine's (decision 0016).
var testPaidAt = time.Now().UTC().Truncate(time.Minute)

func runSubOrder(
	t *testing.T,
	f *fakeChannel,
	in SubOrderInput,
	setup func(env *testsuite.TestWorkflowEnvironment),
) SubOrderState {
	t.Helper()
	env := testEnv(t, f)
	env.SetStartTime(in.PaidAt)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(SubOrder, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	v, err := env.QueryWorkflow(QuerySubOrder)
	if err != nil {
		t.Fatal(err)
	}
	var st SubOrderState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSubOrderAutoConfirms(t *testing.T) {
	st := runSubOrder(
		t,
		newFake(),
		subOrderInput(OrderSettings{AutoConfirmAfter: 7 * 24 * time.Hour, AfterSaleWindow: 3 * 24 * time.Hour}),
		nil,
	)
	paid := testPaidAt
	if st.Status != StatusCompleted || st.ConfirmedBy != ConfirmedByAutoConfirm ||
		!st.ConfirmedAt.Equal(paid.Add(7*24*time.Hour)) {
		t.Errorf("state %s confirmed by %s at %s", st.Status, st.ConfirmedBy, st.ConfirmedAt)
	}
}

func TestSubOrderFreezeDeadlineConfirmsEarly(t *testing.T) {
	// A 200-day auto-confirm would pass the 180-day auto-unfreeze: the receipt is confirmed at day 170.
	f := newFake()
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: 200 * 24 * time.Hour, AfterSaleWindow: 30 * 24 * time.Hour}),
		nil,
	)
	paid := testPaidAt
	if st.ConfirmedBy != ConfirmedByFreezeDeadline || !st.ConfirmedAt.Equal(paid.Add(170*24*time.Hour)) ||
		st.Status != StatusCompleted {
		t.Errorf("confirmed by %s at %s; status %s", st.ConfirmedBy, st.ConfirmedAt, st.Status)
	}
	if !slices.ContainsFunc(st.Timeline, func(e Event) bool { return strings.Contains(e.What, "confirmed early") }) {
		t.Errorf("the reason is not recorded: %+v", st.Timeline)
	}
	if f.called(ActivityFinish) != 1 {
		t.Error("not finished")
	}
}

func TestSubOrderSharesInSeveralBatchesAndPollsProcessing(t *testing.T) {
	f := newFake()
	f.processing = 2
	in := subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour})
	in.Limits.MaxReceiversPerRequest = 1
	st := runSubOrder(t, f, in, nil)
	if len(st.Batches) != 4 || st.Shared != 23000 || f.postedShare != 23000 {
		t.Fatalf("batches %d shared %s posted %s", len(st.Batches), st.Shared, f.postedShare)
	}
	// Merchant receivers first, so later clawbacks touch few requests; each request polled twice.
	if st.Batches[1].Shares[0].ReceiverID != "s1" || f.called(ActivityQueryShare) != 8 {
		t.Errorf("batches %+v; queries %d", st.Batches, f.called(ActivityQueryShare))
	}
	for k, b := range st.Batches {
		if b.OutOrderNo != fmt.Sprintf("T1-sub1-share%d", k+1) || b.Status != "FINISHED" {
			t.Errorf("batch %d: %+v", k, b)
		}
	}
}

func TestSubOrderReceiverClosedByTheChannelStaysWithMerchant(t *testing.T) {
	f := newFake()
	f.closedAccts["o-l2"] = "RECEIVER_HIGH_RISK"
	st := runSubOrder(t, f, subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}), nil)
	if st.Shared != 23000-5000 || f.postedShare != 18000 || len(st.Batches[0].Failed) != 1 ||
		st.Batches[0].Failed[0].FailReason != "RECEIVER_HIGH_RISK" {
		t.Errorf("shared %s posted %s batches %+v", st.Shared, f.postedShare, st.Batches)
	}
}

func TestSubOrderRetriesChannel500s(t *testing.T) {
	f := newFake()
	for range 3 {
		f.failures[ActivityShare] = append(
			f.failures[ActivityShare],
			temporal.NewApplicationError("500", ErrTypeChannelRetry+".SYSTEM_ERROR"),
		)
	}
	st := runSubOrder(t, f, subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}), nil)
	if st.Status != StatusCompleted || f.called(ActivityShare) != 4 || st.LastError != nil {
		t.Errorf("status %s, share calls %d, last error %+v", st.Status, f.called(ActivityShare), st.LastError)
	}
}

func TestSubOrderBusinessRejectionWaitsForOps(t *testing.T) {
	f := newFake()
	f.failures[ActivityFinish] = []error{
		temporal.NewNonRetryableApplicationError("finished", ErrTypeChannelRejected+".INVALID_REQUEST", nil),
	}
	var during SubOrderState
	st := runSubOrder(
		t,
		f,
		subOrderInput(OrderSettings{AutoConfirmAfter: time.Hour}),
		func(env *testsuite.TestWorkflowEnvironment) {
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(QuerySubOrder)
				if err == nil {
					_ = v.Get(&during)
				}
				env.SignalWorkflow(SignalResume, ResumeRequest{By: "ops:alice", Reason: "checked at the channel"})
			}, 10*24*time.Hour)
		},
	)
	if during.Status != StatusNeedsAttention || during.WaitingFor != "ops:finish" || during.LastError == nil ||
		during.LastError.Type != ErrTypeChannelRejected+".INVALID_REQUEST" {
		t.Errorf("while stopped: %s waiting for %s, error %+v", during.Status, during.WaitingFor, during.LastError)
	}
	if st.Status != StatusCompleted || f.called(ActivityFinish) != 2 || st.LastError != nil {
		t.Errorf("after resume: %s, finish calls %d, error %+v", st.Status, f.called(ActivityFinish), st.LastError)
	}
	if f.called(ActivityShare) != 1 {
		t.Errorf("resuming finish must not share again: %v", f.calls)
	}
}

func TestOrderInputValidationNamesTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*OrderInput)
	}{
		{"order_no", func(in *OrderInput) { in.OrderNo = "x" }},
		{"sub_orders", func(in *OrderInput) { in.SubOrders = nil }},
		{"sub_orders", func(in *OrderInput) { in.Limits.MaxSubOrders = 1 }},
		{"sub_orders[1].amount", func(in *OrderInput) { in.SubOrders[1].Amount = 0 }},
		{"sub_orders[0].merchant_id", func(in *OrderInput) { in.SubOrders[0].SubMchID = "" }},
		{"sub_orders[0].commissions", func(in *OrderInput) {
			in.SubOrders[0].Commissions = append([]CommissionRule{}, testCommissions...)
			in.SubOrders[0].Commissions[1].Rate = d("0.50")
		}},
	}
	for _, c := range cases {
		in := testOrder()
		c.edit(&in)
		var ie *InputError
		if err := in.Validate(); !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("want a %s error, got %v", c.field, err)
		}
	}
	if err := testOrder().Validate(); err != nil {
		t.Error(err)
	}
}
