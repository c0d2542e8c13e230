// Package starter is the typed Go client that backend services use to start, signal, update and query
// SplitPay's processes. It hides workflow ids, task queues and signal names behind methods, resolves carts
// (package cart) against Records before anything starts, and turns Temporal's errors into the few a caller must
// tell apart: *InputError, ErrNotFound, *ConflictError, *ChannelError. It talks to Temporal only; what it reads
// outside Temporal comes through Records, which the registry implements.
package starter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/workflows"
)

// Client drives SplitPay processes through a Temporal client.
type Client struct {
	Temporal  client.Client
	Records   Records
	relay     chan Pending // StartRelay's queue; nil: notifications are signalled as they come
	TaskQueue string       // defaults to workflows.TaskQueue
	// PublicURL is the API's public base URL: channels send notifications to PublicURL/notify/<channel>/<kind>.
	PublicURL          string
	Settings           workflows.OrderSettings      // zero fields take the workflow defaults
	Limits             map[string]channels.Limits   // by channel; a channel not set has its documented limits
	OnboardingSettings workflows.OnboardingSettings // zero fields take the workflow defaults
	WithdrawalSettings workflows.WithdrawalSettings
	ReconcileSettings  workflows.ReconcileSettings // zero fields take the workflow defaults
}

// Records is what the starter reads and records outside Temporal; *registry.Registry implements it.
type Records interface {
	cart.Directory
	// RecordNotification keeps a verified notification in the inbox with the signal it becomes; isNew is false
	// for a repeat, and delivered says whether the repeated one's signal reached its workflow.
	RecordNotification(ctx context.Context, channel string, n channels.Notification, s Signal) (isNew, delivered bool,
		err error)
	// NotificationDelivered records that a notification's signal reached its workflow.
	NotificationDelivered(ctx context.Context, channel, eventID string) error
	// ClaimUndelivered answers up to limit notifications undelivered for at least olderThan, oldest first, and
	// claims them for hold: no sweep, in this process or another, answers them again until then.
	ClaimUndelivered(ctx context.Context, olderThan, hold time.Duration, limit int) ([]Pending, error)
	// StoredOrder is the orders read model's summary of an order (ErrNotFound when none).
	StoredOrder(ctx context.Context, orderNo string) (workflows.OrderState, error)
	// BeginOnboarding records a merchant-to-be as onboarding on a channel (*ConflictError when it is active there
	// already).
	BeginOnboarding(ctx context.Context, channel, merchantID, displayName string) error
}

func (c *Client) taskQueue() string {
	if c.TaskQueue == "" {
		return workflows.TaskQueue
	}
	return c.TaskQueue
}

// InputError is a request refused before anything started: which field, and why.
type InputError = workflows.InputError

// ErrNotFound: no such order, sub-order, merchant or receiver.
var ErrNotFound = errors.New("not found")

// ConflictError is a request that contradicts what exists: another cart under the same order number, a
// receipt for an order not yet paid.
type ConflictError struct{ Reason string }

func (e *ConflictError) Error() string { return e.Reason }

// ChannelError is the channel's refusal of a request, with its code.
type ChannelError struct {
	Code    string
	Message string
}

func (e *ChannelError) Error() string { return "channel refused: " + e.Code + ": " + e.Message }

// RiskRefusedError is a risk rule's refusal of an order: Rule names it (e.g. daily_amount.total).
type RiskRefusedError struct {
	Rule    string
	Message string
}

func (e *RiskRefusedError) Error() string { return "refused by the risk rule " + e.Message }

// fromTemporal maps the errors a caller must tell apart; the rest are returned wrapped.
func fromTemporal(err error, what string) error {
	if err == nil {
		return nil
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		switch t := ae.Type(); {
		case t == workflows.ErrTypeRiskRefused:
			e := &RiskRefusedError{Message: ae.Message()}
			if ae.HasDetails() {
				_ = ae.Details(&e.Rule)
			}
			return e
		case t == workflows.ErrTypeDifferentCart || t == workflows.ErrTypePaymentWindowPassed ||
			t == workflows.ErrTypeNotInReview:
			return &ConflictError{Reason: ae.Message()}
		case t == workflows.ErrTypeRefundRejected || t == workflows.ErrTypeInvalidApplication ||
			t == workflows.ErrTypeWithdrawalRefused:
			var ie InputError
			if ae.HasDetails() && ae.Details(&ie) == nil && ie.Field != "" {
				return &ie
			}
			return &InputError{Field: "request", Reason: ae.Message()}
		case t == workflows.ErrTypeInvalidOrder:
			return &InputError{Field: "request", Reason: ae.Message()}
		case strings.HasPrefix(t, workflows.ErrTypeChannelRejected+"."):
			return &ChannelError{Code: t[len(workflows.ErrTypeChannelRejected)+1:], Message: ae.Message()}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CheckStack runs a StackCheck workflow and waits for its result; it returns the workflow id either way so
// the caller can open it in the Temporal UI.
func (c *Client) CheckStack(ctx context.Context, requestedBy string) (workflows.StackCheckResult, string, error) {
	id := fmt.Sprintf("%s%d", workflows.StackCheckWorkflowID, time.Now().UnixNano())
	run, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.taskQueue(),
		WorkflowExecutionTimeout: time.Minute,
	}, workflows.StackCheck, workflows.StackCheckInput{RequestedBy: requestedBy})
	if err != nil {
		return workflows.StackCheckResult{}, id, fmt.Errorf("start stack check: %w", err)
	}
	var res workflows.StackCheckResult
	if err := run.Get(ctx, &res); err != nil {
		return res, id, fmt.Errorf("stack check %s: %w", id, err)
	}
	return res, id, nil
}

// Resume tells a process waiting on NEEDS_ATTENTION that ops fixed the cause: it runs the step again.
func (c *Client) Resume(ctx context.Context, workflowID, by, reason string) error {
	if by == "" {
		return &InputError{Field: "by", Reason: "required: who resumes, for the record"}
	}
	desc, err := c.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return fromTemporal(err, "resume "+workflowID)
	}
	info := desc.GetWorkflowExecutionInfo()
	var status string
	if p := info.GetSearchAttributes().GetIndexedFields()[workflows.AttrStatus.GetName()]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &status) // search attributes are never sealed
	}
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || status != workflows.StatusNeedsAttention {
		return &ConflictError{
			Reason: fmt.Sprintf("%s is %s, not waiting for ops: nothing to resume", workflowID, status),
		}
	}
	err = c.Temporal.SignalWorkflow(
		ctx,
		workflowID,
		"",
		workflows.SignalResume,
		workflows.ResumeRequest{By: by, Reason: reason},
	)
	return fromTemporal(err, "resume "+workflowID)
}

// ResumeOrder resumes an order's workflow (subOrder 0) or one of its sub-orders.
func (c *Client) ResumeOrder(ctx context.Context, orderNo string, subOrder int, by, reason string) error {
	id := workflows.OrderWorkflowID(orderNo)
	if subOrder > 0 {
		id = workflows.SubOrderWorkflowID(orderNo, subOrder)
	}
	return c.Resume(ctx, id, by, reason)
}
