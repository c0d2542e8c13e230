package codec_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/splitpay/splitpay/internal/codec"
)

// The UI's origin gets its preflight answered (before any authentication) and the CORS headers on its call;
// another origin's preflight is refused and its call carries none; a call without an Origin passes untouched.
func TestCORS(t *testing.T) {
	reached := 0
	h := codec.CORS(codec.Origins(" http://127.0.0.1:8233/, http://localhost:8233"),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++; w.WriteHeader(http.StatusOK) }))
	do := func(method, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/decode", strings.NewReader("{}"))
		if origin != "" {
			r.Header.Set("Origin", origin)
			r.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	pre := do(http.MethodOptions, "http://127.0.0.1:8233")
	if pre.Code != http.StatusNoContent || pre.Header().Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" ||
		!strings.Contains(pre.Header().Get("Access-Control-Allow-Headers"), "X-Namespace") ||
		pre.Header().Get("Access-Control-Allow-Credentials") != "true" || reached != 0 {
		t.Errorf("preflight from the UI: %d %v (reached %d)", pre.Code, pre.Header(), reached)
	}
	if w := do(http.MethodPost, "http://localhost:8233"); w.Code != http.StatusOK ||
		w.Header().Get("Access-Control-Allow-Origin") != "http://localhost:8233" || reached != 1 {
		t.Errorf("call from the UI: %d %v", w.Code, w.Header())
	}
	if w := do(http.MethodOptions, "http://evil.example"); w.Code != http.StatusForbidden || reached != 1 {
		t.Errorf("preflight from another origin: %d", w.Code)
	}
	if w := do(http.MethodPost, "http://evil.example"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("call from another origin carries %v", w.Header())
	}
	if w := do(http.MethodPost, ""); w.Code != http.StatusOK || w.Header().Get("Vary") != "" {
		t.Errorf("a call without an Origin: %d %v", w.Code, w.Header())
	}
}
