package alipay

import (
	"errors"

	"github.com/splitpay/splitpay/channels"
)

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
