package wire

import (
	"testing"

	"github.com/splitpay/splitpay/channels"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		retry  bool
		reason channels.Reason
	}{
		{CodeSystemError, 500, true, ""},
		{CodeFrequencyLimited, 429, true, ""},
		{channels.CodeTimeout, 0, true, ""},
		{CodeBankError, 500, true, ""},
		{CodeNotEnough, 403, false, channels.ReasonNotEnough},
		{CodeInvalidRequest, 400, false, channels.ReasonInvalid},
		{CodeRuleLimit, 403, false, channels.ReasonInvalid},
		{CodeParamError, 400, false, channels.ReasonInvalid},
		{CodeSignError, 401, false, ""},
		{CodeOutTradeNoUsed, 403, false, ""},
		{CodeOrderNotExist, 404, false, channels.ReasonNotFound},
		{CodeOrderPaid, 400, false, channels.ReasonAlreadyPaid},
		{CodeOrderClosed, 400, false, channels.ReasonAlreadyClosed},
		{"SOMETHING_NEW", 502, true, ""}, // unknown codes fall back to the status
		{"SOMETHING_NEW", 429, true, ""},
		{"SOMETHING_NEW", 400, false, ""},
	} {
		if retry, reason := Classify(tc.code, tc.status); retry != tc.retry || reason != tc.reason {
			t.Errorf("Classify(%s, %d) = %v %q, want %v %q", tc.code, tc.status, retry, reason, tc.retry, tc.reason)
		}
	}
}
