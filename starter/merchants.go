package starter

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
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
	if err := c.Records.BeginOnboarding(ctx, app.MerchantID, app.DisplayName); err != nil {
		return workflows.OnboardingState{}, err
	}
	id := workflows.OnboardingWorkflowID(app.OutRequestNo)
	attrs := temporal.NewSearchAttributes(
		workflows.AttrStatus.ValueSet(workflows.OnboardingSubmitting),
		workflows.AttrChannel.ValueSet(channels.WeChatPay),
		workflows.AttrMerchant.ValueSet([]string{app.MerchantID}),
	)
	in := workflows.OnboardingInput{Channel: channels.WeChatPay, Application: app, Settings: c.OnboardingSettings}
	err := c.startOnce(ctx, id, attrs, workflows.Onboarding, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return workflows.OnboardingState{}, &ConflictError{
			Reason: "onboarding " + app.OutRequestNo + " has ended; use a new out request number",
		}
	}
	if err != nil {
		return workflows.OnboardingState{}, fromTemporal(err, "start onboarding "+app.OutRequestNo)
	}
	return workflows.OnboardingState{
		OutRequestNo: app.OutRequestNo,
		MerchantID:   app.MerchantID,
		Status:       workflows.OnboardingSubmitting,
		Application:  app.Masked(),
	}, nil
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
func (c *Client) CorrectOnboarding(
	ctx context.Context,
	outRequestNo string,
	app workflows.Application,
) (workflows.OnboardingState, error) {
	app.OutRequestNo = outRequestNo
	if err := app.Validate(); err != nil {
		return workflows.OnboardingState{}, err
	}
	var st workflows.OnboardingState
	h, err := c.Temporal.UpdateWorkflow(
		ctx,
		client.UpdateWorkflowOptions{WorkflowID: workflows.OnboardingWorkflowID(outRequestNo),
			UpdateName: workflows.UpdateCorrectApplication, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{app}},
	)
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, fromTemporal(err, "correct onboarding "+outRequestNo)
}

// activeMerchant is a merchant that may withdraw: withdrawals exist on WeChat Pay (an Alipay sub-merchant's
// money settles straight to its own Alipay account).
func (c *Client) activeMerchant(ctx context.Context, id string) (cart.Merchant, error) {
	m, err := c.Records.Merchant(ctx, channels.WeChatPay, id)
	if errors.Is(err, cart.ErrUnknown) {
		return m, fmt.Errorf("merchant %s: %w", id, ErrNotFound)
	}
	if err == nil && !m.Active {
		return m, &ConflictError{Reason: fmt.Sprintf("merchant %s is %s, not active", id, m.Status)}
	}
	return m, err
}

// WithdrawalRequest asks to move available money to the merchant's bank account.
type WithdrawalRequest struct {
	OutRequestNo string       `json:"out_request_no"` // the caller's: the same number is the same withdrawal
	Amount       money.Amount `json:"amount"`         // fen
	Remark       string       `json:"remark,omitempty" maxlen:"56" text:"free"`
}

// Withdraw starts a withdrawal (or answers the one already under that number). More than the available
// balance is refused by the workflow with nothing moved (status REFUSED).
func (c *Client) Withdraw(
	ctx context.Context,
	merchantID string,
	req WithdrawalRequest,
) (workflows.WithdrawalState, error) {
	m, err := c.activeMerchant(ctx, merchantID)
	if err != nil {
		return workflows.WithdrawalState{}, err
	}
	in := workflows.WithdrawalInput{
		Channel:      m.Channel,
		MerchantID:   m.ID,
		SubMchID:     m.SubMchID,
		OutRequestNo: req.OutRequestNo,
		Amount:       req.Amount,
		Remark:       req.Remark,
		Settings:     c.WithdrawalSettings,
	}
	if err := in.Validate(); err != nil {
		return workflows.WithdrawalState{}, err
	}
	attrs := temporal.NewSearchAttributes(
		workflows.AttrStatus.ValueSet(workflows.WithdrawalRequested),
		workflows.AttrChannel.ValueSet(m.Channel),
		workflows.AttrMerchant.ValueSet([]string{m.ID}),
		workflows.AttrAmount.ValueSet(int64(req.Amount)),
	)
	err = c.startOnce(ctx, workflows.WithdrawalWorkflowID(m.ID, req.OutRequestNo), attrs, workflows.Withdrawal, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return c.GetWithdrawal(ctx, merchantID, req.OutRequestNo) // finished: answer how it ended
	}
	if err != nil {
		return workflows.WithdrawalState{}, fromTemporal(err, "start withdrawal "+req.OutRequestNo)
	}
	return workflows.WithdrawalState{
		MerchantID:   m.ID,
		OutRequestNo: req.OutRequestNo,
		Amount:       req.Amount,
		Status:       workflows.WithdrawalRequested,
	}, nil
}

// GetWithdrawal answers a withdrawal's state.
func (c *Client) GetWithdrawal(
	ctx context.Context,
	merchantID, outRequestNo string,
) (workflows.WithdrawalState, error) {
	var st workflows.WithdrawalState
	err := c.stateOf(ctx, workflows.WithdrawalWorkflowID(merchantID, outRequestNo), workflows.QueryWithdrawal, &st)
	return st, fromTemporal(err, "withdrawal "+outRequestNo)
}

// startOnce starts a process under its id, or joins the running one; an id whose process has ended is refused
// (*serviceerror.WorkflowExecutionAlreadyStarted): one business key, one process, ever.
func (c *Client) startOnce(ctx context.Context, id string, attrs temporal.SearchAttributes, wf, in any) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.taskQueue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    attrs,
	}, wf, in)
	return err
}
