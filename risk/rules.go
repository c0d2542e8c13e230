// Package risk is SplitPay's risk controls (风控): rules kept as data in PostgreSQL, by merchant tier with
// per-merchant overrides, and their evaluation when an order is created — exact under concurrency, since the
// day's counters are locked rows and velocity windows are counted under advisory locks.
package risk

import (
	"fmt"
	"maps"
	"slices"
)

// Outcomes of an evaluation.
const (
	Pass   = "PASS"
	Review = "REVIEW" // hold the order for ops: no payment until approved
	Refuse = "REFUSE"
)

// Rules is the whole rule document, as PUT /v1/risk/rules takes it.
type Rules struct {
	DefaultTier string                   `json:"default_tier"`
	Tiers       map[string]Limits        `json:"tiers"`
	Merchants   map[string]MerchantRules `json:"merchants,omitempty"`
	Blocklist   Blocklist                `json:"blocklist"`
	// ReviewTimeoutMinutes closes a held order no one reviewed (default 1440: a day).
	ReviewTimeoutMinutes int `json:"review_timeout_minutes,omitempty"`
}

// Limits are one tier's thresholds, per merchant; a zero field does not apply.
type Limits struct {
	// DailyAmount and DailyCount cap what a merchant takes a day (Asia/Shanghai): under "total" across
	// channels, or under a channel's name. Amounts are fen.
	DailyAmount map[string]int64 `json:"daily_amount,omitempty"`
	DailyCount  map[string]int64 `json:"daily_count,omitempty"`
	// SingleOrderMax refuses a merchant's part of an order above it; ReviewAbove holds one above it for review.
	SingleOrderMax int64 `json:"single_order_max,omitempty"`
	ReviewAbove    int64 `json:"review_above,omitempty"`
	// Velocity refuses a payer, client IP or device with more than Max orders in Minutes.
	Velocity []Velocity `json:"velocity,omitempty"`
	// RefundRate holds (or refuses) a merchant's orders while its refunded share of paid sub-orders over the
	// window is above Max.
	RefundRate *RefundRate `json:"refund_rate,omitempty"`
	// AlertAt raises an alert when a cap is this share used (e.g. 0.8).
	AlertAt float64 `json:"alert_at,omitempty"`
}

// Velocity is "more than Max orders from one By in Minutes".
type Velocity struct {
	By      string `json:"by"` // payer, ip or device
	Max     int64  `json:"max"`
	Minutes int    `json:"minutes"`
}

// RefundRate is a merchant's refund-rate threshold.
type RefundRate struct {
	Max       float64 `json:"max"`        // refunded sub-orders / paid sub-orders, 0..1
	Days      int     `json:"days"`       // the window
	MinOrders int64   `json:"min_orders"` // fewer paid sub-orders than this: not judged
	Action    string  `json:"action"`     // REVIEW (default) or REFUSE
}

// MerchantRules puts a merchant in a tier, and overrides some of its limits.
type MerchantRules struct {
	Tier     string  `json:"tier,omitempty"`
	Override *Limits `json:"override,omitempty"`
}

// Blocklist refuses any order from these payers (openid or Alipay user id), devices or client IPs.
type Blocklist struct {
	Payers  []string `json:"payers,omitempty"`
	Devices []string `json:"devices,omitempty"`
	IPs     []string `json:"ips,omitempty"`
}

