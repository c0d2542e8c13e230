package alisim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/channels/internal/simkit"
)

// failure is a refusal: Alipay's public code and sub_code, and the message.
type failure struct {
	code, sub, msg string
}

func fail(sub, format string, args ...any) *failure {
	return &failure{code: wire.CodeBusinessFailed, sub: sub, msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *failure {
	return &failure{code: wire.CodeBusinessFailed, sub: wire.SubInvalidParameter, msg: fmt.Sprintf(format, args...)}
}

var publicMessages = map[string]string{
	wire.CodeBusinessFailed: "Business Failed", wire.CodeInvalidParam: "Invalid Arguments",
	wire.CodeMissingParam: "Missing Required Arguments", wire.CodeUnavailable: "Service Currently Unavailable",
	wire.CodeCallLimited: "Call Limited",
}

type method func(biz []byte, form url.Values) (any, *failure)

// methodTable is every method alisim serves; New builds it once.
func (s *Sim) methodTable() map[string]method {
	return map[string]method{
		wire.MethodMergePrecreate: s.mergePrecreate, wire.MethodTradePrecreate: s.precreate,
		wire.MethodTradeQuery: s.query, wire.MethodTradeClose: s.closeTrade,
		wire.MethodSettleConfirm: s.settleConfirm, wire.MethodOrderSettle: s.orderSettle,
		wire.MethodOrderSettleQuery: s.settleQuery, wire.MethodRelationBind: s.bind,
		wire.MethodRelationUnbind: s.unbind, wire.MethodRoyaltyRateQuery: s.rateQuery,
		wire.MethodTradeRefund: s.refund, wire.MethodRefundQuery: s.refundQuery,
		wire.MethodBillDownloadURL: s.billQuery, wire.MethodZftCreate: s.zftCreate,
		wire.MethodZftConsult: s.zftConsult, wire.MethodZftOrderQuery: s.zftOrderQuery,
		wire.MethodImageUpload: s.imageUpload,
	}
}

// serveGateway checks the envelope and the signature, draws faults, and runs the method under the state lock.
func (s *Sim) serveGateway(w http.ResponseWriter, r *http.Request) {
	form, file, err := readForm(w, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := form.Get("method")
	if f := s.checkEnvelope(form); f != nil {
		s.answer(w, name, f, false) // Alipay cannot tell who asked: the refusal is not signed
		return
	}
	if file != nil {
		form.Set(uploadField, string(file)) // after the signature check: files are not signed
	}
	m, ok := s.methods[name]
	if !ok {
		s.answer(w, name, &failure{wire.CodeInvalidParam, wire.SubInvalidMethod, "不存在的方法名"}, true)
		return
	}
	if s.http5xx(name) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	switch s.Draw(name) {
	case simkit.SystemError:
		s.answer(w, name, fail(wire.SubSystemError, "系统错误"), true)
		return
	case simkit.RateLimited:
		s.answer(w, name, &failure{wire.CodeCallLimited, wire.SubCallLimited, "应用调用次数超限"}, true)
		return
	}
	s.mu.Lock()
	s.host = r.Host
	out, f := m([]byte(form.Get("biz_content")), form)
	s.mu.Unlock()
	if f != nil {
		s.answer(w, name, f, true)
		return
	}
	s.answer(w, name, out, true)
}

// uploadField carries an uploaded file's bytes to the method, under a name no parameter has.
const uploadField = "\x00file"

// readForm reads a form request (1 MB at most), or a multipart upload (the image, 10 MB at most) with its file.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, []byte, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(11 << 20); err != nil {
			return nil, nil, fmt.Errorf("not a multipart form: %w", err)
		}
		form := url.Values(r.MultipartForm.Value)
		for _, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			return form, b, err
		}
		return form, nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("too large: %w", err)
	}
	form, err := url.ParseQuery(string(body))
	return form, nil, err
}

func (s *Sim) http5xx(name string) bool {
	s.mu.Lock()
	rate := s.faults.HTTP5xxRate[name]
	s.mu.Unlock()
	return rate > 0 && s.Float64() < rate
}

// checkEnvelope verifies the common parameters and the RSA2 signature over every parameter but sign.
func (s *Sim) checkEnvelope(form url.Values) *failure {
	s.mu.Lock()
	cert := s.cert
	s.mu.Unlock()
	switch {
	case form.Get("app_id") != s.AppID:
		return &failure{wire.CodeInvalidParam, wire.SubInvalidAppID, "无效的AppID参数"}
	case form.Get("sign") == "":
		return &failure{wire.CodeMissingParam, wire.SubMissingSignature, "缺少签名参数"}
	case form.Get("sign_type") != "RSA2" || form.Get("charset") != "utf-8" || form.Get("version") != "1.0":
		return &failure{wire.CodeInvalidParam, "isv.invalid-signature-type", "sign_type RSA2, charset utf-8, version 1.0"}
	case cert && (form.Get(wire.FieldAppCertSN) != CertSN(s.Keys.AppCert) ||
		form.Get(wire.FieldAlipayRootCertSN) != CertSN(s.Keys.RootCert)):
		return &failure{wire.CodeInvalidParam, "isv.app-cert-sn-mismatch", "应用公钥证书SN或支付宝根证书SN不匹配"}
	}
	if err := verifyRSA2(&s.Keys.AppPrivateKey.PublicKey, []byte(signingString(form, "sign")), form.Get("sign")); err != nil {
		return &failure{wire.CodeInvalidParam, wire.SubInvalidSignature, "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"}
	}
	return nil
}

// answer writes {"<method>_response": out, "sign": …} with the signature over out's exact bytes.
func (s *Sim) answer(w http.ResponseWriter, name string, out any, signed bool) {
	if f, ok := out.(*failure); ok {
		out = wire.Status{Code: f.code, Msg: publicMessages[f.code], SubCode: f.sub, SubMsg: f.msg}
	}
	raw, _ := json.Marshal(out)
	field := wire.ResponseField(name)
	if name == "" {
		field = wire.ErrorResponseField
	}
	var b strings.Builder
	b.WriteString(`{"` + field + `":`)
	b.Write(raw)
	if signed {
		b.WriteString(`,"sign":"` + signRSA2(s.Keys.AlipayPrivateKey, raw) + `"`)
		s.mu.Lock()
		if s.cert {
			b.WriteString(`,"` + wire.FieldAlipayCertSN + `":"` + CertSN(s.Keys.AlipayCert) + `"`)
		}
		s.mu.Unlock()
	}
	b.WriteString("}")
	w.Header().Set("Content-Type", "text/html;charset=utf-8") // as Alipay serves it
	_, _ = io.WriteString(w, b.String())
}

// success is the success part of every answer.
var success = wire.Status{Code: wire.CodeSuccess, Msg: "Success"}

// decode reads biz_content into v; a malformed one is the documented invalid-parameter refusal.
func decode(biz []byte, v any) *failure {
	if err := json.Unmarshal(biz, v); err != nil {
		return &failure{wire.CodeInvalidParam, "isv.invalid-biz-content", "biz_content 不是合法的 JSON: " + err.Error()}
	}
	return nil
}
