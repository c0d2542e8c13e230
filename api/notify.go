package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/starter"
)

// notify is a channel's notification endpoint: verify with the channel's SDK, record in the inbox, signal the
// workflow, and acknowledge the way the channel expects only after both. A forgery gets 401 and changes
// nothing; a duplicate is acknowledged and changes nothing; an outage gets 500, so the channel delivers again
// later. WeChat Pay posts to /notify/wechatpay/{transaction|refund}, Alipay to /notify/alipay.
func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	channel, kind := r.PathValue("channel"), r.PathValue("kind")
	parser, ok := s.Notifications[channel]
	if !ok || (kind != "" && kind != "transaction" && kind != "refund") {
		writeJSON(
			w,
			http.StatusNotFound,
			map[string]string{"code": "NOT_FOUND", "message": "no such notification endpoint"},
		)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotificationBytes))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"code": "FAIL", "message": "body too large"})
		return
	}
	n, err := parser.ParseNotification(r.Context(), channels.Inbound{Header: r.Header, Body: body})
	if err == nil && kind != "" && (kind == "refund") != (n.Refund != nil) {
		err = errors.New("a " + n.EventType + " notification at the " + kind + " endpoint")
	}
	if err != nil {
		s.rejectNotification(w, r, channel, kind, err)
		return
	}
	about := notificationAbout(n)
	isNew, err := s.Starter.Notified(r.Context(), channel, n)
	s.Metrics.Notification(channel, kindLabel(kind), notifiedResult(isNew, err))
	switch {
	case errors.Is(err, starter.ErrNotFound):
		// Verified, but no running workflow wants it: finished long ago, or not ours to run. Acknowledge so the
		// channel stops; reconciliation compares the bills with the ledger.
		s.Logger.Warn("notification for nothing running", "event", n.EventType, "about", about, "notification_id", n.ID)
	case err != nil:
		s.Logger.Error("notification not delivered; the channel will retry", "event", n.EventType, "about", about,
			"error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"code": "FAIL", "message": "try again"})
		return
	}
	s.Logger.Info("notification", "event", n.EventType, "about", about, "notification_id", n.ID, "new", isNew)
	contentType, ack := parser.Acknowledgement()
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ack)
}

// rejectNotification answers a notification that failed verification (401, counted as forged, and towards the
// forged-notification alert) or parsing (400), and logs the reason — never the body, which may carry personal
// data.
func (s *Server) rejectNotification(w http.ResponseWriter, r *http.Request, channel, kind string, err error) {
	s.Logger.Warn("notification rejected", "channel", channel, "kind", kind, "reason", err.Error())
	code, result := http.StatusUnauthorized, "forged"
	if !errors.Is(err, channels.ErrNotificationRejected) {
		code, result = http.StatusBadRequest, "malformed"
	}
	s.Metrics.Notification(channel, kindLabel(kind), result)
	if result == "forged" {
		s.forged.count(r.Context(), s)
	}
	writeJSON(w, code, map[string]string{"code": "FAIL", "message": "notification rejected"})
}

// notificationAbout is what a notification is about, for the log: the order, refund or application number.
func notificationAbout(n channels.Notice) string {
	switch {
	case n.Payment != nil:
		return n.Payment.OutTradeNo
	case n.Refund != nil:
		return n.Refund.OutRefundNo
	case n.Application != nil:
		return n.Application.OutRequestNo
	}
	return ""
}

// kindLabel is the endpoint's kind as a metric label (Alipay has one endpoint for every kind).
func kindLabel(kind string) string {
	if kind == "" {
		return "all"
	}
	return kind
}

// notifiedResult is what came of a verified notification: verified (new), duplicate, unrouted (nothing runs that
// wants it) or outage (not delivered; the channel retries).
func notifiedResult(isNew bool, err error) string {
	switch {
	case errors.Is(err, starter.ErrNotFound):
		return "unrouted"
	case err != nil:
		return "outage"
	case !isNew:
		return "duplicate"
	}
	return "verified"
}
