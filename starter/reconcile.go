package starter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/workflows"
)

// MaxBackfillDays bounds one backfill request.
const MaxBackfillDays = 92

// ReconcileRequest asks to reconcile a channel's days, From to To (YYYY-MM-DD, China time, To empty: From only).
type ReconcileRequest struct {
	Channel string `json:"channel"`
	From    string `json:"from"`
	To      string `json:"to,omitempty"`
}

// days checks the request and lists its days, up to today (China time): a day whose bills the channel has not made
// yet waits for them.
func (r ReconcileRequest) days(now time.Time) ([]string, error) {
	if !slices.Contains(channels.Names, r.Channel) {
		return nil, &InputError{Field: "channel", Reason: "one of " + strings.Join(channels.Names, ", ")}
	}
	from, err := time.Parse(time.DateOnly, r.From)
	if err != nil {
		return nil, &InputError{Field: "from", Reason: "a day, YYYY-MM-DD"}
	}
	to := from
	if r.To != "" {
		if to, err = time.Parse(time.DateOnly, r.To); err != nil || to.Before(from) {
			return nil, &InputError{Field: "to", Reason: "a day, YYYY-MM-DD, not before from"}
		}
	}
	today, _ := time.Parse(time.DateOnly, now.In(channels.ChinaTime).Format(time.DateOnly))
	switch {
	case to.After(today) && r.To == "":
		return nil, &InputError{Field: "from", Reason: "not after today (China time)"}
	case to.After(today):
		return nil, &InputError{Field: "to", Reason: "not after today (China time)"}
	case to.Sub(from) >= MaxBackfillDays*24*time.Hour:
		return nil, &InputError{Field: "to", Reason: fmt.Sprintf("at most %d days at once", MaxBackfillDays)}
	}
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return days, nil
}

// Reconcile starts the reconciliation of each requested day. A day reconciled before is reconciled again: the
// same report, nothing posted twice, ops' resolutions kept. A day being reconciled is started afresh (its bills
// read again), so a run waiting for a late bill or for ops can be restarted once the channel has corrected its
// bill. It answers the workflow ids.
func (c *Client) Reconcile(ctx context.Context, req ReconcileRequest) ([]string, error) {
	days, err := req.days(time.Now())
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, day := range days {
		id := workflows.ReconcileWorkflowID(req.Channel, day)
		in := workflows.ReconcileInput{Channel: req.Channel, Day: day, Settings: c.ReconcileSettings}
		_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: id, TaskQueue: c.taskQueue(), StaticSummary: in.Summary(),
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				workflows.AttrStatus.ValueSet(workflows.ReconcileFetching), workflows.AttrChannel.ValueSet(req.Channel)),
		}, workflows.Reconcile, in)
		if err != nil {
			return ids, fromTemporal(err, "start reconciliation "+id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Recheck tells a day's running reconciliation that ops resolved discrepancies: it matches again. A run that has
// ended needs nothing: the report in the ledger already shows the resolution.
func (c *Client) Recheck(ctx context.Context, channel, day string, r workflows.ResumeRequest) error {
	err := c.Temporal.SignalWorkflow(ctx, workflows.ReconcileWorkflowID(channel, day), "", workflows.SignalRecheck, r)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return fromTemporal(err, "recheck reconciliation")
}

// ScheduleOptions say when each channel's daily reconciliation runs.
type ScheduleOptions struct {
	Channels []string      // the configured channels
	At       string        // HH:MM, China time (default 10:30: WeChat Pay's bills come from 10:00)
	Catchup  time.Duration // how far back missed runs are made up after an outage (default 3 days)
	Paused   bool
	IDPrefix string // before each schedule's id: a test's schedules of its own
}

// ApplySchedules creates or updates the daily Reconcile schedule of each channel (idempotent): every day at At,
// China time, overlapping runs skipped, missed ones caught up within Catchup. Each run reconciles the day
// before its scheduled time.
func (c *Client) ApplySchedules(ctx context.Context, o ScheduleOptions) ([]string, error) {
	hour, minute, err := clock(o.At)
	if err != nil {
		return nil, err
	}
	if o.Catchup == 0 {
		o.Catchup = 72 * time.Hour
	}
	var ids []string
	for _, ch := range o.Channels {
		id := o.IDPrefix + workflows.ScheduleReconcileID + ch
		spec := client.ScheduleSpec{TimeZoneName: "Asia/Shanghai",
			Calendars: []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: hour}},
				Minute: []client.ScheduleRange{{Start: minute}}}}}
		in := workflows.ReconcileInput{Channel: ch, Settings: c.ReconcileSettings}
		action := &client.ScheduleWorkflowAction{ID: "reconcile/" + ch + "/scheduled", Workflow: workflows.Reconcile,
			TaskQueue: c.taskQueue(), Args: []any{in}, StaticSummary: in.Summary(),
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrChannel.ValueSet(ch))}
		_, err := c.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id, Spec: spec, Action: action,
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: o.Catchup, Paused: o.Paused,
			Note: "SplitPay's daily reconciliation of " + ch})
		if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			err = c.Temporal.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
				DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
					s := in.Description.Schedule
					s.Spec, s.Action = &spec, action
					if s.Policy == nil {
						s.Policy = &client.SchedulePolicies{}
					}
					s.Policy.Overlap, s.Policy.CatchupWindow = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, o.Catchup
					return &client.ScheduleUpdate{Schedule: &s}, nil
				}})
		}
		if err != nil {
			return ids, fmt.Errorf("schedule %s: %w", id, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// clock reads HH:MM.
func clock(at string) (hour, minute int, err error) {
	if at == "" {
		at = "10:30"
	}
	t, err := time.Parse("15:04", at)
	if err != nil {
		return 0, 0, &InputError{Field: "at", Reason: "a time of day, HH:MM"}
	}
	return t.Hour(), t.Minute(), nil
}
