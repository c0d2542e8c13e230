package channels

import (
	"context"
	"errors"
)

// ErrNotificationRejected marks a notification that failed verification or decryption: answer 4xx and
// change nothing.
var ErrNotificationRejected = errors.New("notification rejected")

// Inbound is a notification as it arrived, before any verification: its headers (canonical names) and body.
type Inbound struct {
	Header map[string][]string
	Body   []byte
}

// Notification is a verified, decrypted notification's envelope.
type Notification struct {
	ID        string // the channel's notification id, for the inbox
	EventType string // TRANSACTION.SUCCESS, REFUND.SUCCESS, trade_status_sync/TRADE_SUCCESS, ...
	Plaintext []byte // the decrypted content
}

// Notice is a verified notification and what it says: a payment (Payment set), a refund (Refund set), or an
// application's audit result (Application set).
type Notice struct {
	Notification
	Payment     *CombinedOrderState
	Refund      *RefundState
	Application *ApplicationNotice
}

// Notifications verifies and reads one channel's notifications, and says how to acknowledge them.
type Notifications interface {
	// ParseNotification verifies in with the channel's SDK; a forgery is ErrNotificationRejected.
	ParseNotification(ctx context.Context, in Inbound) (Notice, error)
	// Acknowledgement is the body and content type that tell the channel a notification was taken.
	Acknowledgement() (contentType string, body []byte)
}
