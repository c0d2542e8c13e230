package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
)

// Onboarding carries a shop's application through the channel (二级商户进件): submit, then poll the state with
// backoff, surfacing what the shop must do — verify its bank account, sign — and, on REJECTED, wait for its
// corrections (the CorrectApplication update) and resubmit under the same out request number, keeping each
// attempt. On FINISH the merchant becomes active on the channel with its sub-merchant id; with no FINISH by the
// give-up time the onboarding ends GAVE_UP. One onboarding runs per channel. WeChat Pay sends no notification
// for applications, so it is polled; Alipay notifies the audit's end (SignalApplicationNotified), which makes the
// onboarding ask at once, and the polling finds a notification that was lost.
func Onboarding(ctx workflow.Context, in OnboardingInput) (OnboardingState, error) {
	o := &onboarding{in: in, app: in.Application}
	if err := o.setup(ctx); err != nil {
		return OnboardingState{}, err
	}
	return o.run(ctx)
}

type onboarding struct {
	process
	in        OnboardingInput
	app       Application
	corrected bool // a correction arrived since the last rejection
	last      ApplymentStatus
	attempts  []OnboardingAttempt
	giveUpAt  time.Time
	notices   int // audit notifications received
}

func (o *onboarding) setup(ctx workflow.Context) error {
	o.in.Settings = o.in.Settings.withDefaults()
	if o.in.Channel == "" {
		o.in.Channel = channels.WeChatPay
	}
	o.process = newProcess(ctx, OnboardingSubmitting)
	if err := o.app.ValidateFor(o.in.Channel); err != nil {
		return invalidApplication(err)
	}
	notified := workflow.GetSignalChannel(ctx, SignalApplicationNotified)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var n ApplicationNotice
			notified.Receive(ctx, &n)
			o.notices++
			o.note(ctx, "channel notified: %s (application %s)", n.State, n.ApplicationID)
		}
	})
	o.giveUpAt = workflow.Now(ctx).Add(o.in.Settings.GiveUpAfter)
	state := func() (OnboardingState, error) { return o.state(), nil }
	if err := workflow.SetQueryHandler(ctx, QueryOnboarding, state); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCorrectApplication,
		func(ctx workflow.Context, a Application) (OnboardingState, error) {
			o.app, o.corrected = a, true
			o.note(ctx, "corrections received")
			return o.state(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, a Application) error {
			switch {
			case o.status != OnboardingRejected:
				return invalidApplication(
					&InputError{"status", "corrections are taken after a rejection; the application is " + o.status},
				)
			case a.OutRequestNo != o.app.OutRequestNo || a.MerchantID != o.app.MerchantID:
				return invalidApplication(
					&InputError{"out_request_no", "a correction keeps the out request number and merchant id"},
				)
			}
			if err := a.ValidateFor(o.in.Channel); err != nil {
				return invalidApplication(err)
			}
			return nil
		}})
}

func (o *onboarding) state() OnboardingState {
	return OnboardingState{
		OutRequestNo:       o.app.OutRequestNo,
		MerchantID:         o.app.MerchantID,
		Channel:            o.in.Channel,
		Status:             o.status,
		WaitingFor:         o.waitingFor,
		ChannelState:       o.last.State,
		StateDesc:          o.last.StateDesc,
		ApplymentID:        o.last.ApplymentID,
		Application:        o.app.Masked(),
		AccountValidation:  o.last.AccountValidation,
		LegalValidationURL: o.last.LegalValidationURL,
		SignURL:            o.last.SignURL,
		Rejections: slices.Clone(
			o.last.Rejections,
		),
		SubMchID:  o.last.SubMchID,
		Attempts:  slices.Clone(o.attempts),
		GiveUpAt:  o.giveUpAt,
		LastError: o.lastError,
		Timeline:  slices.Clone(o.timeline),
	}
}

func (o *onboarding) run(ctx workflow.Context) (OnboardingState, error) {
	for {
		state := channels.ApplymentRejected // the channel refused the submission itself
		if o.submit(ctx) {
			state = o.track(ctx)
		}
		switch state {
		case channels.ApplymentFinish:
			o.activate(ctx)
			awaitHandlers(ctx)
			return o.state(), nil
		case channels.ApplymentRejected:
			if o.awaitCorrections(ctx) {
				continue
			}
		}
		o.attempts[len(o.attempts)-1].Outcome = OnboardingGaveUp
		o.note(ctx, "gave up: no FINISH by %s", o.giveUpAt.Format(time.RFC3339))
		o.set(ctx, OnboardingGaveUp, "")
		awaitHandlers(ctx)
		return o.state(), nil
	}
}

