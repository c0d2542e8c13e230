package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/splitpay/splitpay/worker"
)

// Histories recorded by the end-to-end tests (SPLITPAY_SAVE_HISTORIES) replay against today's workflow code: a
// change that would break running orders fails here, not in production. Change behaviour with
// workflow.GetVersion, then record new histories beside the old.
func TestReplaySavedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no saved histories in testdata/histories")
	}
	replayer := sdkworker.NewWorkflowReplayer()
	for _, wf := range worker.Workflows {
		replayer.RegisterWorkflow(wf)
	}
	for _, f := range files {
		if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	t.Logf("replayed %d histories", len(files))
}

// A workflow started under the change bundle (versions.go) records one version marker, however many changes its
// code asks for: the bundle's.
func TestBundledHistoriesRecordOneMarker(t *testing.T) {
	files, _ := filepath.Glob("testdata/histories/bundle*-*.json")
	if len(files) == 0 {
		t.Fatal("no histories recorded under the bundle (bundle-*.json, bundle2-*.json)")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Events []struct {
				EventType string
				Marker    *struct{ MarkerName string } `json:"markerRecordedEventAttributes"`
			}
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		markers := 0
		for _, e := range h.Events {
			if e.Marker != nil && e.Marker.MarkerName == "Version" {
				markers++
			}
		}
		if markers > 1 {
			t.Errorf("%s records %d version markers, not 1", f, markers)
		}
	}
}
