package starter

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// Onboard starts a shop's onboarding (or answers the running one for the same out request number). The
// application is validated field by field first; the merchant is recorded as onboarding, and becomes active —
// able to sell — when the channel finishes the application. A merchant already active is a conflict.
func (c *Client) Onboard(ctx context.Context, app workflows.Application) (workflows.OnboardingState, error) {
	if err := app.Validate(); err != nil {
		return workflows.OnboardingState{}, err
	}
	m, err := c.Ledger.GetMerchant(ctx, app.MerchantID)
	switch {
	case err == nil && m.Status == ledger.MerchantActive:
		return workflows.OnboardingState{}, &ConflictError{Reason: fmt.Sprintf("merchant %s is already active (sub_mchid %s)", m.ID, m.SubMchID)}
	case err != nil && !errors.Is(err, ledger.ErrNotFound):
		return workflows.OnboardingState{}, err
	case err != nil:
		if err := c.Ledger.UpsertMerchant(ctx, ledger.Merchant{ID: app.MerchantID, Channel: channels.WeChatPay, Status: ledger.MerchantOnboarding,
			DisplayName: app.DisplayName}); err != nil {
			return workflows.OnboardingState{}, err
		}
	}
	id := workflows.OnboardingWorkflowID(app.OutRequestNo)
	_, err = c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: c.taskQueue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrStatus.ValueSet(workflows.OnboardingSubmitting),
			workflows.AttrChannel.ValueSet(channels.WeChatPay), workflows.AttrMerchant.ValueSet([]string{app.MerchantID}))},
		workflows.Onboarding, workflows.OnboardingInput{Channel: channels.WeChatPay, Application: app, Settings: c.OnboardingSettings})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return workflows.OnboardingState{}, &ConflictError{Reason: "onboarding " + app.OutRequestNo + " has ended; use a new out request number"}
	}
	if err != nil {
		return workflows.OnboardingState{}, fromTemporal(err, "start onboarding "+app.OutRequestNo)
	}
	return workflows.OnboardingState{OutRequestNo: app.OutRequestNo, MerchantID: app.MerchantID, Status: workflows.OnboardingSubmitting,
		Application: app.Masked()}, nil
}

// GetOnboarding answers an onboarding's state (personal data masked): what the shop must do next.
func (c *Client) GetOnboarding(ctx context.Context, outRequestNo string) (workflows.OnboardingState, error) {
	var st workflows.OnboardingState
	err := c.stateOf(ctx, workflows.OnboardingWorkflowID(outRequestNo), workflows.QueryOnboarding, &st)
	return st, fromTemporal(err, "onboarding "+outRequestNo)
}

// stateOf answers a process's state by its query (a finished one's too: the worker replays it).
func (c *Client) stateOf(ctx context.Context, workflowID, query string, out any) error {
	v, err := c.Temporal.QueryWorkflow(ctx, workflowID, "", query)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// CorrectOnboarding sends the shop's corrected application after a rejection; the workflow resubmits it.
func (c *Client) CorrectOnboarding(ctx context.Context, outRequestNo string, app workflows.Application) (workflows.OnboardingState, error) {
	app.OutRequestNo = outRequestNo
	if err := app.Validate(); err != nil {
		return workflows.OnboardingState{}, err
	}
	var st workflows.OnboardingState
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.OnboardingWorkflowID(outRequestNo),
		UpdateName: workflows.UpdateCorrectApplication, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{app}})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, fromTemporal(err, "correct onboarding "+outRequestNo)
}

// RemoveReceiver deletes the receiver at the channel (so nothing more can be shared to it) and marks it
// removed; later orders naming it are refused. Removing twice is done.
func (c *Client) RemoveReceiver(ctx context.Context, id string) (ledger.Receiver, error) {
	r, err := c.Ledger.GetReceiver(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return r, fmt.Errorf("receiver %s: %w", id, ErrNotFound)
	}
	if err != nil || r.Status == ledger.ReceiverRemoved {
		return r, err
	}
	if r.Relation != "PLATFORM" {
		ch, ok := c.Receivers[r.Channel]
		if !ok {
			return r, fmt.Errorf("starter: no %s channel configured to remove receivers", r.Channel)
		}
		err := ch.DeleteReceiver(ctx, channels.ReceiverRegistration{Type: r.Type, Account: r.Account, RelationType: r.Relation})
		var be *channels.BusinessError
		if errors.As(err, &be) && !be.Retryable {
			return r, &ChannelError{Code: be.Code, Message: be.Message}
		}
		if err != nil {
			return r, fmt.Errorf("delete receiver at the channel: %w", err)
		}
	}
	r.Status = ledger.ReceiverRemoved
	return r, c.Ledger.UpsertReceiver(ctx, r)
}