// submit sends the application. A channel that refuses it outright (PARAM_ERROR, INVALID_REQUEST: a field it
// will not take) is a rejection the shop corrects like an audit's, so submit answers false; other failures wait
// for ops (NEEDS_ATTENTION) and are retried with the same data.
func (o *onboarding) submit(ctx workflow.Context) bool {
	o.set(ctx, OnboardingSubmitting, "channel:submit")
	o.corrected = false
	o.attempts = append(o.attempts, OnboardingAttempt{N: len(o.attempts) + 1, SubmittedAt: workflow.Now(ctx)})
	refused := false
	o.attempt(ctx, "submit", func() error {
		sub, err := ActivitySubmitApplyment.Run(channelOptions(ctx), SubmitApplymentInput{
			Channel:     o.in.Channel,
			Application: o.app,
		})
		if err == nil {
			o.last.ApplymentID = sub.ApplymentID
		}
		if r, ok := channelRejection(err); ok && r.Reason == channels.ReasonInvalid {
			field := r.Field
			if field == "" {
				field = "application"
			}
			o.last = ApplymentStatus{
				ApplymentID: o.last.ApplymentID,
				State:       channels.ApplymentRejected,
				StateDesc:   "the channel refused the submission",
				Rejections:  []channels.Rejection{{Field: field, Reason: r.Message}},
			}
			refused = true
			return nil
		}
		return err
	})
	if refused {
		return false
	}
	o.note(ctx, "application submitted (attempt %d)", len(o.attempts))
	return true
}

// track polls the application until it finishes, is rejected, or the give-up time passes (answering ""). A
// notification cuts the wait short: the state is asked for at once.
func (o *onboarding) track(ctx workflow.Context) string {
	b := newBackoff(o.in.Settings.PollFirst, o.in.Settings.PollMax)
	for {
		seen := o.notices
		var st ApplymentStatus
		o.attempt(ctx, "query", func() error {
			return ActivityQueryApplyment.Start(channelOptions(ctx), QueryApplymentInput{Channel: o.in.Channel,
				OutRequestNo: o.app.OutRequestNo}).Get(ctx, &st)
		})
		if st.State != o.last.State {
			b.reset()
			o.note(ctx, "channel: %s %s", st.State, st.StateDesc)
		}
		o.last = st
		switch st.State {
		case channels.ApplymentFinish, channels.ApplymentRejected:
			return st.State
		case channels.ApplymentAccountVerify:
			o.set(ctx, OnboardingAccountVerify, "shop:account-verification")
		case channels.ApplymentNeedSign:
			o.set(ctx, OnboardingNeedSign, "shop:sign")
		case channels.ApplymentFrozen:
			o.set(ctx, OnboardingFrozen, "ops:frozen")
		default:
			o.set(ctx, OnboardingReviewing, "channel:review")
		}
		if waited, err := b.waitUntil(ctx, o.giveUpAt, func() bool { return o.notices > seen }); !waited || err != nil {
			return ""
		}
	}
}

// awaitCorrections records the rejection and waits for the shop's corrections until the give-up time.
func (o *onboarding) awaitCorrections(ctx workflow.Context) bool {
	a := &o.attempts[len(o.attempts)-1]
	a.Outcome, a.Rejections = OnboardingRejected, slices.Clone(o.last.Rejections)
	for _, r := range o.last.Rejections {
		o.note(ctx, "rejected: %s — %s", r.Field, r.Reason)
	}
	o.set(ctx, OnboardingRejected, "shop:corrections")
	ok, _ := workflow.AwaitWithTimeout(
		ctx,
		max(o.giveUpAt.Sub(workflow.Now(ctx)), 0),
		func() bool { return o.corrected },
	)
	return ok
}

func (o *onboarding) activate(ctx workflow.Context) {
	o.attempts[len(o.attempts)-1].Outcome = channels.ApplymentFinish
	o.attempt(ctx, "activate", func() error {
		return ActivityActivateMerchant.Start(ledgerOptions(ctx), ActivateMerchantInput{Channel: o.in.Channel,
			MerchantID: o.app.MerchantID, SubMchID: o.last.SubMchID, DisplayName: o.app.DisplayName}).Get(ctx, nil)
	})
	o.note(ctx, "active on %s: sub-merchant %s", o.in.Channel, o.last.SubMchID)
	o.set(ctx, OnboardingActive, "")
}
