package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// change is a behaviour change made behind GetVersion: the version the code runs now, and the bundle version
// from which workflows run it without a marker of their own.
type change struct {
	current, since workflow.Version
}

// changes lists every change (decision record 0015). Each GetVersion a new workflow calls costs a marker and a
// TemporalChangeVersion upsert, two Temporal actions. A workflow records the bundle once at its start and runs
// every change whose since is at most the bundle's version at its current version. It asks GetVersion for the
// others, as every workflow started before the bundle does, so old histories replay unchanged. A new change
// gets since = bundleVersion+1, and bundleVersion is raised to it.
var changes = map[string]change{
	"settled-signal":     {1, 1},
	"view-before-status": {1, 1},
	"risk-controls":      {1, 1},
	"refund-window":      {1, 1},
	"refund-source":      {1, 1},
	"debt-netting":       {1, 1},
	"finish-precheck":    {1, 1},
	"split-subsidy":      {1, 1},
	"settlement-check":   {1, 1},
	"post-payments-once": {1, 2},
	// Bundle 3 (issue 19: fewer actions and history events an order).
	"local-ledger":        {1, 3}, // postings, the read model and risk counters run as local activities
	"local-queries":       {1, 3}, // so do the settlement's questions: the sharing result, the frozen check
	"start-attrs-known":   {1, 3}, // a sub-order's start search attributes are not upserted again
	"timers-when-waiting": {1, 3}, // no timer when what it would wait for has already come
	"one-paid-upsert":     {1, 3}, // the order shows PAID once, not once for the ledger and again for sub-orders
	"view-once-placed":    {1, 3}, // the read model is first written once the order is placed, not also before
	"share-query-at-once": {1, 3}, // a PROCESSING sharing request is asked about at once, then with backoff
	"view-after-review":   {1, 4}, // under view-once-placed, an order held for review is shown again once placed
	// Bundle 5: a sub-order completes with one upsert, and tells its order only when it stays open for refunds
	// (one that ends at once is seen ending by the order).
	"quiet-completion": {1, 5},
	// Bundle 6: a sub-order's settlement calls (subsidy, settle confirm, sharing, finish) are tried as local
	// activities first, and scheduled as activities only when those quick tries fail (decision 0016).
	"local-settlement": {1, 6},
}

// The bundle's change id, and its version now.
const (
	bundleID      = "changes-bundle"
	bundleVersion = workflow.Version(6)
)

// adoptChanges records, at a workflow's start, which bundle it runs under (DefaultVersion: none).
func (p *process) adoptChanges(ctx workflow.Context) {
	p.bundle = workflow.GetVersion(ctx, bundleID, workflow.DefaultVersion, bundleVersion)
}

// version is a change's version in this workflow: its current one when the workflow's bundle includes it, else
// what GetVersion answers for it.
func (p *process) version(ctx workflow.Context, id string) workflow.Version {
	c, ok := changes[id]
	if !ok {
		panic(fmt.Sprintf("workflows: the change %q is not in workflows.changes", id))
	}
	if p.bundle != workflow.DefaultVersion && p.bundle >= c.since {
		return c.current
	}
	return workflow.GetVersion(ctx, id, workflow.DefaultVersion, c.current)
}
