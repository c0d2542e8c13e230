package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels/alipay"
	"github.com/splitpay/splitpay/channels/wechatpay"
)

// channelSettings configure the live channels. A channel without its id set is not live: `dev` and `demo` run
// its embedded simulator.
var channelSettings = []setting{
	{
		"SPLITPAY_WECHATPAY_BASE_URL",
		"wechatpay-base-url",
		"https://api.mch.weixin.qq.com",
		"WeChat Pay API host (or a `splitpay sim wechatpay`)",
		func(c *config) *string { return &c.WeChatBaseURL },
	},
	{
		"SPLITPAY_WECHATPAY_MCHID",
		"wechatpay-mchid",
		"",
		"the platform's merchant id; empty: dev and demo use the embedded simulator",
		func(c *config) *string { return &c.WeChatMchID },
	},
	{
		"SPLITPAY_WECHATPAY_APPID",
		"wechatpay-appid",
		"",
		"the platform's appid",
		func(c *config) *string { return &c.WeChatAppID },
	},
	{
		"SPLITPAY_WECHATPAY_CERT_SERIAL",
		"wechatpay-cert-serial",
		"",
		"serial of the platform's API certificate",
		func(c *config) *string { return &c.WeChatCertSerial },
	},
	{
		"SPLITPAY_WECHATPAY_PRIVATE_KEY_FILE",
		"wechatpay-private-key-file",
		"",
		"PEM file: apiclient_key.pem",
		func(c *config) *string { return &c.WeChatPrivateKey },
	},
	{
		"SPLITPAY_WECHATPAY_APIV3_KEY",
		"wechatpay-apiv3-key",
		"",
		"the 32-byte APIv3 key (decrypts notifications)",
		func(c *config) *string { return &c.WeChatAPIv3Key },
	},
	{
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_ID",
		"wechatpay-public-key-id",
		"",
		"PUB_KEY_ID_… of WeChat Pay's public key",
		func(c *config) *string { return &c.WeChatPublicKeyID },
	},
	{
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_FILE",
		"wechatpay-public-key-file",
		"",
		"PEM file: WeChat Pay's public key",
		func(c *config) *string { return &c.WeChatPublicKeyFile },
	},
	{
		"SPLITPAY_ALIPAY_APP_ID",
		"alipay-app-id",
		"",
		"the platform's Alipay app id; empty: dev and demo use the embedded alisim, api and worker take no Alipay orders",
		func(c *config) *string { return &c.AlipayAppID },
	},
	{
		"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE",
		"alipay-private-key-file",
		"",
		"the app's RSA private key (PEM, or the bare base64 Alipay's key tool writes)",
		func(c *config) *string { return &c.AlipayPrivateKeyFile },
	},
	{
		"SPLITPAY_ALIPAY_PUBLIC_KEY_FILE",
		"alipay-public-key-file",
		"",
		"public-key mode: Alipay's public key",
		func(c *config) *string { return &c.AlipayPublicKeyFile },
	},
	{
		"SPLITPAY_ALIPAY_APP_CERT_FILE",
		"alipay-app-cert-file",
		"",
		"certificate mode (公钥证书): the app's certificate; with the two below instead of the public key",
		func(c *config) *string { return &c.AlipayAppCertFile },
	},
	{
		"SPLITPAY_ALIPAY_ROOT_CERT_FILE",
		"alipay-root-cert-file",
		"",
		"certificate mode: Alipay's root certificate",
		func(c *config) *string { return &c.AlipayRootCertFile },
	},
	{
		"SPLITPAY_ALIPAY_CERT_FILE",
		"alipay-cert-file",
		"",
		"certificate mode: Alipay's public-key certificate",
		func(c *config) *string { return &c.AlipayCertFile },
	},
	{
		"SPLITPAY_ALIPAY_GATEWAY",
		"alipay-gateway",
		alipay.ProductionGateway,
		"Alipay's gateway: production, the sandbox (" + alipay.SandboxGateway + ") or a `splitpay sim alipay`",
		func(c *config) *string { return &c.AlipayGateway },
	},
}