// FieldError names the rule field at fault.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Validate checks the document field by field.
func (r Rules) Validate() error {
	if len(r.Tiers) == 0 {
		return &FieldError{"tiers", "at least one tier"}
	}
	if _, ok := r.Tiers[r.DefaultTier]; !ok {
		return &FieldError{"default_tier", fmt.Sprintf("must name one of the tiers %v", slices.Sorted(maps.Keys(r.Tiers)))}
	}
	if r.ReviewTimeoutMinutes < 0 || r.ReviewTimeoutMinutes > 30*24*60 {
		return &FieldError{"review_timeout_minutes", "0 (a day) to 43200 (30 days)"}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Tiers)) {
		if err := r.Tiers[name].validate("tiers." + name); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(r.Merchants)) {
		m := r.Merchants[id]
		if _, ok := r.Tiers[m.Tier]; m.Tier != "" && !ok {
			return &FieldError{"merchants." + id + ".tier", "no such tier"}
		}
		if m.Override != nil {
			if err := m.Override.validate("merchants." + id + ".override"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l Limits) validate(at string) error {
	for name, caps := range map[string]map[string]int64{"daily_amount": l.DailyAmount, "daily_count": l.DailyCount} {
		for scope, v := range caps {
			if scope != Total && scope != "wechatpay" && scope != "alipay" {
				return &FieldError{at + "." + name + "." + scope, `"total", "wechatpay" or "alipay"`}
			}
			if v <= 0 {
				return &FieldError{at + "." + name + "." + scope, "more than 0"}
			}
		}
	}
	switch {
	case l.SingleOrderMax < 0:
		return &FieldError{at + ".single_order_max", "0 (none) or more"}
	case l.ReviewAbove < 0:
		return &FieldError{at + ".review_above", "0 (none) or more"}
	case l.AlertAt < 0 || l.AlertAt >= 1:
		return &FieldError{at + ".alert_at", "a share from 0 (none) to below 1"}
	}
	for i, v := range l.Velocity {
		f := fmt.Sprintf("%s.velocity[%d]", at, i)
		switch {
		case v.By != ByPayer && v.By != ByIP && v.By != ByDevice:
			return &FieldError{f + ".by", `"payer", "ip" or "device"`}
		case v.Max < 1:
			return &FieldError{f + ".max", "1 or more"}
		case v.Minutes < 1 || v.Minutes > 7*24*60:
			return &FieldError{f + ".minutes", "1 to 10080 (a week)"}
		}
	}
	if rr := l.RefundRate; rr != nil {
		switch {
		case rr.Max <= 0 || rr.Max > 1:
			return &FieldError{at + ".refund_rate.max", "a share above 0, at most 1"}
		case rr.Days < 1 || rr.Days > 90:
			return &FieldError{at + ".refund_rate.days", "1 to 90"}
		case rr.MinOrders < 0:
			return &FieldError{at + ".refund_rate.min_orders", "0 or more"}
		case rr.Action != "" && rr.Action != Review && rr.Action != Refuse:
			return &FieldError{at + ".refund_rate.action", `"REVIEW" or "REFUSE"`}
		}
	}
	return nil
}

// Total is the caps' key across channels; ByPayer, ByIP and ByDevice are what velocity counts.
const (
	Total    = "total"
	ByPayer  = "payer"
	ByIP     = "ip"
	ByDevice = "device"
)

// For is merchant's limits: its tier's (the default tier's, when it has none), with its override's fields set
// over them.
func (r Rules) For(merchant string) Limits {
	m := r.Merchants[merchant]
	tier := m.Tier
	if tier == "" {
		tier = r.DefaultTier
	}
	l := r.Tiers[tier]
	o := m.Override
	if o == nil {
		return l
	}
	l.DailyAmount = merged(l.DailyAmount, o.DailyAmount)
	l.DailyCount = merged(l.DailyCount, o.DailyCount)
	if o.SingleOrderMax > 0 {
		l.SingleOrderMax = o.SingleOrderMax
	}
	if o.ReviewAbove > 0 {
		l.ReviewAbove = o.ReviewAbove
	}
	if o.Velocity != nil {
		l.Velocity = o.Velocity
	}
	if o.RefundRate != nil {
		l.RefundRate = o.RefundRate
	}
	if o.AlertAt > 0 {
		l.AlertAt = o.AlertAt
	}
	return l
}

func merged(base, over map[string]int64) map[string]int64 {
	if len(over) == 0 {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]int64{}
	}
	maps.Copy(out, over)
	return out
}
