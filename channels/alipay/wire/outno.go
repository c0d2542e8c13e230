package wire

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/splitpay/splitpay/channels"
)

// Alipay's out-numbers take letters, digits and underscores only: out_trade_no and a refund's out_request_no up to
// 64 characters, a settle's or a royalty relation's out_request_no up to 32. SplitPay's out-numbers also use '-', so they are escaped
// ('_' → "_0", '-' → "_1"), which keeps them unique and lets a notification's out_trade_no be read back.
const (
	MaxOutTradeNo      = 64
	MaxOutRequestNo    = 64
	MaxSettleRequestNo = 32 // order.settle and royalty.relation.bind/unbind
)

// IsUserID says whether account is an Alipay user id (2088 and 12 more digits) rather than a logon name.
func IsUserID(account string) bool { return channels.AlipayUserID.MatchString(account) }

// OutNo is the Alipay form of one of our out-numbers within max characters. An escaped form that is too long
// becomes a prefix and a hash of the whole, still derived from the business key alone, so a retry repeats it.
func OutNo(ours string, max int) string {
	e := strings.NewReplacer("_", "_0", "-", "_1").Replace(ours)
	if len(e) <= max {
		return e
	}
	sum := sha256.Sum256([]byte(ours))
	h := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:20]
	return e[:max-21] + "H" + h
}

// Ours reads an escaped out-number back ("" when it is a hashed one or not ours).
func Ours(outNo string) string {
	var b strings.Builder
	for i := 0; i < len(outNo); i++ {
		c := outNo[i]
		if c != '_' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(outNo) {
			return ""
		}
		i++
		switch outNo[i] {
		case '0':
			b.WriteByte('_')
		case '1':
			b.WriteByte('-')
		default:
			return ""
		}
	}
	return b.String()
}

// ValidOutNo says whether s is 1..max letters, digits and underscores.
func ValidOutNo(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