// wechatPay builds the live adapter from the SPLITPAY_WECHATPAY_* settings; nil when no merchant id is set.
func (c *config) wechatPay(ctx context.Context) (*wechatpay.Client, error) {
	if c.WeChatMchID == "" {
		return nil, nil
	}
	missing := []string{}
	for name, v := range map[string]string{"SPLITPAY_WECHATPAY_CERT_SERIAL": c.WeChatCertSerial, "SPLITPAY_WECHATPAY_PRIVATE_KEY_FILE": c.WeChatPrivateKey,
		"SPLITPAY_WECHATPAY_APIV3_KEY": c.WeChatAPIv3Key, "SPLITPAY_WECHATPAY_PUBLIC_KEY_ID": c.WeChatPublicKeyID,
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_FILE": c.WeChatPublicKeyFile} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf(
			"WeChat Pay: SPLITPAY_WECHATPAY_MCHID is set, so these are required too: %s",
			strings.Join(missing, ", "),
		)
	}
	key, err := utils.LoadPrivateKeyWithPath(c.WeChatPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("SPLITPAY_WECHATPAY_PRIVATE_KEY_FILE: %w", err)
	}
	pub, err := utils.LoadPublicKeyWithPath(c.WeChatPublicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("SPLITPAY_WECHATPAY_PUBLIC_KEY_FILE: %w", err)
	}
	return wechatpay.New(ctx, wechatpay.Config{BaseURL: c.WeChatBaseURL, SpMchID: c.WeChatMchID, SpAppID: c.WeChatAppID,
		MerchantCertSerial: c.WeChatCertSerial, MerchantPrivateKey: key, APIv3Key: c.WeChatAPIv3Key,
		WechatPayPublicKeyID: c.WeChatPublicKeyID, WechatPayPublicKey: pub})
}

// alipayClient builds the live Alipay adapter from the SPLITPAY_ALIPAY_* settings; nil when no app id is set.
// Exactly one key mode must be configured: Alipay's public key, or the three certificates.
func (c *config) alipayClient() (*alipay.Client, error) {
	if c.AlipayAppID == "" {
		return nil, nil
	}
	read := func(name, path string) (string, error) {
		if path == "" {
			return "", nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return string(b), nil
	}
	cfg := alipay.Config{AppID: c.AlipayAppID, Gateway: c.AlipayGateway,
		Production: c.AlipayGateway == alipay.ProductionGateway}
	for _, f := range []struct {
		name, path string
		dst        *string
	}{
		{"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE", c.AlipayPrivateKeyFile, &cfg.PrivateKey},
		{"SPLITPAY_ALIPAY_PUBLIC_KEY_FILE", c.AlipayPublicKeyFile, &cfg.AlipayPublicKey},
		{"SPLITPAY_ALIPAY_APP_CERT_FILE", c.AlipayAppCertFile, &cfg.AppCert},
		{"SPLITPAY_ALIPAY_ROOT_CERT_FILE", c.AlipayRootCertFile, &cfg.AlipayRootCert},
		{"SPLITPAY_ALIPAY_CERT_FILE", c.AlipayCertFile, &cfg.AlipayCert},
	} {
		v, err := read(f.name, f.path)
		if err != nil {
			return nil, err
		}
		*f.dst = v
	}
	certs := cfg.AppCert != "" && cfg.AlipayRootCert != "" && cfg.AlipayCert != ""
	switch {
	case cfg.PrivateKey == "":
		return nil, fmt.Errorf("Alipay: SPLITPAY_ALIPAY_APP_ID is set, so SPLITPAY_ALIPAY_PRIVATE_KEY_FILE is required")
	case (cfg.AlipayPublicKey != "") == certs:
		return nil, fmt.Errorf("Alipay: set SPLITPAY_ALIPAY_PUBLIC_KEY_FILE, or all three of " +
			"SPLITPAY_ALIPAY_APP_CERT_FILE, _ROOT_CERT_FILE and _CERT_FILE (one key mode)")
	}
	return alipay.New(cfg)
}
