package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// process is what every long-running SplitPay workflow keeps about itself: its status and what it waits
// for (mirrored into the search attributes at every change), a timeline for people, and the last error that
// stopped it. The order and sub-order workflows embed it.
type process struct {
	status     string
	waitingFor string
	lastError  *StepError
	timeline   []Event
	resumes    workflow.ReceiveChannel
	requeries  workflow.ReceiveChannel // reconciliation's repairs: a Resume for a step that asks the channel
	bundle     workflow.Version        // the change bundle it runs under (versions.go); DefaultVersion: none
}

func newProcess(ctx workflow.Context, status string) process {
	p := process{status: status, resumes: workflow.GetSignalChannel(ctx, SignalResume),
		requeries: workflow.GetSignalChannel(ctx, SignalRequery)}
	p.showDetails(ctx)
	return p
}

// set changes the status and what the process waits for, and upserts both search attributes.
func (p *process) set(ctx workflow.Context, status, waitingFor string) {
	if status == p.status && waitingFor == p.waitingFor {
		return
	}
	p.status, p.waitingFor = status, waitingFor
	p.showDetails(ctx)
	err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status), AttrWaitingFor.ValueSet(waitingFor),
		AttrStatusSince.ValueSet(workflow.Now(ctx)))
	if err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "error", err)
	}
}

// note adds a line to the timeline.
func (p *process) note(ctx workflow.Context, format string, args ...any) {
	p.timeline = append(p.timeline, Event{At: workflow.Now(ctx), What: fmt.Sprintf(format, args...)})
}

// attempt runs a step until it succeeds. When the step fails for good — a business rejection, or retries
// exhausted — the process goes to NEEDS_ATTENTION with the error for ops, waits for SignalResume, and runs the
// step again (its out-numbers are the same, so the channel sees the same request). The status before the
// failure is restored on success.
func (p *process) attempt(ctx workflow.Context, step string, run func() error) {
	for {
		err := run()
		if err == nil {
			if p.lastError != nil && p.lastError.Step == step {
				p.lastError = nil
			}
			return
		}
		p.lastError = stepError(ctx, step, err)
		p.note(ctx, "%s failed (%s): waiting for ops", step, p.lastError.Type)
		workflow.GetLogger(ctx).Error("step failed; waiting for a Resume signal", "step", step, "error", err)
		p.during(ctx, StatusNeedsAttention, "ops:"+step, func() {
			var r ResumeRequest
			sel := workflow.NewSelector(ctx)
			for _, ch := range []workflow.ReceiveChannel{p.resumes, p.requeries} {
				sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &r) })
			}
			sel.Select(ctx)
			p.note(ctx, "resumed by %s: %s", r.By, r.Reason)
		})
	}
}

// during shows status and what the process waits for while step runs, then restores what was shown before.
func (p *process) during(ctx workflow.Context, status, waitingFor string, step func()) {
	prevStatus, prevWaiting := p.status, p.waitingFor
	p.set(ctx, status, waitingFor)
	step()
	p.set(ctx, prevStatus, prevWaiting)
}

// onSignal handles every signal of a name, for the workflow's life, in a workflow goroutine.
func onSignal[T any](ctx workflow.Context, name string, handle func(T)) {
	ch := workflow.GetSignalChannel(ctx, name)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var v T
			ch.Receive(ctx, &v)
			handle(v)
		}
	})
}

// awaitHandlers lets running update handlers finish before the workflow returns.
func awaitHandlers(ctx workflow.Context) {
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// ResumeRequest is SignalResume's payload.
type ResumeRequest struct {
	By     string
	Reason string
}

// StepError is why a process waits on NEEDS_ATTENTION: which step, and what the channel or ledger said.
type StepError struct {
	Step    string
	Type    string // the activity error's type, e.g. ChannelRejected.NOT_ENOUGH
	Message string
	At      time.Time
}

// Event is a line of a process's timeline, for people.
type Event struct {
	At   time.Time
	What string
}
