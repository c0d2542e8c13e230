package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity is one entry of the contract between workflows and activities: the activity's registered name,
// its one input struct and its one output struct. Workflows call activities only through these handles, so a
// name or a type that drifts from the implementation fails the contract test (activities/contract_test.go),
// not a run on the stack.
type Activity[In, Out any] struct {
	Name string
}

// Start schedules the activity, with its summary for the UI (as a local activity when ctx says so:
// process.ledger; local first when it says that: process.settlement); the future answers its output.
func (a Activity[In, Out]) Start(ctx workflow.Context, in In) Future[Out] {
	if isLocal, _ := ctx.Value(local{}).(bool); isLocal {
		opts := workflow.GetLocalActivityOptions(ctx)
		opts.Summary = activitySummary(a.Name, in)
		return Future[Out]{workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, opts), a.Name, in)}
	}
	if first, _ := ctx.Value(localFirst{}).(bool); first {
		return a.startLocalFirst(ctx, in)
	}
	opts := workflow.GetActivityOptions(ctx)
	opts.Summary = activitySummary(a.Name, in)
	return Future[Out]{workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), a.Name, in)}
}

// startLocalFirst runs the activity as a local activity with quickTries. When those fail for a reason worth
// retrying (a timeout, a channel's 500 or 429), it schedules the same call, same input and out-number, as an
// activity with ctx's options. A rejection is answered at once.
func (a Activity[In, Out]) startLocalFirst(ctx workflow.Context, in In) Future[Out] {
	summary := activitySummary(a.Name, in)
	lopts, aopts := quickTries, workflow.GetActivityOptions(ctx)
	lopts.Summary, aopts.Summary = summary, summary
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var out Out
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, lopts), a.Name, in).Get(ctx, &out)
		if err != nil && worthRetrying(err) {
			err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, aopts), a.Name, in).Get(ctx, &out)
		}
		set.Set(out, err)
	})
	return Future[Out]{f}
}

// worthRetrying: the error is not a rejection (a non-retryable application error) nor a cancellation.
func worthRetrying(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return !app.NonRetryable()
	}
	var canceled *temporal.CanceledError
	return !errors.As(err, &canceled)
}

// Run runs the activity and waits for its output.
func (a Activity[In, Out]) Run(ctx workflow.Context, in In) (Out, error) {
	return a.Start(ctx, in).Result(ctx)
}

// ActivityName and Signature describe the entry to the contract test.
func (a Activity[In, Out]) ActivityName() string { return a.Name }

// Signature answers zero values of the input and output types.
func (a Activity[In, Out]) Signature() (in, out any) { return *new(In), *new(Out) }

// Future is a scheduled activity's typed result.
type Future[Out any] struct {
	f workflow.Future
}

// Get waits for the activity and, when it succeeded, stores its output in out (nil: the output is not wanted).
func (f Future[Out]) Get(ctx workflow.Context, out *Out) error {
	if out == nil {
		return f.f.Get(ctx, nil)
	}
	return f.f.Get(ctx, out)
}

// Result waits for the activity and answers its output.
func (f Future[Out]) Result(ctx workflow.Context) (Out, error) {
	var out Out
	err := f.Get(ctx, &out)
	return out, err
}

// Done is the output of an activity that answers nothing but success.
type Done struct{}

// ContractEntry is an Activity of any types, as the contract test sees it.
type ContractEntry interface {
	ActivityName() string
	Signature() (in, out any)
}

