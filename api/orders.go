package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/splitpay/splitpay/starter"
)

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
	limit, err := intParam(r, "limit", 100, 1, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orders, err := s.Registry.ListOrders(r.Context(), q.Get("status"), q.Get("after"), int(limit))
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
