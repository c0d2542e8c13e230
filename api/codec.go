package api

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// maxCodecBytes bounds a codec request: a history's payloads, not a JSON command.
const maxCodecBytes = 8 << 20

// codec opens or seals payloads for the Temporal UI and CLI (`--codec-endpoint <api>/codec --codec-auth "Bearer <key>"`).
func (s *Server) codec(w http.ResponseWriter, r *http.Request) {
	if s.Codec == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "the codec endpoint is not configured", "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCodecBytes))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// The SDK's handler answers errors as plain text; callers of this API get its JSON error shape.
	rec := &bufferedResponse{header: http.Header{}}
	s.Codec.ServeHTTP(rec, r)
	if rec.status >= 400 {
		code := "INVALID_ARGUMENT"
		if rec.status == http.StatusNotFound {
			code = "NOT_FOUND"
		}
		writeError(w, rec.status, code, strings.TrimSpace(rec.body.String()), "")
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(rec.status, http.StatusOK))
	_, _ = w.Write(rec.body.Bytes())
}

// bufferedResponse holds a handler's whole answer, so it can be rewritten before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