// The contract, by area. Each name equals the method of activities.Activities that implements it.
var (
	ActivityCheckDatabase = Activity[CheckDatabaseInput, DatabaseStatus]{"CheckDatabase"}

	// Payments: the channel's combined order, and its posting.
	ActivityCreateCombinedPayment = Activity[CreatePaymentInput, PaymentParams]{"CreateCombinedPayment"}
	ActivityQueryCombinedPayment  = Activity[QueryPaymentInput, PaymentStatus]{"QueryCombinedPayment"}
	ActivityCloseCombinedPayment  = Activity[ClosePaymentInput, Done]{"CloseCombinedPayment"}
	ActivityPostPayment           = Activity[PostPaymentInput, PostingResult]{"PostPayment"}
	ActivityPostPayments          = Activity[PostPaymentsInput, Done]{"PostPayments"}

	// Sharing: the settlement confirm, the subsidy, profit sharing, finish, and their postings.
	ActivityConfirmSettlement = Activity[SettleInput, SettleStatus]{"ConfirmSettlement"}
	ActivityCreateSubsidy     = Activity[SubsidyInput, SubsidyStatus]{"CreateSubsidy"}
	ActivityPostSubsidyPaid   = Activity[PostSubsidyInput, PostingResult]{"PostSubsidyPaid"}
	ActivityShare             = Activity[ShareInput, ShareStatus]{"Share"}
	ActivityQueryShare        = Activity[ShareInput, ShareStatus]{"QueryShare"}
	ActivityPostSharing       = Activity[PostSharingInput, PostingResult]{"PostSharing"}
	ActivityFinish            = Activity[FinishInput, FinishResult]{"Finish"}
	ActivityPostFinished      = Activity[PostFinishedInput, PostingResult]{"PostFinished"}

	// Refunds and what they undo: clawback from receivers, persons' debts, the subsidy.
	ActivityApplyRefund         = Activity[ApplyRefundInput, RefundStatus]{"ApplyRefund"}
	ActivityQueryRefund         = Activity[ApplyRefundInput, RefundStatus]{"QueryRefundStatus"}
	ActivityPostRefund          = Activity[PostRefundInput, PostingResult]{"PostRefund"}
	ActivityCancelSubsidy       = Activity[CancelSubsidyInput, Done]{"CancelSubsidy"}
	ActivityReturnShare         = Activity[ReturnShareInput, ReturnStatus]{"ReturnShare"}
	ActivityQueryReturnShare    = Activity[ReturnShareInput, ReturnStatus]{"QueryReturnShare"}
	ActivityPostSharingReturned = Activity[PostSharingReturnedInput, PostingResult]{"PostSharingReturned"}
	ActivityPostCommissionDebt  = Activity[PostCommissionDebtInput, PostingResult]{"PostCommissionDebt"}
	ActivityNetCommissionDebts  = Activity[NetDebtsInput, DebtNettings]{"NetCommissionDebts"}
	ActivityApplySubsidyReturn  = Activity[ReturnSubsidyInput, SubsidyStatus]{"ApplySubsidyReturn"}
	ActivityPostSubsidyReturned = Activity[PostSubsidyInput, PostingResult]{"PostSubsidyReturned"}

	// The orders read model, and the ledger's checks before and after money moves.
	ActivitySaveOrderView     = Activity[OrderViewInput, Done]{"SaveOrderView"}
	ActivityCheckConservation = Activity[SubOrderRef, Done]{"CheckConservation"}
	ActivityCheckFrozen       = Activity[SubOrderRef, FrozenCheck]{"CheckFrozen"}

	// Risk controls: the order judged before it is placed, and its reservation given back if it is not paid.
	ActivityEvaluateRisk = Activity[RiskInput, RiskDecision]{"EvaluateRisk"}
	ActivityReleaseRisk  = Activity[ReleaseRiskInput, Done]{"ReleaseRisk"}

	// Webhooks: one signed delivery, and its dead letter.
	ActivityDeliver        = Activity[WebhookDeliveryInput, DeliverResult]{"Deliver"}
	ActivityMarkDeadLetter = Activity[WebhookDeliveryInput, Done]{"MarkDeadLetter"}

	// Merchants: onboarding (进件) and withdrawals (提现).
	ActivitySubmitApplyment    = Activity[SubmitApplymentInput, ApplymentSubmitted]{"SubmitApplyment"}
	ActivityQueryApplyment     = Activity[QueryApplymentInput, ApplymentStatus]{"QueryApplyment"}
	ActivityActivateMerchant   = Activity[ActivateMerchantInput, Done]{"ActivateMerchant"}
	ActivityReserveWithdrawal  = Activity[WithdrawInput, Done]{"ReserveWithdrawal"}
	ActivityWithdraw           = Activity[WithdrawInput, WithdrawStatus]{"Withdraw"}
	ActivityCheckSettlement    = Activity[WithdrawInput, SettlementCheck]{"CheckSettlementAccount"}
	ActivityQueryWithdraw      = Activity[WithdrawInput, WithdrawStatus]{"QueryWithdraw"}
	ActivityPostWithdrawResult = Activity[WithdrawInput, Done]{"PostWithdrawResult"}

	// Reconciliation (对账): the day's run, each bill staged, the match and its report.
	ActivityBeginReconcile = Activity[ReconcileStep, ReconcileRun]{"BeginReconcile"}
	ActivityStageBill      = Activity[ReconcileStep, BillStaged]{"StageBill"}
	ActivityMatchReconcile = Activity[ReconcileStep, ReconcileSummary]{"MatchReconcile"}
	ActivityMarkRepaired   = Activity[RepairInput, Done]{"MarkRepaired"}

	// Before "split-subsidy" one activity called the channel and posted; histories from then still call these.
	legacyActivityPaySubsidy    = Activity[SubsidyInput, PostingResult]{"PaySubsidy"}
	legacyActivityReturnSubsidy = Activity[ReturnSubsidyInput, PostingResult]{"ReturnSubsidy"}
)

// Contract lists every activity. The last two are the channel-and-posting activities from before
// "split-subsidy", which only workflows started before it call.
var Contract = []ContractEntry{
	ActivityCheckDatabase,
	ActivityCreateCombinedPayment, ActivityQueryCombinedPayment, ActivityCloseCombinedPayment, ActivityPostPayment,
	ActivityPostPayments,
	ActivityConfirmSettlement, ActivityCreateSubsidy, ActivityPostSubsidyPaid, ActivityShare, ActivityQueryShare, ActivityPostSharing,
	ActivityFinish, ActivityPostFinished,
	ActivityApplyRefund, ActivityQueryRefund, ActivityPostRefund, ActivityCancelSubsidy, ActivityReturnShare,
	ActivityQueryReturnShare, ActivityPostSharingReturned, ActivityPostCommissionDebt, ActivityNetCommissionDebts,
	ActivityApplySubsidyReturn, ActivityPostSubsidyReturned,
	ActivitySaveOrderView, ActivityCheckConservation, ActivityCheckFrozen,
	ActivityEvaluateRisk, ActivityReleaseRisk, ActivityDeliver, ActivityMarkDeadLetter,
	ActivitySubmitApplyment, ActivityQueryApplyment, ActivityActivateMerchant,
	ActivityReserveWithdrawal, ActivityWithdraw, ActivityQueryWithdraw, ActivityPostWithdrawResult,
	ActivityCheckSettlement,
	ActivityBeginReconcile, ActivityStageBill, ActivityMatchReconcile, ActivityMarkRepaired,
	legacyActivityPaySubsidy, legacyActivityReturnSubsidy,
}
