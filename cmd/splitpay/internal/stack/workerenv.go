package stack

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"

	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

// WorkerEnv is the configuration a `splitpay worker` process needs to work beside this stack on its task queue:
// the embedded simulators' addresses, with the keys written into dir. The caller adds the database, Temporal
// and payload-key settings, which it shares with the stack already.
func (s *Stack) WorkerEnv(dir string) ([]string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.simKey)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(s.Sim.PublicKey())
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"apiclient_key.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"wx-public.pem":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
	}
	if s.AliSim != nil {
		k := s.AliSim.Keys
		files["alipay-app-private.pem"] = []byte(alisim.PrivateKeyPEM(k.AppPrivateKey))
		files["alipay-public.pem"] = []byte(alisim.PublicKeyPEM(&k.AlipayPrivateKey.PublicKey))
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	env := []string{
		"SPLITPAY_TASK_QUEUE=" + s.opts.TaskQueue,
		"SPLITPAY_WECHATPAY_BASE_URL=" + s.SimURL,
		"SPLITPAY_WECHATPAY_MCHID=" + SimSpMchID,
		"SPLITPAY_WECHATPAY_APPID=" + SimSpAppID,
		"SPLITPAY_WECHATPAY_CERT_SERIAL=" + simCertSerial,
		"SPLITPAY_WECHATPAY_PRIVATE_KEY_FILE=" + filepath.Join(dir, "apiclient_key.pem"),
		"SPLITPAY_WECHATPAY_APIV3_KEY=" + s.simAPIv3Key,
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_ID=" + s.Sim.KeyID,
		"SPLITPAY_WECHATPAY_PUBLIC_KEY_FILE=" + filepath.Join(dir, "wx-public.pem"),
	}
	if s.AliSim != nil {
		env = append(env, "SPLITPAY_ALIPAY_APP_ID="+SimAlipayAppID, "SPLITPAY_ALIPAY_GATEWAY="+s.AliSimURL,
			"SPLITPAY_ALIPAY_PRIVATE_KEY_FILE="+filepath.Join(dir, "alipay-app-private.pem"),
			"SPLITPAY_ALIPAY_PUBLIC_KEY_FILE="+filepath.Join(dir, "alipay-public.pem"))
	}
	return env, nil
}
