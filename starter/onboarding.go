package starter

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/workflows"
)

// Onboarding is a shop's application and its onboarding on each channel it asked for: each runs on its own and
// reports on its own.
type Onboarding struct {
	OutRequestNo string
	MerchantID   string
	Application  workflows.Application // masked
	Channels     []workflows.OnboardingState
}

// Onboard starts a shop's onboarding on each channel asked for (WeChat Pay when none is), or answers the running
// ones for the same out request number. The application is validated first, field by field, for those channels
// only; the merchant is recorded as onboarding on each, and becomes active — able to sell — on a channel when that
// channel finishes its application. A merchant already active on a channel asked for is a conflict.
func (c *Client) Onboard(ctx context.Context, app workflows.Application, chans []string) (Onboarding, error) {
	if len(chans) == 0 {
		chans = []string{channels.WeChatPay}
	}
	if err := c.checkOnboarding(app, chans); err != nil {
		return Onboarding{}, err
	}
	for _, ch := range chans { // refuse before recording anything: no merchant is left onboarding for nothing
		if m, err := c.Records.Merchant(ctx, ch, app.MerchantID); err == nil && m.Active {
			return Onboarding{}, &ConflictError{Reason: fmt.Sprintf("merchant %s is already active on %s (sub-merchant %s)",
				m.ID, ch, m.SubMchID)}
		}
	}
	for _, ch := range chans {
		if err := c.Records.BeginOnboarding(ctx, ch, app.MerchantID, app.DisplayName); err != nil {
			return Onboarding{}, err
		}
	}
	out := Onboarding{OutRequestNo: app.OutRequestNo, MerchantID: app.MerchantID, Application: app.Masked()}
	for _, ch := range chans {
		attrs := temporal.NewSearchAttributes(
			workflows.AttrStatus.ValueSet(workflows.OnboardingSubmitting),
			workflows.AttrChannel.ValueSet(ch),
			workflows.AttrMerchant.ValueSet([]string{app.MerchantID}),
		)
		in := workflows.OnboardingInput{Channel: ch, Application: app, Settings: c.OnboardingSettings}
		err := c.startOnce(ctx, workflows.OnboardingWorkflowID(app.OutRequestNo, ch), attrs, workflows.Onboarding, in)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return Onboarding{}, &ConflictError{
				Reason: "onboarding " + app.OutRequestNo + " on " + ch + " has ended; use a new out request number",
			}
		}
		if err != nil {
			return Onboarding{}, fromTemporal(err, "start onboarding "+app.OutRequestNo+" on "+ch)
		}
		out.Channels = append(out.Channels, workflows.OnboardingState{OutRequestNo: app.OutRequestNo,
			MerchantID: app.MerchantID, Channel: ch, Status: workflows.OnboardingSubmitting, Application: out.Application})
	}
	return out, nil
}

// checkOnboarding refuses an application a channel asked for would refuse, and a channel this deployment does not
// run (c.Limits names them when set).
func (c *Client) checkOnboarding(app workflows.Application, chans []string) error {
	if err := app.ValidateFor(chans...); err != nil {
		return err
	}
	for i, ch := range chans {
		if _, ok := c.Limits[ch]; c.Limits != nil && !ok {
			return &InputError{Field: fmt.Sprintf("channels[%d]", i), Reason: ch + " is not configured in this deployment"}
		}
	}
	return nil
}

// GetOnboarding answers an application's onboardings, one per channel it asked for (personal data masked): what
// the shop must do next on each.
func (c *Client) GetOnboarding(ctx context.Context, outRequestNo string) (Onboarding, error) {
	out := Onboarding{OutRequestNo: outRequestNo}
	for _, ch := range channels.Names {
		var st workflows.OnboardingState
		err := c.stateOf(ctx, workflows.OnboardingWorkflowID(outRequestNo, ch), workflows.QueryOnboarding, &st)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return Onboarding{}, fromTemporal(err, "onboarding "+outRequestNo+" on "+ch)
		}
		if st.Channel == "" {
			st.Channel = ch // recorded before onboardings named their channel
		}
		out.MerchantID, out.Application = st.MerchantID, st.Application // masked by the workflow
		out.Channels = append(out.Channels, st)
	}
	if len(out.Channels) == 0 {
		return Onboarding{}, fmt.Errorf("onboarding %s: %w", outRequestNo, ErrNotFound)
	}
	return out, nil
}

// stateOf answers a process's state by its query (a finished one's too: the worker replays it).
func (c *Client) stateOf(ctx context.Context, workflowID, query string, out any) error {
	v, err := c.Temporal.QueryWorkflow(ctx, workflowID, "", query)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// CorrectOnboarding sends the shop's corrected application to each of its onboardings that was rejected; each
// resubmits it to its channel. None rejected is a conflict.
func (c *Client) CorrectOnboarding(
	ctx context.Context,
	outRequestNo string,
	app workflows.Application,
) (Onboarding, error) {
	app.OutRequestNo = outRequestNo
	cur, err := c.GetOnboarding(ctx, outRequestNo)
	if err != nil {
		return Onboarding{}, err
	}
	var rejected []string
	for _, st := range cur.Channels {
		if st.Status == workflows.OnboardingRejected {
			rejected = append(rejected, st.Channel)
		}
	}
	if len(rejected) == 0 {
		return Onboarding{}, &ConflictError{Reason: "onboarding " + outRequestNo +
			" has no rejected application to correct; corrections are taken after a rejection"}
	}
	if err := app.ValidateFor(rejected...); err != nil {
		return Onboarding{}, err
	}
	for i, st := range cur.Channels {
		if !slices.Contains(rejected, st.Channel) {
			continue
		}
		h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.OnboardingWorkflowID(outRequestNo, st.Channel),
			UpdateName: workflows.UpdateCorrectApplication, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{app}})
		if err == nil {
			err = h.Get(ctx, &cur.Channels[i])
		}
		if err != nil {
			return Onboarding{}, fromTemporal(err, "correct onboarding "+outRequestNo+" on "+st.Channel)
		}
	}
	return cur, nil
}

// ApplicationNotified delivers a verified audit notification to the application's onboarding on the channel,
// which then asks the channel at once. The inbox keeps it once; duplicates are signalled too and cost one query.
func (c *Client) ApplicationNotified(
	ctx context.Context,
	channel string,
	n channels.Notification,
	a channels.ApplicationNotice,
) (isNew bool, err error) {
	notice := workflows.ApplicationNotice{NotificationID: n.ID, ApplicationID: a.ApplicationID, State: a.State}
	return c.recordAndSignal(ctx, channel, n, workflows.OnboardingWorkflowID(a.OutRequestNo, channel),
		workflows.SignalApplicationNotified, notice)
}
