package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
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

// decode reads a JSON body of at most maxRequestBytes into v, refusing unknown fields and trailing data, and
// names the field at fault.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return &starter.InputError{Field: "body", Reason: "not well-formed UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil:
		if dec.More() {
			return &starter.InputError{Field: "body", Reason: "one JSON object expected"}
		}
		return checkText(v)
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		return &starter.InputError{Field: te.Field, Reason: "must be a JSON " + te.Type.Kind().String()}
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &starter.InputError{Field: "body", Reason: "malformed JSON"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &starter.InputError{
			Field:  strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`),
			Reason: "unknown field",
		}
	}
	return &starter.InputError{Field: "body", Reason: err.Error()}
}

// recorder keeps a handler's answer for the idempotency store.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) { r.status = status; r.ResponseWriter.WriteHeader(status) }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent honours the Idempotency-Key header on POSTs: the first answer below 500 is stored and replayed to
// repeats of the same request; the same key with another request is refused with 422.
func (s *Server) idempotent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
		h.Write(body)
		hash := h.Sum(nil)
		principal, _ := r.Context().Value(principalKey{}).(string)
		stored, found, err := idempotencyStore{s.DB}.lookup(r.Context(), principal, key, hash)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if found {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(stored.Status)
			_, _ = w.Write(stored.Body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		next(rec, r)
		if rec.status != 0 && rec.status < 500 {
			answer := storedResponse{RequestHash: hash, Status: rec.status, Body: rec.body.Bytes()}
			if err := (idempotencyStore{s.DB}).store(r.Context(), principal, key, answer); err != nil {
				s.Logger.Warn("idempotency key not stored", "error", err)
			}
		}
	}
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req starter.CreateOrderRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.Starter.CreateOrder(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	d, err := s.Starter.GetOrder(r.Context(), r.PathValue("order_no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderViewOf(d))
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "1..500", "limit")
			return
		}
		limit = n
	}
	orders, err := s.Registry.ListOrders(r.Context(), q.Get("status"), q.Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Orders []OrderRow `json:"orders"`
	}{Orders: []OrderRow{}}
	for _, o := range orders {
		out.Orders = append(out.Orders, orderRowOf(o))
	}
	writeJSON(w, http.StatusOK, out)
}

// subOrderN reads the {n} path value, answering 400 when it is not a sub-order number.
func subOrderN(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "a sub-order number from 1", "n")
		return 0, false
	}
	return n, true
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request) {
	n, ok := subOrderN(w, r)
	if !ok {
		return
	}
	var req starter.RefundRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.Refund(r.Context(), r.PathValue("order_no"), n, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, refundViewOf(st))
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) {
	n, ok := subOrderN(w, r)
	if !ok {
		return
	}
	st, err := s.Starter.GetRefund(r.Context(), r.PathValue("order_no"), n, r.PathValue("refund_no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, refundViewOf(st))
}

// toppedUpRequest says a merchant receiver has balance again for a waiting return.
type toppedUpRequest struct {
	ReceiverID string `json:"receiver_id"`
}

func (s *Server) toppedUp(w http.ResponseWriter, r *http.Request) {
	n, ok := subOrderN(w, r)
	if !ok {
		return
	}
	var req toppedUpRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Starter.ReceiverToppedUp(r.Context(), r.PathValue("order_no"), n, req.ReceiverID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "retrying the return"})
}

func (s *Server) confirmReceipt(w http.ResponseWriter, r *http.Request) {
	n, ok := subOrderN(w, r)
	if !ok {
		return
	}
	var req starter.ConfirmReceiptRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.ConfirmReceipt(r.Context(), r.PathValue("order_no"), n, req)
	if errors.Is(err, starter.ErrWillApply) {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "ACCEPTED", "message": err.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, subOrderViewOf(st))
}

// resumeRequest asks a process waiting on NEEDS_ATTENTION to retry its step: the order, or one sub-order.
type resumeRequest struct {
	SubOrder int    `json:"sub_order,omitempty"`
	By       string `json:"by"                  maxlen:"64"`
	Reason   string `json:"reason"              maxlen:"256" text:"free"`
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request) {
	var req resumeRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Starter.ResumeOrder(r.Context(), r.PathValue("order_no"), req.SubOrder, req.By, req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "resumed"})
}

func (s *Server) registerMerchant(w http.ResponseWriter, r *http.Request) {
	var req registry.MerchantRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.Registry.RegisterMerchant(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, merchantViewOf(m))
}

func (s *Server) getMerchant(w http.ResponseWriter, r *http.Request) {
	m, err := s.Registry.GetMerchant(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, merchantViewOf(m))
}

func (s *Server) registerReceiver(w http.ResponseWriter, r *http.Request) {
	var req registry.ReceiverRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	rc, err := s.Registry.RegisterReceiver(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, receiverViewOf(rc))
}

func (s *Server) getReceiver(w http.ResponseWriter, r *http.Request) {
	rc, err := s.Registry.GetReceiver(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, receiverViewOf(rc))
}

// notify is a channel's notification endpoint (kind transaction or refund): verify and decrypt with the
// channel's SDK, record in the inbox, signal the workflow, and answer 200 only after both. A forgery gets 401
// and changes nothing; a duplicate gets 200 and changes nothing; an outage gets 500, so the channel delivers
// again later.
func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	channel, kind := r.PathValue("channel"), r.PathValue("kind")
	parser, ok := s.Notifications[channel]
	if !ok || (kind != "transaction" && kind != "refund") {
		writeJSON(
			w,
			http.StatusNotFound,
			map[string]string{"code": "NOT_FOUND", "message": "no such notification endpoint"},
		)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxNotificationBytes)
	var (
		n        channels.Notification
		about    string // the order or refund number, for the log
		deliver  func() (bool, error)
		parseErr error
	)
	if kind == "transaction" {
		var st channels.CombinedOrderState
		n, st, parseErr = parser.ParsePaymentNotification(r)
		about = st.OutTradeNo
		deliver = func() (bool, error) { return s.Starter.PaymentNotified(r.Context(), channel, n, st) }
	} else {
		var st channels.RefundState
		n, st, parseErr = parser.ParseRefundNotification(r)
		about = st.OutRefundNo
		deliver = func() (bool, error) { return s.Starter.RefundNotified(r.Context(), channel, n, st) }
	}
	if parseErr != nil {
		// Never log the body: it may carry personal data. The reason is enough.
		s.Logger.Warn("notification rejected", "channel", channel, "kind", kind, "reason", parseErr.Error())
		code := http.StatusUnauthorized
		if !errors.Is(parseErr, channels.ErrNotificationRejected) {
			code = http.StatusBadRequest
		}
		writeJSON(w, code, map[string]string{"code": "FAIL", "message": "notification rejected"})
		return
	}
	isNew, err := deliver()
	switch {
	case errors.Is(err, starter.ErrNotFound):
		// Verified, but no running workflow wants it: finished long ago, or not ours to run. Acknowledge so the
		// channel stops; reconciliation compares the bills with the ledger.
		s.Logger.Warn("notification for nothing running", "kind", kind, "about", about, "notification_id", n.ID)
	case err != nil:
		s.Logger.Error("notification not delivered; the channel will retry", "kind", kind, "about", about, "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"code": "FAIL", "message": "try again"})
		return
	}
	s.Logger.Info("notification", "kind", kind, "about", about, "notification_id", n.ID, "new", isNew)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) removeReceiver(w http.ResponseWriter, r *http.Request) {
	rc, err := s.Registry.RemoveReceiver(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, receiverViewOf(rc))
}

func (s *Server) onboard(w http.ResponseWriter, r *http.Request) {
	var app workflows.Application
	if err := decode(w, r, &app); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.Onboard(r.Context(), app)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, onboardingViewOf(st))
}

func (s *Server) correctOnboarding(w http.ResponseWriter, r *http.Request) {
	var app workflows.Application
	if err := decode(w, r, &app); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.CorrectOnboarding(r.Context(), r.PathValue("id"), app)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, onboardingViewOf(st))
}

// getOnboarding answers an onboarding's state: what the shop must do next.
func (s *Server) getOnboarding(w http.ResponseWriter, r *http.Request) {
	st, err := s.Starter.GetOnboarding(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, onboardingViewOf(st))
}

// merchantBalance answers a merchant's balance at the channel and in the ledger.
func (s *Server) merchantBalance(w http.ResponseWriter, r *http.Request) {
	bal, err := s.Registry.MerchantBalance(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bal)
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	var req starter.WithdrawalRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.Withdraw(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, withdrawalViewOf(st))
}

func (s *Server) getWithdrawal(w http.ResponseWriter, r *http.Request) {
	st, err := s.Starter.GetWithdrawal(r.Context(), r.PathValue("id"), r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withdrawalViewOf(st))
}

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
