package alisim

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Keys are what a sandbox's key tool hands out: the app's key pair, Alipay's key pair, and for certificate mode
// a root certificate that signs the app's and Alipay's public-key certificates. All are fresh per simulator.
type Keys struct {
	AppPrivateKey    *rsa.PrivateKey
	AlipayPrivateKey *rsa.PrivateKey
	RootCert         *x509.Certificate
	AppCert          *x509.Certificate
	AlipayCert       *x509.Certificate
}

func newKeys() (Keys, error) {
	var k Keys
	var err error
	if k.AppPrivateKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	if k.AlipayPrivateKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return k, err
	}
	root := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "alisim Root CA",
		Organization: []string{"alisim"}}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	if k.RootCert, err = issue(root, root, &rootKey.PublicKey, rootKey); err != nil {
		return k, err
	}
	leaf := func(serial int64, cn string, pub *rsa.PublicKey) (*x509.Certificate, error) {
		return issue(&x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature}, k.RootCert, pub, rootKey)
	}
	if k.AppCert, err = leaf(2, "alisim app", &k.AppPrivateKey.PublicKey); err != nil {
		return k, err
	}
	k.AlipayCert, err = leaf(3, "alisim Alipay", &k.AlipayPrivateKey.PublicKey)
	return k, err
}

func issue(tmpl, parent *x509.Certificate, pub *rsa.PublicKey, signer *rsa.PrivateKey) (*x509.Certificate, error) {
	tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// CertSN is Alipay's certificate serial: the hex MD5 of the issuer's distinguished name and the decimal serial.
func CertSN(c *x509.Certificate) string {
	sum := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:])
}

// PEM encodings for clients' configuration.

// PrivateKeyPEM is a PKCS#1 PEM of key.
func PrivateKeyPEM(key *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// PublicKeyPEM is a PKIX PEM of key.
func PublicKeyPEM(key *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// CertPEM is a certificate's PEM.
func CertPEM(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// signingString is Alipay's canonical string of a form: every non-empty parameter but the excluded ones, as
// k=v sorted by key and joined with &. Written here from the document, not borrowed from the SDK, so the
// simulator checks the SDK's signing instead of agreeing with it by construction.
func signingString(form url.Values, exclude ...string) string {
	var pairs []string
	for k, vs := range form {
		if slices.Contains(exclude, k) {
			continue
		}
		for _, v := range vs {
			if v != "" {
				pairs = append(pairs, k+"="+v)
			}
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func signRSA2(key *rsa.PrivateKey, data []byte) string {
	h := sha256.Sum256(data)
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	return base64.StdEncoding.EncodeToString(sig)
}

func verifyRSA2(pub *rsa.PublicKey, data []byte, sig string) error {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return errors.New("signature is not base64")
	}
	h := sha256.Sum256(data)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], raw)
}
