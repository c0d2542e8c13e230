// Package alipay is the Alipay 直付通 adapter over github.com/smartwalle/alipay/v3: the library signs every
// request (RSA2), verifies every answer and notification, in public-key or certificate mode, against a
// configurable gateway (production, Alipay's sandbox, or alisim). Calls the library has no typed form for
// (settle confirm, order settle with royalty_finish, settle query, royalty relations, merge precreate) go through
// its generic Payload with the shapes in channels/alipay/wire; nothing is signed by hand.
package alipay

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
)

// Gateways.
const (
	ProductionGateway = "https://openapi.alipay.com/gateway.do"
	SandboxGateway    = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
)

// Config is an app's credentials and where to reach Alipay.
type Config struct {
	AppID      string
	PrivateKey string // the app's RSA private key, PEM or bare base64, PKCS#1 or PKCS#8
	// Public-key mode: Alipay's public key …
	AlipayPublicKey string
	// … or certificate mode (公钥证书): the app's certificate, Alipay's root certificate and Alipay's certificate.
	AppCert, AlipayRootCert, AlipayCert string
	Gateway                             string // default SandboxGateway; ProductionGateway when Production
	Production                          bool
	HTTPClient                          *http.Client // default: 30 s timeout
	Limits                              channels.Limits
}

// Client is the adapter.
type Client struct {
	cfg Config
	api *alipay.Client
}

var (
	_ channels.Payments      = (*Client)(nil)
	_ channels.ProfitSharing = (*Client)(nil)
	_ channels.Refunds       = (*Client)(nil)
	_ channels.Notifications = (*Client)(nil)
)

// New builds the adapter; it does no network I/O.
func New(cfg Config) (*Client, error) {
	if cfg.Limits == (channels.Limits{}) {
		cfg.Limits = channels.AlipayLimits()
	}
	if cfg.Gateway == "" {
		cfg.Gateway = map[bool]string{true: ProductionGateway, false: SandboxGateway}[cfg.Production]
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.AppID == "" || cfg.PrivateKey == "" {
		return nil, errors.New("alipay: AppID and PrivateKey are required")
	}
	api, err := alipay.New(cfg.AppID, cfg.PrivateKey, cfg.Production, alipay.WithHTTPClient(cfg.HTTPClient),
		alipay.WithSandboxGateway(cfg.Gateway), alipay.WithProductionGateway(cfg.Gateway),
		alipay.WithTimeLocation(shanghai))
	if err != nil {
		return nil, fmt.Errorf("alipay: private key: %w", err)
	}
	switch {
	case cfg.AlipayPublicKey != "" && cfg.AlipayCert == "":
		err = api.LoadAliPayPublicKey(cfg.AlipayPublicKey)
	case cfg.AlipayCert != "" && cfg.AppCert != "" && cfg.AlipayRootCert != "" && cfg.AlipayPublicKey == "":
		err = errors.Join(api.LoadAppCertPublicKey(cfg.AppCert), api.LoadAliPayRootCert(cfg.AlipayRootCert),
			api.LoadAlipayCertPublicKey(cfg.AlipayCert))
	default:
		err = errors.New("configure AlipayPublicKey, or AppCert + AlipayRootCert + AlipayCert (not both modes)")
	}
	if err != nil {
		return nil, fmt.Errorf("alipay: %w", err)
	}
	return &Client{cfg: cfg, api: api}, nil
}

var shanghai = channels.ChinaTime

// Limits returns the configured limits.
func (c *Client) Limits() channels.Limits { return c.cfg.Limits }

// call sends method with biz as biz_content (and the extra common params) and reads the verified answer into
// out. A signed business failure is a BusinessError classified by wire.Classify; an answer that is not
// verified, or none at all, is retryable: every request carries our out-number, so repeating it is safe.
func (c *Client) call(ctx context.Context, method string, biz any, params map[string]string, out any) error {
	p := alipay.NewPayload(method)
	fields, err := toMap(biz)
	if err != nil {
		return err
	}
	for k, v := range fields {
		p.AddBizField(k, v)
	}
	for k, v := range params {
		p.AddParam(k, v)
	}
	var raw json.RawMessage
	if err := c.api.Request(ctx, p, &raw); err != nil {
		return classify(err)
	}
	var st wire.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return &channels.BusinessError{Channel: channels.Alipay, Code: "BAD_RESPONSE", Message: err.Error(),
			Retryable: true}
	}
	if !st.OK() {
		return businessError(st)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func businessError(st wire.Status) error {
	retry, reason := wire.Classify(st.Code, st.SubCode)
	code := st.SubCode
	if code == "" {
		code = st.Code
	}
	return &channels.BusinessError{Channel: channels.Alipay, Code: code, Reason: reason, Message: st.SubMsg,
		Retryable: retry}
}

// classify reads the library's errors: a gateway refusal it could not verify (*alipay.Error) by its codes,
// anything else (a timeout, a refused connection, a signature that did not verify) as retryable.
func classify(err error) error {
	var ae *alipay.Error
	if errors.As(err, &ae) {
		return businessError(wire.Status{Code: string(ae.Code), Msg: ae.Msg, SubCode: ae.SubCode, SubMsg: ae.SubMsg})
	}
	code := channels.CodeTimeout
	if errors.Is(err, alipay.ErrBadResponse) || errors.Is(err, alipay.ErrSignNotFound) ||
		errors.Is(err, alipay.ErrAliPublicKeyNotFound) || errors.Is(err, rsa.ErrVerification) {
		code = "RESPONSE_UNVERIFIED"
	}
	return &channels.BusinessError{Channel: channels.Alipay, Code: code, Message: err.Error(), Retryable: true}
}

// unsupported is the refusal of an operation 直付通 does not have (a standalone return, a withdrawal).
func unsupported(what string) error {
	return &channels.BusinessError{Channel: channels.Alipay, Code: "NOT_SUPPORTED", Reason: channels.ReasonInvalid,
		Message: what + " is not an Alipay 直付通 operation"}
}
