package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/splitpay/splitpay/audit"
)

// auditedFields are the body fields a command's audit row keeps: ids, amounts, channels and ops' words. Any
// other field (names, phone numbers, ID and bank card numbers in onboarding) stays out of the trail.
var auditedFields = []string{"order_no", "channel", "merchant_id", "id", "refund_no", "out_request_no", "amount",
	"sub_order", "confirmed_by", "by", "reason", "decision", "day", "scopes"}

// audited writes the command to the audit trail before it runs (if it cannot, the command does not run: 503)
// and its answer after.
func (s *Server) audited(rt route, next http.HandlerFunc) http.HandlerFunc {
	action := rt.pattern
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		detail := auditDetail(body)
		e := audit.Entry{RequestID: randomHex(12), Actor: "key:" + callerOf(r).ID, Action: action,
			Subject: auditSubject(r, detail), Detail: detail}
		if err := audit.Record(r.Context(), s.DB, e); err != nil {
			s.fail(w, r, err)
			return
		}
		rec := &recorder{ResponseWriter: w}
		next(rec, r)
		status := rec.status
		e.Status, e.Detail = &status, nil
		if err := audit.Record(r.Context(), s.DB, e); err != nil {
			s.Logger.Error("the audit trail lacks a command's answer", "request_id", e.RequestID, "error", err)
		}
	}
}

// auditDetail keeps auditedFields of a JSON body, and an order's sub-order count and total.
func auditDetail(body []byte) map[string]any {
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		return nil
	}
	out := map[string]any{}
	for _, f := range auditedFields {
		if v, ok := in[f]; ok {
			out[f] = storable(v)
		}
	}
	if subs, ok := in["sub_orders"].([]any); ok {
		var total float64
		for _, sub := range subs {
			if m, ok := sub.(map[string]any); ok {
				a, _ := m["amount"].(float64)
				total += a
			}
		}
		out["sub_orders"], out["amount"] = len(subs), total
	}
	return out
}

// storable is a body value as the trail keeps it: a string without NUL (which jsonb refuses: the handler then
// refuses the request, naming the field) and at most 256 bytes.
func storable(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > 256 {
		s = strings.ToValidUTF8(s[:256], "")
	}
	return s
}

// auditSubject is what a command acts on: the path's order (and the path's or body's sub-order) or id, else the
// body's.
func auditSubject(r *http.Request, detail map[string]any) string {
	if no := r.PathValue("order_no"); no != "" {
		if n := r.PathValue("n"); n != "" {
			return no + "/sub" + n
		}
		if n, ok := detail["sub_order"].(float64); ok && n > 0 {
			return fmt.Sprintf("%s/sub%d", no, int(n))
		}
		return no
	}
	if id := r.PathValue("id"); id != "" {
		return id
	}
	for _, f := range []string{"order_no", "merchant_id", "id"} {
		if v, ok := detail[f].(string); ok {
			return v
		}
	}
	return ""
}

// auditTrail answers GET /v1/audit: the trail's entries, oldest first, filtered by actor, action and subject,
// paged by after (the last id seen).
func (s *Server) auditTrail(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject")}
	limit, err := intParam(r, "limit", 100, 1, 1000)
	if err == nil {
		f.After, err = intParam(r, "after", 0, 0, math.MaxInt64)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = int(limit)
	entries, err := audit.List(r.Context(), s.DB, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}
