package channels

import "regexp"

// IDFormat is what a channel's ids look like, so a malformed one is refused, naming the field, before any call.
type IDFormat struct {
	Merchant *regexp.Regexp // a sub-merchant's id, and a merchant receiver's account
	Person   *regexp.Regexp // a person receiver's account
	Settle   *regexp.Regexp // a sub-merchant's settlement account; nil when the channel has none to name
	Says     map[string]string
}

// AlipayUserID is an Alipay user id: 2088 and 12 more digits. Logon names (an email or a phone) would work at
// Alipay too, but they are personal data, so SplitPay takes only user ids.
var AlipayUserID = regexp.MustCompile(`^2088\d{12}$`)

var idFormats = map[string]IDFormat{
	WeChatPay: {
		Merchant: regexp.MustCompile(`^\d{8,16}$`),
		Person:   regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`),
		Says: map[string]string{"merchant": "a WeChat Pay merchant id: 8 to 16 digits",
			"person": "an openid: 1 to 64 characters of A-Z, a-z, 0-9, _ and -"},
	},
	Alipay: {
		Merchant: AlipayUserID,
		Person:   AlipayUserID,
		Settle:   AlipayUserID,
		Says: map[string]string{"merchant": "an Alipay id: 2088 and 12 more digits (a smid, or a user id)",
			"person": "an Alipay user id: 2088 and 12 more digits", "settle": "an Alipay user id: 2088 and 12 more digits"},
	},
}

// IDFormatOf answers a channel's id format; false for a channel SplitPay does not speak.
func IDFormatOf(channel string) (IDFormat, bool) {
	f, ok := idFormats[channel]
	return f, ok
}
