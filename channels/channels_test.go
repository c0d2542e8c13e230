package channels

import (
	"net/http"
	"testing"
)

func TestRetryableClassification(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		want   bool
	}{
		{CodeSystemError, 500, true},
		{CodeFrequencyLimited, 429, true},
		{CodeTimeout, 0, true},
		{CodeBankError, 500, true},
		{CodeNotEnough, 403, false},
		{CodeInvalidRequest, 400, false},
		{CodeRuleLimit, 403, false},
		{CodeParamError, 400, false},
		{CodeSignError, 401, false},
		{CodeOutTradeNoUsed, 403, false},
		{CodeOrderNotExist, 404, false},
		{"SOMETHING_NEW", http.StatusBadGateway, true}, // unknown codes fall back to the status
		{"SOMETHING_NEW", http.StatusTooManyRequests, true},
		{"SOMETHING_NEW", http.StatusBadRequest, false},
	} {
		if got := Retryable(tc.code, tc.status); got != tc.want {
			t.Errorf("Retryable(%s, %d) = %v, want %v", tc.code, tc.status, got, tc.want)
		}
	}
	if !IsCode(&BusinessError{Code: CodeNotEnough}, CodeNotEnough) || IsCode(nil, CodeNotEnough) {
		t.Error("IsCode")
	}
	if d := DefaultLimits(); d.MaxSubOrders != 50 || d.MaxReceiversPerSharing != 5 || d.MaxSharingsPerOrder != 20 ||
		d.MaxSharingRatio.String() != "0.3" || d.FreezeDays != 180 {
		t.Errorf("defaults drifted from SPEC.md: %+v", d)
	}
}
