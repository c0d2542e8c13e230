package wxsim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// apiError is an answer with the channel's error shape.
type apiError struct {
	status  int
	code    string
	message string
	field   string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func fail(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func paramError(field, format string, args ...any) *apiError {
	e := fail(http.StatusBadRequest, wire.CodeParamError, format, args...)
	e.field = field
	return e
}

// ServeHTTP authenticates the request, routes it, and answers with a signed body.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sim/") {
		s.serveControl(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.reply(w, 0, nil, fail(http.StatusBadRequest, wire.CodeParamError, "unreadable body"))
		return
	}
	platform, aerr := s.authenticate(r, body)
	if aerr != nil {
		s.reply(w, 0, nil, aerr)
		return
	}
	if r.URL.Path == wire.PathBillDownload {
		s.serveBill(w, r)
		return
	}
	if aerr := s.injectFault(r.URL.Path); aerr != nil {
		s.reply(w, 0, nil, aerr)
		return
	}
	status, out, aerr := s.route(platform, r, body)
	s.reply(w, status, out, aerr)
}

// authenticate checks the Authorization header: a registered merchant, its certificate serial, a timestamp
// within five minutes, and an RSA-SHA256 signature over METHOD\nURI\nTIMESTAMP\nNONCE\nBODY\n.
func (s *Sim) authenticate(r *http.Request, body []byte) (*Platform, *apiError) {
	h := r.Header.Get("Authorization")
	scheme, params, ok := strings.Cut(h, " ")
	if !ok || scheme != "WECHATPAY2-SHA256-RSA2048" {
		return nil, fail(http.StatusUnauthorized, wire.CodeSignError, "missing or unknown Authorization scheme")
	}
	kv := map[string]string{}
	for _, m := range authRe.FindAllStringSubmatch(params, -1) {
		kv[m[1]] = m[2]
	}
	s.mu.Lock()
	p := s.platforms[kv["mchid"]]
	s.mu.Unlock()
	if p == nil {
		return nil, fail(http.StatusUnauthorized, wire.CodeSignError, "unknown mchid %q", kv["mchid"])
	}
	if kv["serial_no"] != p.CertSerial {
		return nil, fail(
			http.StatusUnauthorized,
			wire.CodeSignError,
			"certificate serial does not match the merchant",
		)
	}
	ts, err := strconv.ParseInt(kv["timestamp"], 10, 64)
	if err != nil || math.Abs(float64(time.Now().Unix()-ts)) > 300 {
		return nil, fail(
			http.StatusUnauthorized,
			wire.CodeSignError,
			"timestamp missing or more than 5 minutes off",
		)
	}
	message := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n", r.Method, r.URL.RequestURI(), kv["timestamp"], kv["nonce_str"], body)
	if err := verify(p.PublicKey, message, kv["signature"]); err != nil {
		return nil, fail(http.StatusUnauthorized, wire.CodeSignError, "signature does not verify")
	}
	return p, nil
}

// injectFault draws the path's injected delay and failure from simkit, as alisim does.
func (s *Sim) injectFault(path string) *apiError {
	switch s.kit.Draw(path) {
	case simkit.SystemError:
		return fail(http.StatusInternalServerError, wire.CodeSystemError, "injected system error")
	case simkit.RateLimited:
		return fail(http.StatusTooManyRequests, wire.CodeFrequencyLimited, "injected rate limit")
	}
	return nil
}

// reply writes status and out (or the error) with the Wechatpay-* signature headers.
func (s *Sim) reply(w http.ResponseWriter, status int, out any, aerr *apiError) {
	var body []byte
	if aerr != nil {
		status = aerr.status
		e := wire.Error{Code: aerr.code, Message: aerr.message}
		if aerr.field != "" {
			e.Detail = map[string]any{"field": aerr.field}
		}
		body, _ = json.Marshal(e)
	} else if out != nil {
		body, _ = json.Marshal(out)
	}
	if status == 0 {
		status = http.StatusOK
	}
	s.sign(w.Header(), body, false)
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sign sets the four Wechatpay-* headers over TIMESTAMP\nNONCE\nBODY\n; probe marks WeChat's deliberate
// bad-signature probe traffic (WECHATPAY/SIGNTEST/…), which must never verify.
func (s *Sim) sign(h http.Header, body []byte, probe bool) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := randomHex(16)
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(body)+"\n", s.PrivateKey)
	if err != nil {
		panic(err) // a 2048-bit key always signs
	}
	if probe {
		sig = "WECHATPAY/SIGNTEST/" + sig[19:]
	}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	s.mu.Lock()
	serial := s.KeyID
	if s.useCert {
		serial = s.certSerial
	}
	s.mu.Unlock()
	h.Set("Wechatpay-Serial", serial)
	h.Set("Request-ID", randomHex(12))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sameRequest reports whether a repeated out-number carries the same content.
func sameRequest(a, b []byte) bool { return bytes.Equal(a, b) }

// reused is the channel's rule for a repeated out-number: the same content gets the first answer (nil here),
// other content is refused with INVALID_REQUEST naming the number's field.
func reused(first, again []byte, field string) *apiError {
	if !sameRequest(first, again) {
		return fail(http.StatusBadRequest, wire.CodeInvalidRequest, "%s reused with different parameters", field)
	}
	return nil
}
