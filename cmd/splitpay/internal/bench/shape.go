package bench

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/splitpay/splitpay/workflows"
)

// shape is what a workflow's history costs: its events, the activities it scheduled, and its Temporal actions
// as Temporal Cloud bills them (billing below).
type shape struct{ events, activities, locals, actions int }

// billing counts a history's Temporal actions the way Temporal Cloud's Actions page bills them: the workflow's
// start; a child's start twice over (the parent's intent, here, and the child's own start, in its history); each
// activity attempt; all the local activities of one workflow task as one; each signal, update and timer; each
// search-attribute upsert except one that only sets TemporalChangeVersion; a memo change. Version markers and
// queries are not billed or leave no event.
type billing struct {
	actions     int
	localGroups map[int64]bool // workflow tasks that ran local activities
}

func (b *billing) add(ev *historypb.HistoryEvent) {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		b.actions += int(max(ev.GetActivityTaskStartedEventAttributes().GetAttempt(), 1))
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
		enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
		b.actions++
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		fields := ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()
		if _, onlyVersion := fields["TemporalChangeVersion"]; !onlyVersion || len(fields) > 1 {
			b.actions++
		}
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		m := ev.GetMarkerRecordedEventAttributes()
		if m.GetMarkerName() == "LocalActivity" && !b.localGroups[m.GetWorkflowTaskCompletedEventId()] {
			b.localGroups[m.GetWorkflowTaskCompletedEventId()] = true
			b.actions++
		}
	}
}

// historyShape reads a workflow's history and answers its shape.
func historyShape(ctx context.Context, tc client.Client, id string) (shape, error) {
	var s shape
	b := billing{localGroups: map[int64]bool{}}
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return shape{}, err
		}
		s.events++
		b.add(ev)
		switch {
		case ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			s.activities++
		case ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity":
			s.locals++
		}
	}
	s.actions = b.actions
	return s, nil
}

// measureShape averages the history events and activities of the first orders' workflows (the order and its
// two sub-orders).
func measureShape(ctx context.Context, tc client.Client, o Options, r *Result) error {
	sample := min(o.Orders, 10)
	for i := range sample {
		no := fmt.Sprintf("%s%05d", o.Prefix, i)
		ids := []string{
			workflows.OrderWorkflowID(no), workflows.SubOrderWorkflowID(no, 1),
			workflows.SubOrderWorkflowID(no, 2),
		}
		for _, id := range ids {
			s, err := historyShape(ctx, tc, id)
			if err != nil {
				return err
			}
			r.HistoryEvents += float64(s.events) / float64(sample)
			r.Activities += float64(s.activities) / float64(sample)
			r.LocalActivities += float64(s.locals) / float64(sample)
			r.Actions += float64(s.actions) / float64(sample)
		}
	}
	return nil
}
