package risk

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/splitpay/splitpay/audit"
	"github.com/splitpay/splitpay/ledger"
)

// Order is what the rules judge of an order at its creation.
type Order struct {
	OrderNo, Channel        string
	Payer, ClientIP, Device string // any may be empty: its velocity and blocklist checks do not apply
	Parts                   []Part // one per sub-order
}

// Part is a merchant's part of an order, in fen.
type Part struct {
	MerchantID string `json:"merchant_id"`
	Amount     int64  `json:"amount"`
}

// Decision is an evaluation's answer. Rule names the rule that refused or held the order (e.g.
// "daily_amount.total", "velocity.payer", "blocklist.device"); Alerts are thresholds it crossed.
type Decision struct {
	Outcome              string
	Rule, Reason         string
	Alerts               []string
	RulesVersion         int64
	ReviewTimeoutMinutes int
}

// RefundStats answers a merchant's paid and refunded sub-orders over the last days, read on the evaluation's
// transaction (ledger.RefundStats): a second connection, taken while the first holds the merchant's counters,
// would starve the pool when more orders are judged at once than it has connections.
type RefundStats func(ctx context.Context, tx ledger.Querier, merchant string, days int) (paid, refunded int64, err error)

// Evaluate judges o: in one transaction it decides, counts an order it lets through against the day's caps and
// velocity windows, stores that decision, and writes every decision to the audit trail. A repeat answers the
// stored decision and counts nothing twice; a refusal is not stored (it counted nothing), so an order number
// refused before is judged afresh. With no rules stored every order passes, and is still counted.
func Evaluate(ctx context.Context, db *pgxpool.Pool, o Order, stats RefundStats) (Decision, error) {
	var d Decision
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var alerts []string
		err := tx.QueryRow(ctx, `SELECT outcome, rule, reason, rules_version, alerts FROM risk_decisions
			WHERE order_no = $1`, o.OrderNo).Scan(&d.Outcome, &d.Rule, &d.Reason, &d.RulesVersion, &alerts)
		if err == nil {
			d.Alerts = alerts
			stored, err := Load(ctx, tx)
			d.ReviewTimeoutMinutes = stored.Rules.reviewTimeout()
			return err
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		stored, err := Load(ctx, tx)
		if err != nil {
			return err
		}
		j := &judgement{tx: tx, rules: stored.Rules, order: o, stats: stats}
		if err := tx.QueryRow(ctx, `SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date)::text`).Scan(&j.day); err != nil {
			return err
		}
		if d, err = j.decide(ctx); err != nil {
			return err
		}
		d.RulesVersion, d.ReviewTimeoutMinutes = stored.Version, stored.Rules.reviewTimeout()
		return j.record(ctx, d)
	})
	return d, err
}

func (r Rules) reviewTimeout() int {
	if r.ReviewTimeoutMinutes == 0 {
		return 24 * 60
	}
	return r.ReviewTimeoutMinutes
}

// judgement is one order's evaluation inside its transaction.
type judgement struct {
	tx     pgx.Tx
	rules  Rules
	order  Order
	stats  RefundStats
	day    string    // Asia/Shanghai's today
	caps   []counter // the merchants' counters, locked
	alerts []string
}

// counter is a merchant's day under one scope, with what this order adds.
type counter struct {
	merchant, scope string
	amount, orders  int64 // before this order
	addAmount       int64
}

func (j *judgement) decide(ctx context.Context) (Decision, error) {
	if d := j.blocked(); d.Outcome != "" {
		return d, nil
	}
	perMerchant := map[string]int64{}
	for _, p := range j.order.Parts {
		l := j.rules.For(p.MerchantID)
		if l.SingleOrderMax > 0 && p.Amount > l.SingleOrderMax {
			return refuse("single_order_max", "merchant %s's part is %d fen, over its single-order maximum of %d",
				p.MerchantID, p.Amount, l.SingleOrderMax), nil
		}
		perMerchant[p.MerchantID] += p.Amount
	}
	if d, err := j.velocity(ctx, perMerchant); d.Outcome != "" || err != nil {
		return d, err
	}
	if d, err := j.daily(ctx, perMerchant); d.Outcome != "" || err != nil {
		return d, err
	}
	return j.reviews(ctx, perMerchant)
}

