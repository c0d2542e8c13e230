package ledger

import (
	"context"
	"time"
)

// MatchGrace is how close to the day's end a posting may be made and still be EXPECTED, not OPEN, when no bill
// lists it: the channel may date the event into the next day's bill.
const MatchGrace = 30 * time.Minute

// MatchRecon compares the run's staged bills with the ledger and stores the report, in one transaction:
//   - each event the bills list (lines with one posting key summed) against the posting with that key, whenever
//     it was made: none is missing in the ledger (a refund whose payment the ledger holds is status_differs: ours,
//     not yet booked); the amount differs; or the channel's status is not success while the ledger booked it;
//   - each posting of a covered kind made on the day that no bill of the channel (this day's or another's) lists is
//     missing at the channel, EXPECTED within MatchGrace of midnight;
//   - earlier runs' open items that this run's bills now list are MATCHED_LATER.
//
// A rerun updates the run's open items in place (each keeps its id, so ops can act on what they read while the run
// matches again), drops those no longer found, and keeps what ops resolved. Nothing in the ledger is changed.
//
// dayStart is the run's day's start in the channel's clock (channels.DayStart); the ledger keeps no calendar.
func (l *Ledger) MatchRecon(ctx context.Context, run ReconRun, covers []string, dayStart time.Time) (ReconRun, error) {
	day := dayStart
	tx, err := l.db.Begin(ctx)
	if err != nil {
		return run, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := lockRun(ctx, tx, run.ID); err != nil {
		return run, err
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{checkRepairs, []any{run.ID}},
		{`DELETE FROM recon_totals WHERE run_id = $1`, []any{run.ID}},
		{matchBills, []any{run.ID}},
		{missingAtChannel, []any{run.ID, run.Channel, covers, day, day.AddDate(0, 0, 1), MatchGrace.Seconds()}},
		{`DELETE FROM recon_discrepancies WHERE run_id = $1 AND state IN ('OPEN', 'EXPECTED') AND checked_at < now()`,
			[]any{run.ID}}, // open items this match did not find again: gone
		{matchedLater, []any{run.ID, run.Channel}},
		{totals, []any{run.ID}},
		{finishRun, []any{run.ID}},
		{rebalance, []any{run.Channel}},
	} {
		if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
			return run, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return run, err
	}
	return l.ReconRunByID(ctx, run.ID)
}

// checkRepairs: a repaired item whose posting the owning process has now made shows the ledger's side; one whose
// posting is still missing is open again (and recomputed).
const checkRepairs = `
UPDATE recon_discrepancies d SET
	state = CASE WHEN p.id IS NULL THEN 'OPEN' ELSE 'REPAIRED' END,
	ledger_amount = (SELECT sum(e.amount) FROM entries e WHERE e.posting_id = p.id AND e.amount > 0)
FROM recon_discrepancies d2 LEFT JOIN postings p ON p.idempotency_key = d2.posting_key
WHERE d.id = d2.id AND d.run_id = $1 AND d.state = 'REPAIRED'`

// updateOpen ends each discrepancy insert: an item found again keeps its row (and id) and takes the new data,
// unless ops or a repair closed it.
const updateOpen = `
ON CONFLICT (run_id, posting_key) DO UPDATE SET class = EXCLUDED.class, kind = EXCLUDED.kind,
	out_no = EXCLUDED.out_no, sub_mchid = EXCLUDED.sub_mchid, order_no = EXCLUDED.order_no,
	channel_amount = EXCLUDED.channel_amount, ledger_amount = EXCLUDED.ledger_amount,
	channel_status = EXCLUDED.channel_status, state = EXCLUDED.state, checked_at = now()
WHERE recon_discrepancies.state IN ('OPEN', 'EXPECTED')`

// matchBills: the channel's events (a key's lines summed) against their postings (the sum of a posting's
// positive entries is the money it moved).
const matchBills = `
INSERT INTO recon_discrepancies (run_id, posting_key, class, kind, out_no, sub_mchid, order_no, channel_amount,
                                 ledger_amount, channel_status, state)
SELECT $1, ch.posting_key,
       CASE WHEN p.id IS NULL AND ch.kind = 'refund'
                 AND EXISTS (SELECT 1 FROM postings t WHERE t.idempotency_key = ch.trade_key) THEN 'status_differs'
            WHEN p.id IS NULL THEN 'missing_in_ledger'
            WHEN ch.status <> 'SUCCESS' THEN 'status_differs'
            ELSE 'amount_differs' END,
       ch.kind, ch.out_no, ch.sub_mchid, coalesce(p.order_no, ''), ch.amount, le.amount, ch.status, 'OPEN'
FROM (SELECT posting_key, min(kind) AS kind, min(trade_key) AS trade_key, min(out_no) AS out_no,
             min(sub_mchid) AS sub_mchid, sum(amount) AS amount, string_agg(DISTINCT status, ',') AS status
      FROM recon_lines WHERE run_id = $1 GROUP BY posting_key) ch
LEFT JOIN postings p ON p.idempotency_key = ch.posting_key
LEFT JOIN LATERAL (SELECT sum(e.amount) AS amount FROM entries e WHERE e.posting_id = p.id AND e.amount > 0) le
       ON p.id IS NOT NULL
WHERE (p.id IS NULL AND ch.status = 'SUCCESS')
   OR (p.id IS NOT NULL AND (ch.status <> 'SUCCESS' OR le.amount <> ch.amount))` + updateOpen

// missingAtChannel: postings of the channel's covered kinds made on the day (China time) that no staged bill of
// the channel lists. A withdrawal the channel refused is booked as requested and failed, and neither moved money
// at the channel: such a pair, when no bill lists either half, is not missing.
const missingAtChannel = `
INSERT INTO recon_discrepancies (run_id, posting_key, class, kind, order_no, ledger_amount, state)
SELECT $1, p.idempotency_key, 'missing_at_channel', p.kind, coalesce(p.order_no, ''),
       (SELECT sum(e.amount) FROM entries e WHERE e.posting_id = p.id AND e.amount > 0),
       CASE WHEN p.created_at >= $5::timestamptz - make_interval(secs => $6) THEN 'EXPECTED' ELSE 'OPEN' END
FROM postings p
WHERE p.created_at >= $4 AND p.created_at < $5 AND p.kind = ANY($3) AND p.idempotency_key LIKE $2 || ':%'
  AND NOT EXISTS (SELECT 1 FROM recon_lines rl JOIN recon_runs r ON r.id = rl.run_id
                  WHERE r.channel = $2 AND rl.posting_key = p.idempotency_key)
  AND NOT (p.kind IN ('withdrawal_requested', 'withdrawal_failed') AND EXISTS (
      SELECT 1 FROM postings q
      WHERE q.idempotency_key = $2 || ':'
                || CASE p.kind WHEN 'withdrawal_requested' THEN 'withdrawal_failed' ELSE 'withdrawal_requested' END
                || substr(p.idempotency_key, length($2 || ':' || p.kind) + 1)
        AND NOT EXISTS (SELECT 1 FROM recon_lines rl JOIN recon_runs r ON r.id = rl.run_id
                        WHERE r.channel = $2 AND rl.posting_key = q.idempotency_key)))` + updateOpen

// matchedLater: items of the channel's other runs still open that this run's bills list.
const matchedLater = `
UPDATE recon_discrepancies d SET state = 'MATCHED_LATER', note = 'listed by the bill of ' || r.day::text
FROM recon_runs r
WHERE r.id = $1 AND d.run_id <> $1 AND d.state IN ('OPEN', 'EXPECTED', 'REPAIRED') AND d.class = 'missing_at_channel'
  AND d.run_id IN (SELECT id FROM recon_runs WHERE channel = $2)
  AND EXISTS (SELECT 1 FROM recon_lines rl WHERE rl.run_id = $1 AND rl.posting_key = d.posting_key)`

// totals: per merchant and kind, what the matched events moved on the merchant's accounts. Each posting is summed
// per merchant on its own (a lateral join by the entries' index), so the day's events are counted without
// sorting them: linear in the bill's size.
const totals = `
INSERT INTO recon_totals (run_id, merchant, kind, events, amount)
SELECT $1, m.owner_id, p.kind, count(*), sum(m.amount)
FROM (SELECT DISTINCT posting_key FROM recon_lines WHERE run_id = $1) k
JOIN postings p ON p.idempotency_key = k.posting_key
CROSS JOIN LATERAL (SELECT a.owner_id, sum(e.amount) AS amount
                    FROM entries e JOIN accounts a ON a.id = e.account_id AND a.owner_kind = 'merchant'
                    WHERE e.posting_id = p.id GROUP BY a.owner_id) m
WHERE NOT EXISTS (SELECT 1 FROM recon_discrepancies d WHERE d.run_id = $1 AND d.posting_key = k.posting_key)
GROUP BY m.owner_id, p.kind`

// finishRun counts the run and says whether it balanced: no item OPEN (EXPECTED ones wait for the next bill).
const finishRun = `
UPDATE recon_runs r SET
	lines = (SELECT count(*) FROM recon_lines WHERE run_id = $1),
	events = (SELECT count(DISTINCT posting_key) FROM recon_lines WHERE run_id = $1),
	matched = (SELECT count(DISTINCT rl.posting_key) FROM recon_lines rl
	           WHERE rl.run_id = $1 AND NOT EXISTS (SELECT 1 FROM recon_discrepancies d
	                                               WHERE d.run_id = $1 AND d.posting_key = rl.posting_key)),
	fees = (SELECT coalesce(sum(CASE WHEN kind = 'refund' THEN -fee ELSE fee END), 0) FROM recon_lines
	        WHERE run_id = $1), -- a refund gives its share of the fee back
	status = CASE WHEN EXISTS (SELECT 1 FROM recon_discrepancies d WHERE d.run_id = $1 AND d.state = 'OPEN')
	              THEN 'DISCREPANCIES' ELSE 'BALANCED' END,
	finished_at = now()
WHERE r.id = $1`

// rebalance marks BALANCED the channel's runs left with no OPEN item (matched later, repaired or resolved).
const rebalance = `
UPDATE recon_runs r SET status = 'BALANCED'
WHERE r.channel = $1 AND r.status = 'DISCREPANCIES'
  AND NOT EXISTS (SELECT 1 FROM recon_discrepancies d WHERE d.run_id = r.id AND d.state = 'OPEN')`
