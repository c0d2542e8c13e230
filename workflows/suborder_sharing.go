package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/channels"
)

// share sends the plan's batches one by one, each under its own out-number, and waits for each result.
func (s *subOrder) share(ctx workflow.Context) {
	s.attempt(ctx, "plan", func() error {
		p, err := PlanSharing(
			SharingPlanInput{
				Paid:                   s.in.Amount,
				Subsidy:                s.subsidyPaid,
				Refunded:               s.refunded,
				Rules:                  s.in.Commissions,
				MaxRatio:               s.in.Limits.MaxRatio,
				MaxReceiversPerRequest: s.in.Limits.MaxReceiversPerRequest,
				MaxRequests:            s.in.Limits.MaxRequests,
			},
		)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePlan, err)
		}
		s.plan = p
		return nil
	})
	batches := s.plan.Batches
	if s.version(ctx, "debt-netting") == 1 {
		batches = s.netDebts(ctx)
	}
	for k, shares := range batches {
		s.batches = append(
			s.batches,
			SharingBatch{OutOrderNo: fmt.Sprintf("%s-share%d", s.in.Ref.SubOrderNo, k+1), Shares: shares},
		)
	}
	for k := range s.batches {
		s.shareBatch(ctx, &s.batches[k])
	}
}

// netDebts withholds from each person's share what it owes this merchant for earlier clawbacks, and answers
// the batches that pay the rest. The plan keeps each person's whole share: that is what it earned (and what a
// later clawback is measured against); the withheld part stays with the merchant, unfrozen at finish.
func (s *subOrder) netDebts(ctx workflow.Context) [][]PlannedShare {
	var persons []PlannedShare
	for _, p := range s.plan.Shares {
		if p.Type == ReceiverPersonal {
			persons = append(persons, p)
		}
	}
	if len(persons) == 0 {
		return s.plan.Batches
	}
	s.attempt(ctx, "net debts", func() error {
		net, err := ActivityNetCommissionDebts.Run(
			s.ledger(ctx),
			NetDebtsInput{SubOrderRef: s.in.Ref, Shares: persons},
		)
		s.nettings = net.Nettings
		return err
	})
	if len(s.nettings) == 0 {
		return s.plan.Batches
	}
	var cash []PlannedShare
	for _, p := range s.plan.Shares {
		p.Amount -= s.netted(p.ReceiverID)
		if p.Amount > 0 {
			cash = append(cash, p)
		}
	}
	for _, n := range s.nettings {
		s.note(
			ctx,
			"%s of %s's commission withheld against its debt to the merchant (%s)",
			n.Amount,
			n.ReceiverID,
			n.NettingID,
		)
	}
	return batch(cash, s.in.Limits.MaxReceiversPerRequest)
}

func (s *subOrder) shareBatch(ctx workflow.Context, b *SharingBatch) {
	cctx := s.settlement(ctx)
	qctx := s.local(channelOptions(ctx), "local-queries")
	in := ShareInput{SubOrderRef: s.in.Ref, OutOrderNo: b.OutOrderNo, Shares: b.Shares}
	var st ShareStatus
	finished := func(st ShareStatus) bool { b.Status = st.Status; return st.Status == channels.SharingFinished }
	s.attempt(ctx, "share "+b.OutOrderNo, func() (err error) {
		if st, err = ActivityShare.Run(cctx, in); err != nil {
			return err
		}
		b.OrderID = st.OrderID
		if !finished(st) && s.version(ctx, "share-query-at-once") == 1 {
			if st, err = ActivityQueryShare.Run(qctx, in); err != nil { // most requests settle within moments
				return err
			}
		}
		if !finished(st) { // PROCESSING can last: ask again with backoff
			st, err = poll(
				ctx,
				s.sharePoll(),
				nil,
				func() (ShareStatus, error) { return ActivityQueryShare.Run(qctx, in) },
				finished,
			)
		}
		return err
	})
	b.Results = st.Receivers
	succeeded, failed := splitResults(b.Shares, st.Receivers)
	b.Failed = failed
	for _, f := range failed {
		s.note(
			ctx,
			"receiver %s closed by the channel (%s): its %s stays with the merchant",
			f.Account,
			f.FailReason,
			f.Amount,
		)
	}
	if len(succeeded) == 0 {
		return
	}
	lctx := s.ledger(ctx)
	s.attempt(ctx, "post "+b.OutOrderNo, func() error {
		return ActivityPostSharing.Start(lctx, PostSharingInput{SubOrderRef: s.in.Ref, SharingOrderID: st.OrderID,
			Shares: succeeded}).Get(ctx, nil)
	})
	for _, p := range succeeded {
		s.shared += p.Amount
	}
	s.note(ctx, "%s settled: %d receiver(s) paid, %d closed", b.OutOrderNo, len(succeeded), len(failed))
}

// sharePoll is the schedule for asking about sharing requests and returns.
func (s *subOrder) sharePoll() *backoff {
	return newBackoff(s.in.Settings.SharePollFirst, s.in.Settings.SharePollMax)
}

// splitResults splits a finished request's planned shares into those the channel paid and those it closed.
// Receivers are matched by account and amount, each result used once.
func splitResults(
	planned []PlannedShare,
	results []ShareReceiverStatus,
) (succeeded []PlannedShare, failed []ShareReceiverStatus) {
	used := make([]bool, len(results))
	for _, p := range planned {
		for i, r := range results {
			if used[i] || r.Account != p.Account || r.Amount != p.Amount {
				continue
			}
			used[i] = true
			if r.Result == channels.ReceiverSuccess {
				succeeded = append(succeeded, p)
			} else {
				failed = append(failed, r)
			}
			break
		}
	}
	return succeeded, failed
}

func (s *subOrder) finish(ctx workflow.Context) {
	s.processRefunds(ctx) // refunds asked during sharing, now that every request has settled
	s.finishing = true
	s.set(ctx, StatusFinishing, "channel:finish")
	if s.nothingSettled() {
		s.finished = true
		s.note(ctx, "refunded in full before settlement: nothing to release")
		return
	}
	if s.version(ctx, "finish-precheck") == 1 {
		s.checkFrozen(ctx, "check frozen before finish") // what finish unfreezes must be what the books hold frozen
	}
	cctx, lctx := s.settlement(ctx), s.ledger(ctx)
	var res FinishResult
	s.attempt(ctx, "finish", func() error {
		return ActivityFinish.Start(cctx, FinishInput{SubOrderRef: s.in.Ref, OutOrderNo: s.in.Ref.SubOrderNo + "-finish",
			Description: "order completed"}).
			Get(ctx, &res)
	})
	if res.Amount > 0 {
		s.attempt(ctx, "post-finish", func() error {
			return ActivityPostFinished.Start(lctx, PostFinishedInput{SubOrderRef: s.in.Ref, FinishOrderID: res.OrderID,
				Amount: res.Amount}).Get(ctx, nil)
		})
	}
	s.settled, s.finished = res.Amount, true
	s.note(ctx, "finished: %s unfrozen to the merchant", res.Amount)
}