// Balance is a merchant's money at the channel and in the ledger, side by side.
type Balance struct {
	MerchantID       string       `json:"merchant_id"`
	SubMchID         string       `json:"sub_mchid"`
	Available        money.Amount `json:"available"` // at the channel: withdrawable
	Pending          money.Amount `json:"pending"`   // at the channel: frozen until sharing finishes
	LedgerAvailable  money.Amount `json:"ledger_available"`
	LedgerFrozen     money.Amount `json:"ledger_frozen"`
	LedgerWithdrawn  money.Amount `json:"ledger_withdrawn"`
	LedgerReceivable money.Amount `json:"ledger_receivable"` // fronted for persons' clawbacks, netted later
}

func (c *Client) activeMerchant(ctx context.Context, id string) (ledger.Merchant, error) {
	m, err := c.Ledger.GetMerchant(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return m, fmt.Errorf("merchant %s: %w", id, ErrNotFound)
	}
	if err == nil && m.Status != ledger.MerchantActive {
		return m, &ConflictError{Reason: fmt.Sprintf("merchant %s is %s, not active", id, m.Status)}
	}
	return m, err
}

// MerchantBalance reads the merchant's balance at the channel and in the ledger.
func (c *Client) MerchantBalance(ctx context.Context, merchantID string) (Balance, error) {
	m, err := c.activeMerchant(ctx, merchantID)
	if err != nil {
		return Balance{}, err
	}
	ch, ok := c.Funds[m.Channel]
	if !ok {
		return Balance{}, fmt.Errorf("starter: no %s channel configured for balances", m.Channel)
	}
	b, err := ch.Balance(ctx, m.SubMchID)
	if err != nil {
		return Balance{}, fmt.Errorf("balance at the channel: %w", err)
	}
	l, err := c.Ledger.MerchantBalances(ctx, merchantID)
	if err != nil {
		return Balance{}, err
	}
	return Balance{MerchantID: m.ID, SubMchID: m.SubMchID, Available: b.Available, Pending: b.Pending, LedgerAvailable: l[ledger.BucketAvailable],
		LedgerFrozen: l[ledger.BucketFrozen], LedgerWithdrawn: l[ledger.BucketWithdrawn], LedgerReceivable: l[ledger.BucketReceivable]}, nil
}

// WithdrawalRequest asks to move available money to the merchant's bank account.
type WithdrawalRequest struct {
	OutRequestNo string       `json:"out_request_no"` // the caller's: the same number is the same withdrawal
	Amount       money.Amount `json:"amount"`         // fen
	Remark       string       `json:"remark,omitempty" maxlen:"56" text:"free"`
}

// Withdraw starts a withdrawal (or answers the one already under that number). More than the available
// balance is refused by the workflow with nothing moved (status REFUSED).
func (c *Client) Withdraw(ctx context.Context, merchantID string, req WithdrawalRequest) (workflows.WithdrawalState, error) {
	m, err := c.activeMerchant(ctx, merchantID)
	if err != nil {
		return workflows.WithdrawalState{}, err
	}
	in := workflows.WithdrawalInput{Channel: m.Channel, MerchantID: m.ID, SubMchID: m.SubMchID, OutRequestNo: req.OutRequestNo,
		Amount: req.Amount, Remark: req.Remark, Settings: c.WithdrawalSettings}
	if err := in.Validate(); err != nil {
		return workflows.WithdrawalState{}, err
	}
	_, err = c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WithdrawalWorkflowID(m.ID, req.OutRequestNo),
		TaskQueue: c.taskQueue(), WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrStatus.ValueSet(workflows.WithdrawalRequested),
			workflows.AttrChannel.ValueSet(m.Channel), workflows.AttrMerchant.ValueSet([]string{m.ID}), workflows.AttrAmount.ValueSet(int64(req.Amount)))},
		workflows.Withdrawal, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return c.GetWithdrawal(ctx, merchantID, req.OutRequestNo) // finished: answer how it ended
	}
	if err != nil {
		return workflows.WithdrawalState{}, fromTemporal(err, "start withdrawal "+req.OutRequestNo)
	}
	return workflows.WithdrawalState{MerchantID: m.ID, OutRequestNo: req.OutRequestNo, Amount: req.Amount, Status: workflows.WithdrawalRequested}, nil
}

// GetWithdrawal answers a withdrawal's state.
func (c *Client) GetWithdrawal(ctx context.Context, merchantID, outRequestNo string) (workflows.WithdrawalState, error) {
	var st workflows.WithdrawalState
	err := c.stateOf(ctx, workflows.WithdrawalWorkflowID(merchantID, outRequestNo), workflows.QueryWithdrawal, &st)
	return st, fromTemporal(err, "withdrawal "+outRequestNo)
}
