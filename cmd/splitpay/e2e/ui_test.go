package e2e

import (
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/workflows"
)

// What ops read in the Temporal UI without the codec: each workflow's summary, its current details (what it waits
// for; for one stopped for ops, the failed step and what to do), and each activity's summary — all readable with
// a client that holds no payload key, while inputs and results stay sealed.
func TestTheUITellsTheStoryWithoutTheCodec(t *testing.T) {
	h := start(t, uiSettings())
	plain := testenv.PlainTemporalClient(t)
	done, stuck := h.completedAndStuck()
	for id, want := range map[string][]string{
		workflows.OrderWorkflowID(done):       {"order " + done, "yuan · 2 shops · wechatpay"},
		workflows.SubOrderWorkflowID(done, 1): {"sub-order " + done + "-sub1", "yuan · merchant m1 · wechatpay"},
	} {
		d, err := plain.DescribeWorkflowExecution(t.Context(), id, "")
		summary := withoutKeys(t, d.GetExecutionConfig().GetUserMetadata().GetSummary())
		if err != nil || !strings.Contains(summary, want[0]) || !strings.Contains(summary, want[1]) {
			t.Errorf("%s: summary %q (%v), want %v", id, summary, err, want)
		}
		if details := currentDetails(t, plain, id); !strings.Contains(details, workflows.StatusCompleted) {
			t.Errorf("%s: current details %q", id, details)
		}
	}
	activitiesHaveSummaries(t, plain, workflows.SubOrderWorkflowID(done, 1))
	details := currentDetails(t, plain, workflows.OrderWorkflowID(stuck))
	t.Logf("a stuck order's details: %s", details)
	for _, want := range []string{workflows.StatusNeedsAttention, "ChannelRejected.ORDER_NOT_EXIST", "failed",
		workflows.SignalResume} {
		if !strings.Contains(details, want) {
			t.Errorf("a stuck order's details %q lack %q", details, want)
		}
	}
	savedViewsFind(t, plain, workflows.OrderWorkflowID(stuck))
}

// savedViewsFind: every saved view is a query the server takes, and "needs attention" lists the stuck order.
func savedViewsFind(t *testing.T, c client.Client, stuck string) {
	t.Helper()
	for _, v := range workflows.SavedViews(time.Now(), 10) {
		found := false
		for end := time.Now().Add(15 * time.Second); !found; time.Sleep(300 * time.Millisecond) {
			resp, err := c.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: v.Query,
				PageSize: 1000})
			if err != nil {
				t.Fatalf("saved view %q: %v", v.Name, err)
			}
			for _, e := range resp.GetExecutions() {
				found = found || e.GetExecution().GetWorkflowId() == stuck
			}
			if v.Name != "needs attention" || time.Now().After(end) {
				break
			}
		}
		if v.Name == "needs attention" && !found {
			t.Errorf("the view %q does not list %s", v.Query, stuck)
		}
	}
}

// uiSettings: a payment window short enough for an order whose payment is lost to stop for ops in seconds.
func uiSettings() workflows.OrderSettings {
	settings := fastSettings
	settings.PaymentWindow, settings.QueryAfter = 5*time.Second, time.Second
	return settings
}

// completedAndStuck runs two orders: one to completion, and one whose payment the channel lost (its notification
// dropped, its query and close answering "no such order"), which stops for ops.
func (h *harness) completedAndStuck() (done, stuck string) {
	done, stuck = h.orderNo(1), h.orderNo(2)
	h.paidCart(done)
	h.waitFor(done, 60*time.Second, "completed", completed)
	h.s.Sim.SetFaults(wxsim.Faults{DropNotifications: true, UnknownOrders: map[string]bool{stuck: true}})
	h.paidCart(stuck)
	h.waitFor(stuck, 30*time.Second, "stopped for ops", func(v api.OrderView) bool {
		return v.Status == workflows.StatusNeedsAttention
	})
	h.s.Sim.SetFaults(wxsim.Faults{})
	return done, stuck
}

// withoutKeys decodes a payload as a client without keys does (a sealed one does not decode).
func withoutKeys(t *testing.T, p *commonpb.Payload) string {
	t.Helper()
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return "<unreadable: " + err.Error() + ">"
	}
	return s
}

// currentDetails asks a workflow's metadata, as the UI does, with a client that holds no payload key.
func currentDetails(t *testing.T, c client.Client, id string) string {
	t.Helper()
	v, err := c.QueryWorkflow(t.Context(), id, "", "__temporal_workflow_metadata")
	var md sdkpb.WorkflowMetadata
	if err == nil {
		err = v.Get(&md)
	}
	if err != nil {
		t.Fatalf("metadata of %s: %v", id, err)
	}
	return md.GetCurrentDetails()
}

// activitiesHaveSummaries: every activity the workflow ran, scheduled or local, carries a summary naming it,
// readable without keys, while what it carries stays sealed: a scheduled one's input, a local one's result.
func activitiesHaveSummaries(t *testing.T, c client.Client, id string) {
	t.Helper()
	names := map[string]bool{}
	for _, e := range workflows.Contract {
		names[e.ActivityName()] = true
	}
	n := 0
	for _, ev := range history(t, c, id).Events {
		var sealed []*commonpb.Payload
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			sealed = ev.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads()
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			m := ev.GetMarkerRecordedEventAttributes()
			if m.GetMarkerName() != "LocalActivity" {
				continue
			}
			sealed = m.GetDetails()["result"].GetPayloads()
		default:
			continue
		}
		n++
		summary := withoutKeys(t, ev.GetUserMetadata().GetSummary())
		name, _, _ := strings.Cut(summary, " ")
		if !names[name] || len(sealed) != 1 || withoutKeys(t, sealed[0])[0] != '<' {
			t.Errorf("%s: event %d summary %q, payload readable %v", id, ev.GetEventId(), summary,
				len(sealed) == 1 && withoutKeys(t, sealed[0])[0] != '<')
		}
	}
	if n < 3 {
		t.Errorf("%s ran %d activities", id, n)
	}
}
