// Package workflows holds SplitPay's deterministic workflow code and the contract it has with activities:
// the task queue, activity names and every input/output struct. It imports no I/O package (no pgx, no
// net/http, no channel SDK); the activities package implements the contract.
package workflows

// TaskQueue is where SplitPay's workers poll unless configured otherwise.
const TaskQueue = "splitpay"
