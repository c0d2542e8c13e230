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

// startOnce starts a process under its id, with its input's summary for the UI, or joins the running one; an id
// whose process has ended is refused (*serviceerror.WorkflowExecutionAlreadyStarted): one business key, one
// process, ever.
func (c *Client) startOnce(ctx context.Context, id string, attrs temporal.SearchAttributes, wf any,
	in interface{ Summary() string },
) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.taskQueue(),
		StaticSummary:            in.Summary(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    attrs,
	}, wf, in)
	return err
}
