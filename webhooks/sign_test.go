package webhooks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A receiver's verification accepts exactly what SplitPay signed, when it signed it.
func TestVerify(t *testing.T) {
	now := time.Unix(1_796_000_000, 0)
	body := []byte(`{"id":"order.paid:T1","type":"order.paid"}`)
	header := Sign("whsec_a", now, body)
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
		ok             bool
	}{
		"as signed":               {"whsec_a", header, body, now, true},
		"four minutes later":      {"whsec_a", header, body, now.Add(4 * time.Minute), true},
		"replayed an hour later":  {"whsec_a", header, body, now.Add(time.Hour), false},
		"another secret":          {"whsec_b", header, body, now, false},
		"another body":            {"whsec_a", header, []byte(strings.Replace(string(body), "T1", "T2", 1)), now, false},
		"no signature":            {"whsec_a", "t=1796000000", body, now, false},
		"garbage":                 {"whsec_a", "v1=abc", body, now, false},
		"one of two matches":      {"whsec_a", header + ",v1=00", body, now, true},
		"a forged time, same mac": {"whsec_a", strings.Replace(header, "t=1796000000", "t=1796000060", 1), body, now, false},
	} {
		err := Verify(c.secret, c.header, c.body, c.at, 5*time.Minute)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrSignature)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
