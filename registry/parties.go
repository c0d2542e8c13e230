package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/mask"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// MerchantRequest registers a shop that already has a sub-merchant id at the channel (onboarded outside
// SplitPay); a shop onboarded through /v1/onboardings becomes a merchant when the channel activates it.
// A shop selling on two channels is registered once per channel, under the same id.
type MerchantRequest struct {
	ID            string `json:"id"`
	Channel       string `json:"channel,omitempty"` // default wechatpay
	SubMchID      string `json:"sub_mchid"`         // WeChat Pay's sub_mchid, or Alipay's smid
	SettleAccount string `json:"settle_account,omitempty"`
	DisplayName   string `json:"display_name"`
}

// RegisterMerchant stores the merchant as active on its channel and opens its ledger accounts there.
// Repeating it updates the name.
func (r *Registry) RegisterMerchant(ctx context.Context, req MerchantRequest) (ledger.Merchant, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	if err := req.validate(); err != nil {
		return ledger.Merchant{}, err
	}
	m := ledger.Merchant{
		ID:            req.ID,
		Channel:       req.Channel,
		SubMchID:      req.SubMchID,
		SettleAccount: req.SettleAccount,
		Status:        ledger.MerchantActive,
		DisplayName:   req.DisplayName,
	}
	if err := r.Ledger.UpsertMerchant(ctx, m); err != nil {
		return ledger.Merchant{}, forCaller(err, "merchant "+req.ID)
	}
	return m, r.Ledger.OpenMerchantAccounts(ctx, m.Channel, m.ID)
}

func invalid(field, reason string) error { return &starter.InputError{Field: field, Reason: reason} }

// party checks what every party has: an id of ours and a channel we speak, whose id format it answers.
func party(id, channel string) (channels.IDFormat, error) {
	ids, _ := channels.IDFormatOf(channel)
	if !workflows.ValidKey(id, 1, 64) {
		return ids, invalid("id", "1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	}
	return ids, knownChannel(channel)
}

// knownChannel refuses, naming the field, a channel SplitPay does not speak.
func knownChannel(channel string) error {
	if _, known := channels.IDFormatOf(channel); !known {
		return invalid("channel", "one of "+strings.Join(channels.Names, ", "))
	}
	return nil
}

func (req MerchantRequest) validate() error {
	ids, err := party(req.ID, req.Channel)
	switch {
	case err != nil:
		return err
	case !ids.Merchant.MatchString(req.SubMchID):
		return invalid("sub_mchid", "the shop's id at the channel: "+ids.Says["merchant"])
	case ids.Settle == nil && req.SettleAccount != "":
		return invalid("settle_account", req.Channel+" takes no settlement account")
	case ids.Settle != nil && !ids.Settle.MatchString(req.SettleAccount):
		return invalid("settle_account", "the account the shop's money settles to (and is frozen in for sharing): "+
			ids.Says["settle"])
	case req.DisplayName == "" || len(req.DisplayName) > 128:
		return invalid("display_name", "required, at most 128 bytes")
	}
	return nil
}

// ReceiverRequest registers a profit-sharing receiver: the platform itself, a supplier (a merchant) or a
// distributor (a person, by openid).
type ReceiverRequest struct {
	ID       string `json:"id"` // "platform" for the platform's own commission account
	Channel  string `json:"channel,omitempty"`
	Type     string `json:"type"`     // MERCHANT_ID | PERSONAL_OPENID
	Account  string `json:"account"`  // merchant id or openid; on Alipay a user id for both
	Name     string `json:"name"`     // full name; sent to the channel encrypted, stored masked
	Relation string `json:"relation"` // PLATFORM | SUPPLIER | DISTRIBUTOR
}

// LogValue keeps the person's name out of logs (slog.LogValuer).
func (r ReceiverRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", r.ID), slog.String("type", r.Type), slog.String("account", r.Account),
		slog.String("name", mask.Name(r.Name)), slog.String("relation", r.Relation))
}

// RegisterReceiver adds the receiver at the channel (idempotent there) and stores it with its name masked.
// The platform's own account receives without being added.
func (r *Registry) RegisterReceiver(ctx context.Context, req ReceiverRequest) (ledger.Receiver, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	if err := req.validate(); err != nil {
		return ledger.Receiver{}, err
	}
	rc := ledger.Receiver{
		ID:         req.ID,
		Channel:    req.Channel,
		Type:       req.Type,
		Account:    req.Account,
		Relation:   req.Relation,
		Name:       req.Name,
		Generation: 1,
	}
	switch prior, err := r.Ledger.GetReceiver(ctx, req.Channel, req.ID); {
	case err == nil && prior.Status == ledger.ReceiverRemoved:
		rc.Generation = prior.Generation + 1 // registered again after a removal: a new request at the channel
	case err == nil:
		rc.Generation = prior.Generation
	case !errors.Is(err, ledger.ErrNotFound):
		return ledger.Receiver{}, err
	}
	if err := r.atChannel(ctx, rc, channels.ProfitSharing.AddReceiver); err != nil {
		return ledger.Receiver{}, err
	}
	if err := r.Ledger.UpsertReceiver(ctx, rc); err != nil {
		return ledger.Receiver{}, forCaller(err, "receiver "+req.ID)
	}
	rc.Name, rc.Status = mask.Name(req.Name), ledger.ReceiverActive
	return rc, nil
}

func (req ReceiverRequest) validate() error {
	ids, err := party(req.ID, req.Channel)
	switch {
	case err != nil:
		return err
	case req.Type != channels.ReceiverMerchant && req.Type != channels.ReceiverPersonal:
		return invalid("type", "MERCHANT_ID or PERSONAL_OPENID")
	case req.Type == channels.ReceiverMerchant && !ids.Merchant.MatchString(req.Account):
		return invalid("account", "a merchant receiver's account is "+ids.Says["merchant"])
	case req.Type == channels.ReceiverPersonal && !ids.Person.MatchString(req.Account):
		return invalid("account", "a person's account is "+ids.Says["person"])
	case req.Name == "" || len(req.Name) > 256:
		return invalid("name", "required, at most 256 bytes")
	case cart.Roles[req.Relation] == "":
		return invalid("relation", "PLATFORM, SUPPLIER or DISTRIBUTOR")
	case (req.Relation == "PLATFORM") != (req.ID == "platform"):
		return invalid("relation", `the platform's receiver has id "platform" and relation PLATFORM`)
	}
	return nil
}

// atChannel adds or deletes (call) a receiver at its channel; the platform's own account needs neither. A
// channel's business refusal is a *starter.ChannelError.
func (r *Registry) atChannel(
	ctx context.Context,
	rc ledger.Receiver,
	call func(channels.ProfitSharing, context.Context, channels.ReceiverRegistration) error,
) error {
	if rc.Relation == "PLATFORM" {
		return nil
	}
	ch, ok := r.Receivers[rc.Channel]
	if !ok {
		return fmt.Errorf("registry: no %s channel configured for receivers", rc.Channel)
	}
	err := call(ch, ctx, channels.ReceiverRegistration{
		Type:         rc.Type,
		Account:      rc.Account,
		Name:         rc.Name,
		RelationType: rc.Relation,
		Generation:   rc.Generation,
	})
	var be *channels.BusinessError
	if errors.As(err, &be) && !be.Retryable {
		return &starter.ChannelError{Code: be.Code, Message: be.Message}
	}
	if err != nil {
		return fmt.Errorf("receiver %s at the channel: %w", rc.ID, err)
	}
	return nil
}
