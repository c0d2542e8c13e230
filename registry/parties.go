package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/mask"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// MerchantRequest registers a shop that already has a sub-merchant id at the channel (onboarded outside
// SplitPay); a shop onboarded through /v1/onboardings becomes a merchant when the channel activates it.
type MerchantRequest struct {
	ID          string `json:"id"`
	Channel     string `json:"channel,omitempty"` // default wechatpay
	SubMchID    string `json:"sub_mchid"`
	DisplayName string `json:"display_name"`
}

// RegisterMerchant stores the merchant as active. Repeating it updates the name.
func (r *Registry) RegisterMerchant(ctx context.Context, req MerchantRequest) (ledger.Merchant, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	switch {
	case !workflows.ValidKey(req.ID, 1, 64):
		return ledger.Merchant{}, &starter.InputError{
			Field:  "id",
			Reason: "1 to 64 characters of A-Z, a-z, 0-9, _ and -",
		}
	case req.Channel != channels.WeChatPay:
		return ledger.Merchant{}, &starter.InputError{Field: "channel", Reason: "only wechatpay is available"}
	case !digits(req.SubMchID, 8, 16):
		return ledger.Merchant{}, &starter.InputError{
			Field:  "sub_mchid",
			Reason: "the channel's sub-merchant id: 8 to 16 digits",
		}
	case req.DisplayName == "" || len(req.DisplayName) > 128:
		return ledger.Merchant{}, &starter.InputError{Field: "display_name", Reason: "required, at most 128 bytes"}
	}
	m := ledger.Merchant{
		ID:          req.ID,
		Channel:     req.Channel,
		SubMchID:    req.SubMchID,
		Status:      ledger.MerchantActive,
		DisplayName: req.DisplayName,
	}
	if err := r.Ledger.UpsertMerchant(ctx, m); err != nil {
		return ledger.Merchant{}, forCaller(err, "merchant "+req.ID)
	}
	return m, nil
}

// ReceiverRequest registers a profit-sharing receiver: the platform itself, a supplier (a merchant) or a
// distributor (a person, by openid).
type ReceiverRequest struct {
	ID       string `json:"id"` // "platform" for the platform's own commission account
	Channel  string `json:"channel,omitempty"`
	Type     string `json:"type"`     // MERCHANT_ID | PERSONAL_OPENID
	Account  string `json:"account"`  // merchant id or openid
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
		ID:       req.ID,
		Channel:  req.Channel,
		Type:     req.Type,
		Account:  req.Account,
		Relation: req.Relation,
		Name:     req.Name,
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
	invalid := func(field, reason string) error { return &starter.InputError{Field: field, Reason: reason} }
	switch {
	case !workflows.ValidKey(req.ID, 1, 64):
		return invalid("id", "1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	case req.Channel != channels.WeChatPay:
		return invalid("channel", "only wechatpay is available")
	case req.Type != channels.ReceiverMerchant && req.Type != channels.ReceiverPersonal:
		return invalid("type", "MERCHANT_ID or PERSONAL_OPENID")
	case req.Account == "" || len(req.Account) > 64:
		return invalid("account", "required, at most 64 characters")
	case req.Type == channels.ReceiverMerchant && !digits(req.Account, 8, 16):
		return invalid("account", "a merchant receiver's account is its merchant id: 8 to 16 digits")
	case req.Type == channels.ReceiverPersonal && !workflows.ValidKey(req.Account, 1, 64):
		return invalid("account", "a person's account is an openid: 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
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

func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
