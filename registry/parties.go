package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/internal/mask"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// MerchantRequest registers a shop that already has a sub-merchant id at the channel (until onboarding
// lands, this is how a shop becomes able to sell).
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

// LogValue keeps the person's name out of logs.
func (r ReceiverRequest) LogValue() any {
	return struct{ ID, Type, Account, Name, Relation string }{r.ID, r.Type, r.Account, mask.Name(r.Name), r.Relation}
}

// RegisterReceiver adds the receiver at the channel (idempotent there) and stores it with its name masked.
// The platform's own account receives without being added.
func (r *Registry) RegisterReceiver(ctx context.Context, req ReceiverRequest) (ledger.Receiver, error) {
	if req.Channel == "" {
		req.Channel = channels.WeChatPay
	}
	switch {
	case !workflows.ValidKey(req.ID, 1, 64):
		return ledger.Receiver{}, &starter.InputError{
			Field:  "id",
			Reason: "1 to 64 characters of A-Z, a-z, 0-9, _ and -",
		}
	case req.Channel != channels.WeChatPay:
		return ledger.Receiver{}, &starter.InputError{Field: "channel", Reason: "only wechatpay is available"}
	case req.Type != channels.ReceiverMerchant && req.Type != channels.ReceiverPersonal:
		return ledger.Receiver{}, &starter.InputError{Field: "type", Reason: "MERCHANT_ID or PERSONAL_OPENID"}
	case req.Account == "" || len(req.Account) > 64:
		return ledger.Receiver{}, &starter.InputError{Field: "account", Reason: "required, at most 64 characters"}
	case req.Type == channels.ReceiverMerchant && !digits(req.Account, 8, 16):
		return ledger.Receiver{}, &starter.InputError{
			Field:  "account",
			Reason: "a merchant receiver's account is its merchant id: 8 to 16 digits",
		}
	case req.Type == channels.ReceiverPersonal && !workflows.ValidKey(req.Account, 1, 64):
		return ledger.Receiver{}, &starter.InputError{
			Field:  "account",
			Reason: "a person's account is an openid: 1 to 64 characters of A-Z, a-z, 0-9, _ and -",
		}
	case req.Name == "" || len(req.Name) > 256:
		return ledger.Receiver{}, &starter.InputError{Field: "name", Reason: "required, at most 256 bytes"}
	case cart.Roles[req.Relation] == "":
		return ledger.Receiver{}, &starter.InputError{Field: "relation", Reason: "PLATFORM, SUPPLIER or DISTRIBUTOR"}
	case (req.Relation == "PLATFORM") != (req.ID == "platform"):
		return ledger.Receiver{}, &starter.InputError{
			Field:  "relation",
			Reason: `the platform's receiver has id "platform" and relation PLATFORM`,
		}
	}
	if req.Relation != "PLATFORM" {
		ch, ok := r.Receivers[req.Channel]
		if !ok {
			return ledger.Receiver{}, fmt.Errorf("registry: no %s channel configured to add receivers", req.Channel)
		}
		err := ch.AddReceiver(
			ctx,
			channels.ReceiverRegistration{
				Type:         req.Type,
				Account:      req.Account,
				Name:         req.Name,
				RelationType: req.Relation,
			},
		)
		var be *channels.BusinessError
		if errors.As(err, &be) && !be.Retryable {
			return ledger.Receiver{}, &starter.ChannelError{Code: be.Code, Message: be.Message}
		}
		if err != nil {
			return ledger.Receiver{}, fmt.Errorf("add receiver at the channel: %w", err)
		}
	}
	rc := ledger.Receiver{
		ID:       req.ID,
		Channel:  req.Channel,
		Type:     req.Type,
		Account:  req.Account,
		Relation: req.Relation,
		Name:     req.Name,
	}
	if err := r.Ledger.UpsertReceiver(ctx, rc); err != nil {
		return ledger.Receiver{}, forCaller(err, "receiver "+req.ID)
	}
	rc.Name, rc.Status = mask.Name(req.Name), ledger.ReceiverActive
	return rc, nil
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
