package alipay

import (
	"errors"
	"time"

	"github.com/splitpay/splitpay/channels"
)

func parseRFC3339(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

func asBusiness(err error) *channels.BusinessError {
	var be *channels.BusinessError
	if errors.As(err, &be) {
		return be
	}
	return nil
}

// invalidRequest is a request the adapter refuses before sending: a field Alipay would refuse.
func invalidRequest(field, reason string) error {
	return &channels.BusinessError{Channel: channels.Alipay, Code: "INVALID_PARAMETER", Reason: channels.ReasonInvalid,
		Message: reason, Field: field}
}
