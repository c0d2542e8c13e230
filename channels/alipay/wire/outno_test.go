package wire

import "testing"

func TestOutNo(t *testing.T) {
	for _, ours := range []string{"DEMO123-sub1", "A_B-C", "ORDER_2026-11-30-sub12-rf-R_1"} {
		got := OutNo(ours, MaxOutTradeNo)
		if !ValidOutNo(got, MaxOutTradeNo) || Ours(got) != ours {
			t.Errorf("OutNo(%q) = %q, back %q", ours, got, Ours(got))
		}
	}
	if OutNo("A-B", 64) == OutNo("A_B", 64) {
		t.Error("escaping must keep numbers apart")
	}
	long := "ORDER_NUMBER_24_CHARS-sub12-share3"
	h := OutNo(long, MaxSettleRequestNo)
	if !ValidOutNo(h, MaxSettleRequestNo) || h != OutNo(long, MaxSettleRequestNo) || h == OutNo(long+"x", 32) {
		t.Errorf("hashed out_request_no %q must be valid, stable and distinct", h)
	}
}
