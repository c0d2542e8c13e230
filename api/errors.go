package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
)

// apiError is every error's JSON body: {"error":{"code","message","field"}}.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, message, field string) {
	writeJSON(w, status, apiError{errorBody{Code: code, Message: message, Field: field}})
}

// fail answers an error from the starter or the registry with the status a caller can act on. Unknown errors
// are logged and answered 503 without detail: they are outages, not the caller's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *starter.InputError
	var ce *starter.ConflictError
	var che *starter.ChannelError
	var rre *starter.RiskRefusedError
	var mbe *http.MaxBytesError
	var pge *pgconn.PgError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", ie.Reason, ie.Field)
	case errors.As(err, &mbe):
		writeError(
			w,
			http.StatusRequestEntityTooLarge,
			"PAYLOAD_TOO_LARGE",
			fmt.Sprintf("the body exceeds %d bytes", mbe.Limit),
			"",
		)
	case errors.Is(err, starter.ErrNotFound):
		writeError(w, http.StatusNotFound, "NOT_FOUND", err.Error(), "")
	case errors.As(err, &ce):
		writeError(w, http.StatusConflict, "CONFLICT", ce.Reason, "")
	case errors.Is(err, registry.ErrTaken):
		writeError(
			w,
			http.StatusConflict,
			"CONFLICT",
			strings.TrimPrefix(err.Error(), registry.ErrTaken.Error()+": "),
			"",
		)
	case errors.As(err, &pge) && strings.HasPrefix(pge.Code, "22"):
		// A data exception (a value PostgreSQL cannot store): the input's fault, and it will always fail. The
		// checks in input.go should have caught it first; this keeps a missed case from answering 503.
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "a value cannot be stored: "+pge.Message, "")
	case errors.Is(err, errKeyReused):
		writeError(w, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", err.Error(), "Idempotency-Key")
	case errors.As(err, &rre):
		writeError(w, http.StatusUnprocessableEntity, "RISK_REFUSED", rre.Message, "")
	case errors.As(err, &che):
		writeError(w, http.StatusUnprocessableEntity, "CHANNEL_REJECTED", che.Code+": "+che.Message, "")
	default:
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(
			w,
			http.StatusServiceUnavailable,
			"UNAVAILABLE",
			"the request could not be completed now; retry it (with the same Idempotency-Key)",
			"",
		)
	}
}
