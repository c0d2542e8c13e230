package api

import (
	"errors"
	"net/http"

	"github.com/splitpay/splitpay/risk"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// reviewRequest is POST /v1/orders/{order_no}/review: ops' decision on an order held by a risk rule.
type reviewRequest struct {
	Decision string `json:"decision"` // approve | reject
	By       string `json:"by"       maxlen:"64"`
	Reason   string `json:"reason"   maxlen:"256" text:"free"`
}

// review answers POST /v1/orders/{order_no}/review.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	var req reviewRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Decision != "approve" && req.Decision != "reject" {
		s.fail(w, r, &starter.InputError{Field: "decision", Reason: `"approve" or "reject"`})
		return
	}
	st, err := s.Starter.ReviewOrder(r.Context(), r.PathValue("order_no"),
		workflows.ReviewRequest{Approve: req.Decision == "approve", By: req.By, Reason: req.Reason})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"order_no": st.OrderNo, "status": st.Status})
}

// putRiskRules answers PUT /v1/risk/rules: the whole document, checked field by field, becomes the newest
// version; orders created from then on are judged by it.
func (s *Server) putRiskRules(w http.ResponseWriter, r *http.Request) {
	var rules risk.Rules
	if err := decode(w, r, &rules); err != nil {
		s.fail(w, r, err)
		return
	}
	stored, err := risk.Save(r.Context(), s.DB, rules, "key:"+callerOf(r).ID)
	var fe *risk.FieldError
	if errors.As(err, &fe) {
		err = &starter.InputError{Field: fe.Field, Reason: fe.Reason}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

// getRiskRules answers GET /v1/risk/rules: the rules in force and their version.
func (s *Server) getRiskRules(w http.ResponseWriter, r *http.Request) {
	stored, err := risk.Load(r.Context(), s.DB)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}
