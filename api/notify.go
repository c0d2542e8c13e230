package api

import (
	"errors"
	"net/http"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/starter"
)

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
