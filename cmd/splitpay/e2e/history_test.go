package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/splitpay/splitpay/internal/testenv"
)

// saveHistories writes the workflows' histories as JSON for the replay test (workflows/replay_test.go) when
// SPLITPAY_SAVE_HISTORIES names a directory: run the end-to-end tests with it after changing a workflow on
// purpose, and commit the new files beside the old ones, which must keep replaying.
func (h *harness) saveHistories(name string, workflowIDs ...string) {
	h.t.Helper()
	dir := os.Getenv("SPLITPAY_SAVE_HISTORIES")
	if dir == "" {
		return
	}
	for _, id := range workflowIDs {
		hist := history(h.t, h.s.Starter.Temporal, id)
		// Payloads are sealed by the codec; the saved history holds them opened, so the replay test needs no key.
		keys := testenv.Keyring(h.t)
		if err := proxy.VisitPayloads(h.t.Context(), hist, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				return keys.Decode(ps)
			}}); err != nil {
			h.t.Fatal(err)
		}
		b, err := protojson.MarshalOptions{Indent: " "}.Marshal(hist)
		if err != nil {
			h.t.Fatal(err)
		}
		kind, _, _ := strings.Cut(id, "/") // order, onboarding, withdrawal
		if rest, ok := strings.CutPrefix(id, "order/"); ok && strings.Contains(rest, "/") {
			kind = "sub" + id[strings.LastIndex(id, "sub")+3:]
		}
		if rest, ok := strings.CutPrefix(id, "onboarding/"); ok && strings.Contains(rest, "/") {
			kind += "-" + rest[strings.LastIndex(rest, "/")+1:] // onboarding-alipay
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+kind+".json"), b, 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
}

// history reads a workflow's whole history as the server stores it: payloads as written (sealed, with the codec).
func history(t *testing.T, c client.Client, workflowID string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(t.Context(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	return hist
}
