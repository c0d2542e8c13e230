// Package wechatpay is the WeChat Pay APIv3 adapter for 电商收付通 / 平台收付通 (platform-merchant mode). It uses
// wechatpay-go's core.Client for request signing, response verification and sensitive-field encryption, and
// its notify handler for notifications; the SDK has no /v3/ecommerce or /v3/combine-transactions services, so
// the request and response structs for those are ours.
package wechatpay

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/cipher/decryptors"
	"github.com/wechatpay-apiv3/wechatpay-go/core/cipher/encryptors"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// DefaultBaseURL is WeChat Pay's primary API host.
const DefaultBaseURL = "https://api.mch.weixin.qq.com"

// Config is what the adapter needs to act as the platform. Secrets (the private key, the APIv3 key) are
// never logged: Config implements slog.LogValuer.
type Config struct {
	BaseURL            string // DefaultBaseURL, or a simulator
	SpMchID            string // the platform's merchant id (all calls are the platform's)
	SpAppID            string
	MerchantCertSerial string          // serial of the platform's API certificate
	MerchantPrivateKey *rsa.PrivateKey // apiclient_key.pem
	APIv3Key           string          // 32 bytes: decrypts notifications

	// Exactly one way to verify WeChat Pay: its public key ("微信支付公钥", mandatory for new merchants) …
	WechatPayPublicKeyID string // PUB_KEY_ID_…
	WechatPayPublicKey   *rsa.PublicKey
	// … or its platform certificates.
	PlatformCertificates []*x509.Certificate

	HTTPClient *http.Client // default: 30 s timeout
	Limits     channels.Limits
}

// Client is the adapter. It implements channels.Payments, ProfitSharing, Subsidies, Refunds, Notifications.
type Client struct {
	cfg      Config
	base     string
	api      *core.Client
	download *core.Client // bill files: requests signed, answers not (the SDK's WithoutValidator)
	notify   *notify.Handler
}

var (
	_ channels.Payments      = (*Client)(nil)
	_ channels.ProfitSharing = (*Client)(nil)
	_ channels.Subsidies     = (*Client)(nil)
	_ channels.Refunds       = (*Client)(nil)
	_ channels.Notifications = (*Client)(nil)
)

// New builds the adapter; it does no network I/O.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Limits == (channels.Limits{}) {
		cfg.Limits = channels.WeChatLimits()
	}
	switch {
	case cfg.SpMchID == "":
		return nil, errors.New("wechatpay: SpMchID is required")
	case cfg.MerchantPrivateKey == nil || cfg.MerchantCertSerial == "":
		return nil, errors.New("wechatpay: MerchantPrivateKey and MerchantCertSerial are required")
	case len(cfg.APIv3Key) != 32:
		return nil, errors.New("wechatpay: APIv3Key must be 32 bytes")
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	opts, verifier, err := authOptions(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	api, err := core.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %w", err)
	}
	download, err := core.NewClient(
		ctx,
		option.WithHTTPClient(httpClient),
		option.WithMerchantCredential(
			cfg.SpMchID,
			cfg.MerchantCertSerial,
			cfg.MerchantPrivateKey,
		),
		option.WithoutValidator(),
	)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: bill download client: %w", err)
	}
	nh, err := notify.NewRSANotifyHandler(cfg.APIv3Key, verifier)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: notify handler: %w", err)
	}
	return &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), api: api, download: download, notify: nh}, nil
}

// Limits returns the configured channel limits.
func (c *Client) Limits() channels.Limits { return c.cfg.Limits }

func (c *Client) url(path string, query url.Values) string {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// do sends one request and decodes a 2xx JSON answer into out (nil for 204). The body is encrypted first when
// it has fields tagged `encryption:"EM_APIV3"`.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	if body != nil {
		if _, err := c.api.EncryptRequest(ctx, body); err != nil {
			return fmt.Errorf("wechatpay: encrypt sensitive fields: %w", err)
		}
	}
	var res *core.APIResult
	var err error
	switch method {
	case http.MethodGet:
		res, err = c.api.Get(ctx, c.url(path, query))
	case http.MethodPost:
		res, err = c.api.Post(ctx, c.url(path, query), body)
	default:
		return fmt.Errorf("wechatpay: method %s not used", method)
	}
	if err != nil {
		return classify(err)
	}
	defer res.Response.Body.Close()
	if out == nil || res.Response.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := core.UnMarshalResponse(res.Response, out); err != nil {
		return &channels.BusinessError{Channel: channels.WeChatPay, HTTPStatus: res.Response.StatusCode,
			Code: "BAD_RESPONSE", Message: err.Error(), Retryable: true}
	}
	return nil
}

// classify turns the SDK's errors into channels.BusinessError: the channel's code and whether to retry.
func classify(err error) error {
	var apiErr *core.APIError
	if errors.As(err, &apiErr) {
		be := &channels.BusinessError{
			Channel:    channels.WeChatPay,
			HTTPStatus: apiErr.StatusCode,
			Code:       apiErr.Code,
			Message:    apiErr.Message,
		}
		if detail, ok := apiErr.Detail.(map[string]any); ok {
			if f, ok := detail["field"].(string); ok {
				be.Field = f
			}
		}
		if be.Code == "" {
			be.Code = fmt.Sprintf("HTTP_%d", apiErr.StatusCode)
		}
		be.Retryable, be.Reason = wire.Classify(be.Code, be.HTTPStatus)
		return be
	}
	// No verified answer: a timeout, a refused connection, or a response whose signature did not verify. The
	// request carries our out-number, so repeating it is safe.
	code := channels.CodeTimeout
	if strings.Contains(err.Error(), "validate") {
		code = "RESPONSE_UNVERIFIED"
	}
	return &channels.BusinessError{Channel: channels.WeChatPay, Code: code, Message: err.Error(), Retryable: true}
}

// authOptions are the SDK's signing, verification and encryption options for the configured mode: WeChat
// Pay's public key (the current mode), or platform certificates (the older one). The verifier checks
// notifications the same way.
func authOptions(cfg Config, httpClient *http.Client) ([]core.ClientOption, auth.Verifier, error) {
	opts := []core.ClientOption{option.WithHTTPClient(httpClient)}
	var verifier auth.Verifier
	switch {
	case cfg.WechatPayPublicKey != nil && cfg.WechatPayPublicKeyID != "":
		opts = append(opts, option.WithWechatPayPublicKeyAuthCipher(cfg.SpMchID, cfg.MerchantCertSerial,
			cfg.MerchantPrivateKey, cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey))
		verifier = verifiers.NewSHA256WithRSAPubkeyVerifier(cfg.WechatPayPublicKeyID, *cfg.WechatPayPublicKey)
	case len(cfg.PlatformCertificates) > 0:
		certs := core.NewCertificateMapWithList(cfg.PlatformCertificates)
		opts = append(
			opts,
			option.WithMerchantCredential(cfg.SpMchID, cfg.MerchantCertSerial, cfg.MerchantPrivateKey),
			option.WithVerifier(verifiers.NewSHA256WithRSAVerifier(certs)),
			option.WithWechatPayCipher(
				encryptors.NewWechatPayEncryptor(certs),
				decryptors.NewWechatPayDecryptor(cfg.MerchantPrivateKey),
			),
		)
		verifier = verifiers.NewSHA256WithRSAVerifier(certs)
	default:
		return nil, nil, errors.New("wechatpay: configure WechatPayPublicKey(+ID) or PlatformCertificates")
	}
	return opts, verifier, nil
}
