package wxsim

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// verify checks a base64 RSA-SHA256 (PKCS#1 v1.5) signature, as WeChat Pay does for merchants' requests.
func verify(pub *rsa.PublicKey, message, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(message))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
}

// decryptField opens a sensitive field the merchant encrypted with the simulator's public key (RSA-OAEP).
func (s *Sim) decryptField(ciphertext string) (string, error) {
	return utils.DecryptOAEP(ciphertext, s.PrivateKey)
}

// seal encrypts a notification resource with AEAD_AES_256_GCM under the merchant's APIv3 key.
func seal(apiV3Key, nonce, associatedData string, plaintext []byte) (string, error) {
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))), nil
}

// selfSigned makes the simulator's platform certificate over its key, valid for a year from now.
func selfSigned(key *rsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 159))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA (SplitPay simulator)"},
		NotBefore: time.Now().
			Add(-time.Hour),
		NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
