package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/webhooks"
)

// subscribeRequest is POST /v1/webhooks.
type subscribeRequest struct {
	URL        string   `json:"url"         maxlen:"2048"`
	EventTypes []string `json:"event_types"`
}

// subscribe answers POST /v1/webhooks: the subscription with its signing secret, shown this once.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	var req subscribeRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sub, err := webhooks.Subscribe(r.Context(), s.DB, webhooks.Subscription{URL: req.URL, EventTypes: req.EventTypes,
		CreatedBy: "key:" + callerOf(r).ID})
	if err != nil {
		s.fail(w, r, webhookError(err))
		return
	}
	writeJSON(w, http.StatusCreated, sub)
}

// listSubscriptions answers GET /v1/webhooks.
func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	subs, err := webhooks.Subscriptions(r.Context(), s.DB)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
}

// unsubscribe answers DELETE /v1/webhooks/{id}: its pending deliveries are cancelled.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if err := webhooks.Unsubscribe(r.Context(), s.DB, r.PathValue("id")); err != nil {
		s.fail(w, r, webhookError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": "deleted"})
}

// listDeliveries answers GET /v1/webhooks/deliveries?state=DEAD: dead letters for ops, or any state.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	switch state {
	case "", "PENDING", "DELIVERED", "DEAD", "CANCELLED":
	default:
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "PENDING, DELIVERED, DEAD or CANCELLED", "state")
		return
	}
	limit, err := intParam(r, "limit", 100, 1, 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, err := webhooks.Deliveries(r.Context(), s.DB, state, int(limit))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []webhooks.DeliveryView{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

// replayRequest is POST /v1/webhooks/deliveries/replay.
type replayRequest struct {
	SubscriptionID string `json:"subscription_id"`
	EventID        string `json:"event_id"`
	By             string `json:"by"              maxlen:"64"`
	Reason         string `json:"reason"          maxlen:"256" text:"free"`
}

// replay answers POST /v1/webhooks/deliveries/replay: the delivery is tried again for another retry window.
func (s *Server) replay(w http.ResponseWriter, r *http.Request) {
	var req replayRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.By == "" {
		s.fail(w, r, &starter.InputError{Field: "by", Reason: "required: who replays it"})
		return
	}
	d := webhooks.Delivery{SubscriptionID: req.SubscriptionID, EventID: req.EventID}
	if err := s.Events.Replay(r.Context(), d, req.By, req.Reason); err != nil {
		s.fail(w, r, webhookError(err))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "replaying", "workflow_id": d.WorkflowID()})
}

// webhookError answers the webhooks package's refusals as the caller's errors.
func webhookError(err error) error {
	var fe *webhooks.FieldError
	switch {
	case errors.As(err, &fe):
		return &starter.InputError{Field: fe.Field, Reason: fe.Reason}
	case errors.Is(err, webhooks.ErrNoSubscription), errors.Is(err, webhooks.ErrNoDelivery):
		return fmt.Errorf("%w: %w", starter.ErrNotFound, err)
	}
	return err
}
