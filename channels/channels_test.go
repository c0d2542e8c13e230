package channels

import "testing"

func TestLimitsPerChannel(t *testing.T) {
	if d := DefaultLimits(WeChatPay); d.MaxSubOrders != 50 || d.MaxReceiversPerSharing != 5 ||
		d.MaxSharingsPerOrder != 20 || d.MaxSharingRatio.String() != "0.3" || d.FreezeDays != 180 ||
		d.ConfirmBeforeSharing {
		t.Errorf("WeChat defaults drifted from SPEC.md: %+v", d)
	}
	if d := DefaultLimits(Alipay); d.FreezeDays != 30 || !d.ConfirmBeforeSharing || d.MaxSharingsPerOrder != 50 {
		t.Errorf("Alipay defaults drifted from ALIPAY-AND-BILLS.md: %+v", d)
	}
}

func TestIsReason(t *testing.T) {
	err := &BusinessError{Code: "ORDERPAID", Reason: ReasonAlreadyPaid}
	if !IsReason(err, ReasonAlreadyPaid) || IsReason(err, ReasonNotFound) || IsReason(nil, ReasonAlreadyPaid) ||
		IsReason(&BusinessError{}, ReasonOther) {
		t.Error("IsReason")
	}
}
