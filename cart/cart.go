// Package cart turns a buyer's checkout request into an order's workflow input: every field checked (a refusal
// names it), merchants' channel ids and receivers' accounts looked up in a Directory, items priced under their
// coupon, and every sharing plan checked against the channel's limits. The starter calls it before anything
// starts; it does no I/O of its own.
package cart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// Merchant is what resolution needs to know of a shop.
type Merchant struct {
	ID       string
	Channel  string
	SubMchID string
	Status   string
	Active   bool
}

// Receiver is what resolution needs to know of a sharing receiver.
type Receiver struct {
	ID       string
	Channel  string
	Type     string // channels.ReceiverMerchant | channels.ReceiverPersonal
	Account  string
	Relation string // PLATFORM | SUPPLIER | DISTRIBUTOR
	Active   bool
}

// ErrUnknown wraps a Directory's answer for an id it does not know.
var ErrUnknown = errors.New("unknown")

// Directory looks up merchants and receivers; the registry implements it over PostgreSQL.
type Directory interface {
	Merchant(ctx context.Context, channel, id string) (Merchant, error)
	Receiver(ctx context.Context, channel, id string) (Receiver, error)
}

// Config is what resolution takes from the deployment.
type Config struct {
	Limits    map[string]channels.Limits // by channel; a channel not set has its documented limits
	Settings  workflows.OrderSettings
	NotifyURL func(channel, kind string) string // where a channel sends notifications of a kind
}

// InputError is a request refused, naming the field.
type InputError = workflows.InputError

// Roles maps a receiver's relation at the channel to its role in the sharing plan.
var Roles = map[string]string{
	"PLATFORM":    workflows.RolePlatform,
	"DISTRIBUTOR": workflows.RoleDistributor,
	"SUPPLIER":    workflows.RoleSupplier,
}

// Resolve checks req and turns it into the order's workflow input.
func Resolve(ctx context.Context, dir Directory, cfg Config, req Request) (workflows.OrderInput, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	if req.Scene == "" && len(channels.Scenes[req.Channel]) > 0 {
		req.Scene = channels.Scenes[req.Channel][0]
	}
	if err := checkPayer(cfg, req); err != nil {
		return workflows.OrderInput{}, err
	}
	lim := channels.LimitsOf(cfg.Limits, req.Channel)
	in := orderInput(cfg, lim, req)
	switch {
	case len(req.SubOrders) > lim.MaxSubOrders:
		return in, &InputError{
			Field:  "sub_orders",
			Reason: fmt.Sprintf("at most %d sub-orders in one combined order", lim.MaxSubOrders),
		}
	case len(req.SubOrders) == 0:
		return in, &InputError{Field: "sub_orders", Reason: "at least one sub-order"}
	case req.Scene == channels.SceneAlipayQR && req.Channel == channels.Alipay && len(req.SubOrders) > 1:
		return in, &InputError{Field: "scene", Reason: "an Alipay QR code pays one sub-order; use page, app or wap"}
	}
	r := resolver{ctx: ctx, dir: dir, channel: req.Channel, subsidies: lim.Subsidies, receivers: map[string]Receiver{}}
	for i, s := range req.SubOrders {
		spec, err := r.subOrder(fmt.Sprintf("sub_orders[%d]", i), s)
		if err != nil {
			return in, err
		}
		in.SubOrders = append(in.SubOrders, spec)
	}
	return in, in.Validate()
}

