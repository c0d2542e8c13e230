package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/splitpay/splitpay/money"
)

// What the Temporal UI shows without decoding anything: each workflow's static summary (set when it starts), its
// current details (kept up to date by process.set) and each activity's summary (set by Activity.Start). They
// carry numbers, amounts, counts and channels only — never a name, an account, a phone or an id number — since
// they are stored in the history unsealed.

// Summary is the order's: its number, total, shops and channel.
func (in OrderInput) Summary() string {
	return fmt.Sprintf("order %s · %s yuan · %d shop%s · %s", in.OrderNo, in.Total(), len(in.SubOrders),
		plural(len(in.SubOrders)), in.Channel)
}

// Summary is the sub-order's.
func (in SubOrderInput) Summary() string {
	return fmt.Sprintf("sub-order %s · %s yuan · merchant %s · %s", in.Ref.SubOrderNo, in.Amount, in.Ref.MerchantID,
		in.Ref.Channel)
}

// Summary is the onboarding's: the merchant and the application's number, never the applicant's names.
func (in OnboardingInput) Summary() string {
	return fmt.Sprintf("onboarding merchant %s (application %s) · %s", in.Application.MerchantID,
		in.Application.OutRequestNo, in.Channel)
}

// Summary is the withdrawal's.
func (in WithdrawalInput) Summary() string {
	return fmt.Sprintf("withdrawal %s · %s yuan · merchant %s · %s", in.OutRequestNo, in.Amount, in.MerchantID,
		in.Channel)
}

// Summary is the reconciliation's.
func (in ReconcileInput) Summary() string {
	day := in.Day
	if day == "" {
		day = "the day before the scheduled time"
	}
	return fmt.Sprintf("reconcile %s · %s", in.Channel, day)
}

// Summary names the sub-order an activity works on; inputs that embed SubOrderRef have it.
func (r SubOrderRef) Summary() string { return r.SubOrderNo + " · " + r.Channel }

// Summary is a sharing request's: its number, receivers and amount.
func (in ShareInput) Summary() string {
	var sum money.Amount
	for _, s := range in.Shares {
		sum += s.Amount
	}
	return fmt.Sprintf("%s: %d receiver%s, %s", in.OutOrderNo, len(in.Shares), plural(len(in.Shares)), sum)
}

// Summary is a refund's.
func (in ApplyRefundInput) Summary() string {
	return fmt.Sprintf("%s: %s of %s", in.OutRefundNo, in.Refund, in.SubOrderNo)
}

// Summary is a return's.
func (in ReturnShareInput) Summary() string {
	return fmt.Sprintf("%s: %s of %s", in.OutReturnNo, in.Amount, in.SubOrderNo)
}

// Summary is a withdrawal call's.
func (in WithdrawInput) Summary() string {
	return fmt.Sprintf("%s: %s yuan, merchant %s", in.OutRequestNo, in.Amount, in.MerchantID)
}

// Summary is a step of a reconciliation's.
func (in ReconcileStep) Summary() string {
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", in.Channel, in.Day, in.Bill))
}

// summarised is an input that describes itself for the UI.
type summarised interface{ Summary() string }

// activitySummary is an activity's line in the UI: its name, and what its input says of itself.
func activitySummary(name string, in any) string {
	if s, ok := in.(summarised); ok {
		return name + " " + s.Summary()
	}
	return name
}

// details is the current-details text of a process: its status, what it waits for, and, when it waits for ops,
// the step that failed, its error type and what to do.
func (p *process) details() string {
	d := "**" + p.status + "**"
	if p.waitingFor != "" {
		d += " · waiting for " + p.waitingFor
	}
	if p.status == StatusNeedsAttention && p.lastError != nil {
		d += fmt.Sprintf("\n\n%s failed (%s). Fix the cause (docs/operations.md), then signal %s: "+
			"`POST …/resume` or `temporal workflow signal --name %s`.", p.lastError.Step, p.lastError.Type,
			SignalResume, SignalResume)
	}
	return d
}

// showDetails sets the process's current details in the UI (not a command: replay-safe).
func (p *process) showDetails(ctx workflow.Context) { workflow.SetCurrentDetails(ctx, p.details()) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