func refuse(rule, format string, args ...any) Decision {
	return Decision{Outcome: Refuse, Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// blocked refuses a payer, device or client IP on the blocklist.
func (j *judgement) blocked() Decision {
	b := j.rules.Blocklist
	for _, c := range []struct {
		by, value string
		list      []string
	}{{ByPayer, j.order.Payer, b.Payers}, {ByDevice, j.order.Device, b.Devices}, {ByIP, j.order.ClientIP, b.IPs}} {
		if c.value != "" && slices.Contains(c.list, c.value) {
			return refuse("blocklist."+c.by, "the order's %s is on the blocklist", c.by)
		}
	}
	return Decision{}
}

// value is what velocity counts the order by.
func (o Order) value(by string) string {
	switch by {
	case ByPayer:
		return o.Payer
	case ByIP:
		return o.ClientIP
	case ByDevice:
		return o.Device
	}
	return ""
}

func digest(by, value string) []byte {
	d := sha256.Sum256([]byte(by + ":" + value))
	return d[:]
}

// velocity refuses an order whose payer, IP or device has had more than a merchant's Max orders in its window.
// Each key is locked (an advisory lock, in a fixed order) until the transaction ends, so racing orders of one
// payer count each other.
func (j *judgement) velocity(ctx context.Context, perMerchant map[string]int64) (Decision, error) {
	for _, by := range []string{ByDevice, ByIP, ByPayer} { // the locks' fixed order
		v := j.order.value(by)
		if v == "" {
			continue
		}
		d := digest(by, v)
		if _, err := j.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || encode($2, 'hex'), 0))`,
			by, d); err != nil {
			return Decision{}, err
		}
		seen := map[int]int64{} // orders in the window, by its minutes
		for _, m := range sortedKeys(perMerchant) {
			for _, rule := range j.rules.For(m).Velocity {
				if rule.By != by {
					continue
				}
				n, ok := seen[rule.Minutes]
				if !ok {
					if err := j.tx.QueryRow(ctx, `SELECT count(*) FROM risk_velocity WHERE kind = $1 AND digest = $2
						AND at > now() - make_interval(mins => $3)`, by, d, rule.Minutes).Scan(&n); err != nil {
						return Decision{}, err
					}
					seen[rule.Minutes] = n
				}
				if n+1 > rule.Max {
					return refuse("velocity."+by, "the order's %s has had %d orders in %d minutes (at most %d)",
						by, n, rule.Minutes, rule.Max), nil
				}
			}
		}
	}
	return Decision{}, nil
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// daily locks each merchant's counters for today (total and the order's channel, in a fixed order) and refuses
// an order that would take one past its cap.
func (j *judgement) daily(ctx context.Context, perMerchant map[string]int64) (Decision, error) {
	for _, m := range sortedKeys(perMerchant) {
		for _, scope := range []string{j.order.Channel, Total} {
			c := counter{merchant: m, scope: scope, addAmount: perMerchant[m]}
			err := j.tx.QueryRow(ctx, `INSERT INTO risk_counters (merchant_id, scope, day) VALUES ($1, $2, $3)
				ON CONFLICT (merchant_id, scope, day) DO UPDATE SET amount = risk_counters.amount
				RETURNING amount, orders`, m, scope, j.day).Scan(&c.amount, &c.orders)
			if err != nil {
				return Decision{}, err
			}
			j.caps = append(j.caps, c)
		}
	}
	for _, c := range j.caps {
		l := j.rules.For(c.merchant)
		if limit, ok := l.DailyAmount[c.scope]; ok && c.amount+c.addAmount > limit {
			return refuse("daily_amount."+c.scope, "merchant %s has taken %d fen today (%s); this order's %d would pass its cap of %d",
				c.merchant, c.amount, c.scope, c.addAmount, limit), nil
		}
		if limit, ok := l.DailyCount[c.scope]; ok && c.orders+1 > limit {
			return refuse("daily_count."+c.scope, "merchant %s has had %d orders today (%s), its cap",
				c.merchant, c.orders, c.scope), nil
		}
		j.nearCap(c, l)
	}
	return Decision{}, nil
}

// nearCap notes an alert when this order takes a cap past the tier's AlertAt share.
func (j *judgement) nearCap(c counter, l Limits) {
	if l.AlertAt <= 0 {
		return
	}
	if limit, ok := l.DailyAmount[c.scope]; ok {
		at := l.AlertAt * float64(limit)
		if float64(c.amount) < at && float64(c.amount+c.addAmount) >= at {
			j.alerts = append(j.alerts, fmt.Sprintf("near_cap:%s:daily_amount.%s", c.merchant, c.scope))
		}
	}
}

// reviews holds an order for review above a merchant's ReviewAbove, or while its refund rate is too high
// (or refuses it, as that rule says).
func (j *judgement) reviews(ctx context.Context, perMerchant map[string]int64) (Decision, error) {
	d := Decision{Outcome: Pass, Alerts: j.alerts}
	for _, m := range sortedKeys(perMerchant) {
		l := j.rules.For(m)
		if rr := l.RefundRate; rr != nil && j.stats != nil {
			paid, refunded, err := j.stats(ctx, j.tx, m, rr.Days)
			if err != nil {
				return Decision{}, err
			}
			if paid > 0 && paid >= rr.MinOrders && float64(refunded)/float64(paid) > rr.Max {
				action := rr.Action
				if action == "" {
					action = Review
				}
				j.alerts = append(j.alerts, "refund_rate:"+m)
				out := Decision{Outcome: action, Rule: "refund_rate", Alerts: j.alerts, Reason: fmt.Sprintf(
					"merchant %s refunded %d of %d paid sub-orders in %d days (over %.0f%%)", m, refunded, paid, rr.Days,
					rr.Max*100)}
				if action == Refuse {
					return out, nil
				}
				d = out
			}
		}
		if d.Outcome == Pass && l.ReviewAbove > 0 && perMerchant[m] > l.ReviewAbove {
			d = Decision{Outcome: Review, Rule: "review_above", Alerts: j.alerts, Reason: fmt.Sprintf(
				"merchant %s's part is %d fen, above the review threshold of %d", m, perMerchant[m], l.ReviewAbove)}
		}
	}
	return d, nil
}

// record counts an order that was not refused against its caps and velocity windows, and stores and audits
// the decision.
func (j *judgement) record(ctx context.Context, d Decision) error {
	var b pgx.Batch // one round trip
	if d.Outcome != Refuse {
		reserved := []reservation{}
		for _, c := range j.caps {
			b.Queue(`UPDATE risk_counters SET amount = amount + $4, orders = orders + 1
				WHERE merchant_id = $1 AND scope = $2 AND day = $3`, c.merchant, c.scope, j.day, c.addAmount)
			reserved = append(reserved, reservation{c.merchant, c.scope, c.addAmount})
		}
		for _, by := range []string{ByPayer, ByIP, ByDevice} {
			if v := j.order.value(by); v != "" {
				b.Queue(`INSERT INTO risk_velocity (kind, digest, order_no) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
					by, digest(by, v), j.order.OrderNo)
			}
		}
		b.Queue(`INSERT INTO risk_decisions (order_no, outcome, rule, reason, rules_version, day, reserved, alerts)
			VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8)`, j.order.OrderNo, d.Outcome, d.Rule, d.Reason,
			d.RulesVersion, j.day, reserved, nonNil(d.Alerts))
	}
	var total int64
	for _, p := range j.order.Parts {
		total += p.Amount
	}
	audit.Queue(&b, audit.Entry{RequestID: "risk:" + j.order.OrderNo, Actor: "risk", Action: "risk decision",
		Subject: j.order.OrderNo, Detail: map[string]any{"outcome": d.Outcome, "rule": d.Rule, "reason": d.Reason,
			"amount": total, "channel": j.order.Channel, "rules_version": d.RulesVersion,
			"alerts": strings.Join(d.Alerts, ",")}})
	return j.tx.SendBatch(ctx, &b).Close()
}

// reservation is what an order counts against one of its merchant's day counters.
type reservation struct {
	MerchantID string `json:"merchant_id"`
	Scope      string `json:"scope"`
	Amount     int64  `json:"amount"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Release gives back what an order counted against its day's caps, once: it closed unpaid, or was rejected in
// review. An order that was refused, or released before, gives back nothing.
func Release(ctx context.Context, db *pgxpool.Pool, orderNo, why string) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var reserved []reservation
		var day string
		err := tx.QueryRow(ctx, `UPDATE risk_decisions SET released_at = now()
			WHERE order_no = $1 AND released_at IS NULL RETURNING reserved, day::text`,
			orderNo).Scan(&reserved, &day)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, r := range reserved { // in the order decide locked them
			if _, err := tx.Exec(ctx, `UPDATE risk_counters SET amount = amount - $4, orders = orders - 1
				WHERE merchant_id = $1 AND scope = $2 AND day = $3::date`, r.MerchantID, r.Scope, day, r.Amount); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{RequestID: "risk:" + orderNo, Actor: "risk", Action: "risk release",
			Subject: orderNo, Detail: map[string]any{"reason": why}})
	})
}