// checkPayer checks the channel (one this deployment runs: cfg.Limits names them when set), the scene and
// what the scene needs to know of the payer.
func checkPayer(cfg Config, req Request) error {
	scenes, known := channels.Scenes[req.Channel]
	_, configured := cfg.Limits[req.Channel]
	switch {
	case !known:
		return &InputError{Field: "channel", Reason: "one of " + strings.Join(channels.Names, ", ")}
	case cfg.Limits != nil && !configured:
		return &InputError{Field: "channel", Reason: req.Channel + " is not configured in this deployment"}
	case !slices.Contains(scenes, req.Scene):
		return &InputError{Field: "scene", Reason: req.Channel + " takes one of " + strings.Join(scenes, ", ")}
	case (req.Scene == channels.SceneJSAPI || req.Scene == channels.SceneMiniProgram) && req.PayerOpenID == "":
		return &InputError{Field: "payer_openid", Reason: "required for " + req.Scene}
	case req.Scene == channels.SceneH5 && req.PayerClientIP == "":
		return &InputError{Field: "payer_client_ip", Reason: "required for h5"}
	}
	return nil
}

// orderInput is the order's workflow input before its sub-orders: lim are the order's channel's limits.
func orderInput(cfg Config, lim channels.Limits, req Request) workflows.OrderInput {
	settings := cfg.Settings
	if settings.FreezePeriod == 0 {
		settings.FreezePeriod = time.Duration(lim.FreezeDays) * 24 * time.Hour
	}
	return workflows.OrderInput{
		OrderNo:         req.OrderNo,
		Channel:         req.Channel,
		Scene:           req.Scene,
		PayerOpenID:     req.PayerOpenID,
		PayerClientIP:   req.PayerClientIP,
		DeviceID:        req.DeviceID,
		H5Type:          req.H5Type,
		NotifyURL:       cfg.NotifyURL(req.Channel, "transaction"),
		RefundNotifyURL: cfg.NotifyURL(req.Channel, "refund"),
		Settings:        settings,
		Fingerprint:     Fingerprint(req),
		Limits: workflows.PlanLimits{
			MaxSubOrders:           lim.MaxSubOrders,
			MaxReceiversPerRequest: lim.MaxReceiversPerSharing,
			MaxRequests:            lim.MaxSharingsPerOrder,
			MaxRatio:               lim.MaxSharingRatio,
			MaxRefunds:             lim.MaxRefundsPerOrder,
			ConfirmBeforeSharing:   lim.ConfirmBeforeSharing,
			RefundReversesShares:   lim.RefundReversesShares,
		},
	}
}

// resolver looks up one request's merchants and receivers, each receiver once.
type resolver struct {
	ctx       context.Context
	dir       Directory
	channel   string
	subsidies bool // the channel can pay a platform subsidy
	receivers map[string]Receiver
}

func (r *resolver) subOrder(field string, s SubOrderRequest) (workflows.SubOrderSpec, error) {
	if s.Description == "" || len(s.Description) > 127 {
		return workflows.SubOrderSpec{}, &InputError{
			Field:  field + ".description",
			Reason: "required, at most 127 bytes",
		}
	}
	spec := workflows.SubOrderSpec{
		MerchantID:  s.MerchantID,
		Description: s.Description,
		Amount:      s.Amount,
		Subsidy:     s.Subsidy,
	}
	if err := priceItems(&spec, s, field); err != nil {
		return spec, err
	}
	m, err := r.dir.Merchant(r.ctx, r.channel, s.MerchantID)
	switch {
	case errors.Is(err, ErrUnknown) || s.MerchantID == "":
		return spec, &InputError{Field: field + ".merchant_id", Reason: fmt.Sprintf("no merchant %q", s.MerchantID)}
	case err != nil:
		return spec, err
	case !m.Active:
		return spec, &InputError{Field: field + ".merchant_id",
			Reason: fmt.Sprintf("merchant %q is %s on %s, not active", m.ID, m.Status, r.channel)}
	}
	spec.SubMchID = m.SubMchID
	switch {
	case spec.Subsidy > 0 && !r.subsidies:
		return spec, &InputError{Field: field + ".subsidy",
			Reason: r.channel + " orders take no platform subsidy (补差): fund the coupon by the merchant"}
	case spec.Subsidy > 0 && spec.Subsidy >= spec.Amount+spec.Subsidy:
		return spec, &InputError{Field: field + ".subsidy", Reason: "must be less than the sub-order's value"}
	}
	for j, cr := range s.Commissions {
		rule, err := r.commission(fmt.Sprintf("%s.commissions[%d]", field, j), cr)
		if err != nil {
			return spec, err
		}
		spec.Commissions = append(spec.Commissions, rule)
	}
	return spec, nil
}

