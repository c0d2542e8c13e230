package codec

import (
	"net/http"
	"slices"
	"strings"
)

// CORS lets the Temporal UI, served from another origin, call a codec endpoint from the browser: a request from
// one of origins gets the CORS headers (credentials allowed, so the UI's "include cross-origin credentials" and
// "pass access token" settings work), and its preflight (OPTIONS) is answered here, before authentication, since a
// browser sends none with it. A request from any other origin gets no CORS headers, so the browser withholds the
// answer; its preflight is refused. Requests without an Origin (the CLI, curl) pass as they are.
func CORS(origins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := slices.Contains(origins, origin)
		w.Header().Add("Vary", "Origin")
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if !allowed {
			http.Error(w, "origin "+origin+" may not use this codec endpoint", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}

// Origins splits a comma-separated list of origins (SPLITPAY_CODEC_ORIGINS), trimming each and any trailing slash.
func Origins(list string) []string {
	var out []string
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}
