package workflows_test

import (
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