func (r *resolver) commission(field string, cr CommissionRequest) (workflows.CommissionRule, error) {
	rate, err := money.ParseRate(cr.Rate)
	if err != nil {
		return workflows.CommissionRule{}, &InputError{
			Field:  field + ".rate",
			Reason: "a ratio between 0 and 1, e.g. \"0.10\"",
		}
	}
	rc, ok := r.receivers[cr.ReceiverID]
	if !ok {
		rc, err = r.dir.Receiver(r.ctx, r.channel, cr.ReceiverID)
		switch {
		case errors.Is(err, ErrUnknown) || cr.ReceiverID == "":
			return workflows.CommissionRule{}, &InputError{Field: field + ".receiver_id",
				Reason: fmt.Sprintf("no receiver %q: register it first", cr.ReceiverID)}
		case err != nil:
			return workflows.CommissionRule{}, err
		}
		r.receivers[cr.ReceiverID] = rc
	}
	if !rc.Active {
		return workflows.CommissionRule{}, &InputError{Field: field + ".receiver_id",
			Reason: fmt.Sprintf("receiver %q is not active on %s", rc.ID, r.channel)}
	}
	return workflows.CommissionRule{
		ReceiverID: rc.ID,
		Role:       Roles[rc.Relation],
		Type:       rc.Type,
		Account:    rc.Account,
		Rate:       rate,
	}, nil
}

// priceItems sets a sub-order's amount and subsidy from its items and coupon; an amount or subsidy the caller
// gave as well must agree.
func priceItems(spec *workflows.SubOrderSpec, s SubOrderRequest, field string) error {
	if len(s.Items) == 0 {
		if s.Coupon != nil {
			return &InputError{Field: field + ".coupon", Reason: "a coupon needs the items it applies to"}
		}
		return nil
	}
	seen := map[string]bool{}
	for i, it := range s.Items {
		if !workflows.ValidKey(it.SKU, 1, 64) || seen[it.SKU] {
			return &InputError{Field: fmt.Sprintf("%s.items[%d].sku", field, i),
				Reason: "required, unique in the sub-order, 1 to 64 of A-Z a-z 0-9 _ -"}
		}
		if it.UnitPrice <= 0 || it.Quantity <= 0 || it.Quantity > 10000 {
			return &InputError{Field: fmt.Sprintf("%s.items[%d]", field, i),
				Reason: "unit_price must be positive fen and quantity 1..10000"}
		}
		seen[it.SKU] = true
		spec.Items = append(spec.Items, workflows.Item{SKU: it.SKU, UnitPrice: it.UnitPrice, Quantity: it.Quantity})
	}
	if c := s.Coupon; c != nil {
		spec.Coupon = &workflows.Coupon{Threshold: c.Threshold, Discount: c.Discount, FundedBy: c.FundedBy}
	}
	price, err := workflows.PriceItems(spec.Items, spec.Coupon)
	if err != nil {
		return &InputError{Field: field + ".coupon", Reason: err.Error()}
	}
	if (s.Amount != 0 && s.Amount != price.BuyerPays) || (s.Subsidy != 0 && s.Subsidy != price.Subsidy) {
		return &InputError{Field: field + ".amount", Reason: fmt.Sprintf(
			"the items and coupon come to %s paid and %s subsidy; omit amount and subsidy or match them",
			price.BuyerPays,
			price.Subsidy,
		)}
	}
	spec.Amount, spec.Subsidy = price.BuyerPays, price.Subsidy
	return nil
}

// Fingerprint identifies a request's content, so a repeat under the same order number is recognised.
func Fingerprint(req Request) string {
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
