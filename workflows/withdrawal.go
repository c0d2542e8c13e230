package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
)

// Withdrawal moves a merchant's available funds to its bank account: reserve them in the ledger (refused
// beyond the available balance, so two withdrawals cannot spend the same money), ask the channel with the
// caller's out request number (INIT: ask again, identically), poll to SUCCESS, FAIL or CLOSE and post it,
// then keep watching a while for the bank's bounce (REFUND), which makes the money available again.
func Withdrawal(ctx workflow.Context, in WithdrawalInput) (WithdrawalState, error) {
	w := &withdrawal{in: in}
	w.in.Settings = in.Settings.withDefaults()
	w.process = newProcess(ctx, WithdrawalRequested)
	w.adoptChanges(ctx)
	if err := in.Validate(); err != nil {
		ie := err.(*InputError)
		return WithdrawalState{}, temporal.NewNonRetryableApplicationError(
			ie.Error(),
			ErrTypeWithdrawalRefused,
			nil,
			*ie,
		)
	}
	w.requestedAt = workflow.Now(ctx)
	state := func() (WithdrawalState, error) { return w.state(), nil }
	if err := workflow.SetQueryHandler(ctx, QueryWithdrawal, state); err != nil {
		return WithdrawalState{}, err
	}
	return w.run(ctx)
}

type withdrawal struct {
	process
	in          WithdrawalInput
	st          WithdrawStatus
	requestedAt time.Time
}

func (w *withdrawal) state() WithdrawalState {
	return WithdrawalState{
		MerchantID:   w.in.MerchantID,
		OutRequestNo: w.in.OutRequestNo,
		Amount:       w.in.Amount,
		Status:       w.status,
		WaitingFor:   w.waitingFor,
		WithdrawID:   w.st.WithdrawID,
		ChannelState: w.st.Status,
		Reason:       w.st.Reason,
		RequestedAt:  w.requestedAt,
		LastError:    w.lastError,
		Timeline:     slices.Clone(w.timeline),
	}
}

func (w *withdrawal) call() WithdrawInput {
	return WithdrawInput{
		Channel:      w.in.Channel,
		MerchantID:   w.in.MerchantID,
		SubMchID:     w.in.SubMchID,
		OutRequestNo: w.in.OutRequestNo,
		Amount:       w.in.Amount,
		Remark:       w.in.Remark,
	}
}

func (w *withdrawal) run(ctx workflow.Context) (WithdrawalState, error) {
	// Reserve first: more than the available balance ends the withdrawal with nothing moved.
	refused := false
	w.attempt(ctx, "reserve", func() error {
		err := ActivityReserveWithdrawal.Start(w.ledger(ctx), w.call()).Get(ctx, nil)
		if errorType(err) == ErrTypeLedgerRejected+".Overdraw" {
			refused, w.st.Reason = true, "more than the available balance"
			return nil
		}
		return err
	})
	if refused {
		w.note(ctx, "refused: %s is more than the available balance", w.in.Amount)
		w.set(ctx, WithdrawalRefused, "")
		return w.state(), nil
	}
	w.note(ctx, "%s reserved from the available balance", w.in.Amount)
	w.checkSettlement(ctx)
	w.set(ctx, WithdrawalRequested, "channel:withdraw")
	cctx := channelOptions(ctx)
	w.attempt(ctx, "withdraw", func() error {
		if err := ActivityWithdraw.Start(cctx, w.call()).Get(ctx, &w.st); err != nil {
			if r, ok := channelRejection(err); ok {
				// The channel did not take the request: nothing left the account, so the reservation is released.
				w.st = WithdrawStatus{Status: WithdrawalFailed, Reason: r.Code + ": " + r.Message}
				return nil
			}
			return err
		}
		_, err := poll(ctx, w.poll(), nil, func() (WithdrawStatus, error) {
			if err := ActivityQueryWithdraw.Start(cctx, w.call()).Get(ctx, &w.st); err != nil || w.st.Status != channels.WithdrawInit {
				return w.st, err
			}
			// Not accepted yet: the identical request again, then ask again (whatever it answered).
			seen := w.st
			return seen, ActivityWithdraw.Start(cctx, w.call()).Get(ctx, &w.st)
		}, func(st WithdrawStatus) bool { return withdrawalFinal(st.Status) })
		return err
	})
	w.post(ctx, w.st.Status)
	if w.st.Status == WithdrawalSucceeded {
		w.watchForBounce(ctx)
	}
	return w.state(), nil
}

func (w *withdrawal) poll() *backoff {
	return newBackoff(w.in.Settings.PollFirst, w.in.Settings.PollMax)
}

// withdrawalFinal says whether a channel state ends the withdrawal (a bounce may still follow SUCCESS).
func withdrawalFinal(status string) bool {
	switch status {
	case WithdrawalSucceeded, WithdrawalFailed, WithdrawalClosed, WithdrawalBounced:
		return true
	}
	return false
}

// post books an outcome; SUCCESS → withdrawn, FAIL/CLOSE → available again, REFUND → from withdrawn back.
func (w *withdrawal) post(ctx workflow.Context, status string) {
	in := w.call()
	in.Status = status
	w.attempt(ctx, "post "+status, func() error {
		return ActivityPostWithdrawResult.Start(w.ledger(ctx), in).Get(ctx, nil)
	})
	what := map[string]string{WithdrawalSucceeded: "paid to the bank", WithdrawalFailed: "failed: available again",
		WithdrawalClosed: "closed: available again", WithdrawalBounced: "bounced by the bank: available again"}[status]
	w.note(ctx, "%s %s (%s)", w.in.Amount, what, w.st.Reason)
	w.set(ctx, status, "")
}

// watchForBounce keeps asking after SUCCESS until BounceWatch passes; a REFUND is posted back to available.
func (w *withdrawal) watchForBounce(ctx workflow.Context) {
	end := workflow.Now(ctx).Add(w.in.Settings.BounceWatch)
	b := w.poll()
	w.set(ctx, WithdrawalSucceeded, "bank:bounce-watch")
	for {
		if waited, _ := b.waitUntil(ctx, end, nil); !waited {
			w.set(ctx, WithdrawalSucceeded, "")
			return
		}
		var st WithdrawStatus
		w.attempt(ctx, "bounce check", func() error {
			return ActivityQueryWithdraw.Start(channelOptions(ctx), w.call()).Get(ctx, &st)
		})
		if st.Status == WithdrawalBounced {
			w.st = st
			w.post(ctx, WithdrawalBounced)
			return
		}
	}
}

// checkSettlement reads the account the money is about to go to (since "settlement-check"): one changed within
// the last week raises an alert (a metric and a risk.alert event, in the activity) and a timeline line. It
// never stops the withdrawal: the shop may well have changed banks.
func (w *withdrawal) checkSettlement(ctx workflow.Context) {
	if w.version(ctx, "settlement-check") == workflow.DefaultVersion {
		return
	}
	chk, err := ActivityCheckSettlement.Run(callerWaitsOptions(ctx), w.call())
	switch {
	case err != nil:
		w.note(ctx, "the settlement account could not be read (%s): withdrawing without the check", errorType(err))
	case chk.Recent:
		w.note(ctx, "ALERT: the settlement account changed at %s, shortly before this withdrawal",
			chk.ChangedAt.Format(time.RFC3339))
	}
}
