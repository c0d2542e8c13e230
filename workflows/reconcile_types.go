package workflows

import "time"

// Reconcile names (对账).
const (
	SignalRecheck       = "Recheck" // ops resolved discrepancies: match again
	QueryReconcile      = "GetReconciliation"
	ScheduleReconcileID = "reconcile-daily-" // + channel: the Temporal Schedule of each channel
)

// ReconcileWorkflowID is the reconciliation of a channel's business day (YYYY-MM-DD, China time).
func ReconcileWorkflowID(channel, day string) string { return "reconcile/" + channel + "/" + day }

// Reconciliation statuses, as GetReconciliation and SplitPayStatus show them.
const (
	ReconcileFetching       = "FETCHING"         // downloading and staging the day's bills
	ReconcileWaitingForBill = "WAITING_FOR_BILL" // the channel has not made a bill yet: asked again with backoff
	ReconcileMatching       = "MATCHING"
	ReconcileBalanced       = "BALANCED" // every event matched, or explained
	ReconcileNeedsAttention = StatusNeedsAttention
)

// ReconcileSettings are a reconciliation's timings.
type ReconcileSettings struct {
	BillDeadline time.Duration // how long bills not made yet are asked for again, from the start
	PollFirst    time.Duration // the first wait for a bill not made yet (doubles up to PollMax)
	PollMax      time.Duration
	WaitForOps   time.Duration // how long open discrepancies wait for ops before the run ends with them
}

// DefaultReconcileSettings: bills come from 09:00 (Alipay) or 10:00 (WeChat Pay) the next day, sometimes late.
var DefaultReconcileSettings = ReconcileSettings{
	BillDeadline: 12 * time.Hour,
	PollFirst:    10 * time.Minute,
	PollMax:      time.Hour,
	WaitForOps:   30 * 24 * time.Hour,
}

func (s ReconcileSettings) withDefaults() ReconcileSettings {
	d := DefaultReconcileSettings
	fillZero([][2]*time.Duration{{&s.BillDeadline, &d.BillDeadline}, {&s.PollFirst, &d.PollFirst},
		{&s.PollMax, &d.PollMax}, {&s.WaitForOps, &d.WaitForOps}})
	return s
}

// ReconcileInput starts a reconciliation. Day empty: the day before the run was scheduled for (a Schedule's
// TemporalScheduledStartTime, else the start time), in China time.
type ReconcileInput struct {
	Channel  string
	Day      string
	Settings ReconcileSettings
}

// ReconcileState is GetReconciliation's answer; the report itself is in the ledger (GET /v1/reconciliations).
type ReconcileState struct {
	Channel       string
	Day           string
	RunID         int64
	Status        string
	WaitingFor    string
	Bills         map[string]int64 // lines staged per bill
	Lines         int64
	Matched       int64
	Discrepancies int64 // still open
	LastError     *StepError
	Timeline      []Event
}

// ReconcileStep names a channel's day, and the run once it is open.
type ReconcileStep struct {
	Channel string
	Day     string
	RunID   int64
	Bill    string   // StageBill: which bill
	Covers  []string // MatchReconcile: the posting kinds the bills cover
}

// ReconcileRun is BeginReconcile's answer: the run, and the channel's bills and what they cover.
type ReconcileRun struct {
	RunID  int64
	Bills  []string
	Covers []string
}

// BillStaged is StageBill's answer.
type BillStaged struct {
	Lines int64
}

// ReconcileSummary is MatchReconcile's answer.
type ReconcileSummary struct {
	Status     string // the ledger's: BALANCED or DISCREPANCIES
	Lines      int64
	Events     int64
	Matched    int64
	Open       int64        // discrepancies still open (EXPECTED ones wait for the next day's bill)
	Repairable []RepairItem // open events the ledger lacks that their owners can be asked to learn again
}

// RepairItem is a payment or refund the channel's bill lists and the ledger lacks.
type RepairItem struct {
	DiscrepancyID int64
	PostingKey    string
	Kind          string // payment or refund
	OutNo         string // the sub-order's out_trade_no, or the refund's out_refund_no
}

// RepairInput records that an item's owning process was asked to post it.
type RepairInput struct {
	DiscrepancyID int64
	Note          string
}
