// Package mask shows personal data the way SplitPay stores and displays it: enough to recognise, not enough to
// use. It is pure, so workflows, the ledger and the starter share it.
package mask

import (
	"strings"
	"unicode/utf8"
)

// Name keeps a name's first character and stars the rest ("张三丰" → "张**").
func Name(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return ""
	}
	return string(r) + strings.Repeat("*", utf8.RuneCountInString(name[size:]))
}

// Tail keeps the last n characters of a number and stars the rest ("6222021234567896789" → "***************6789").
func Tail(s string, n int) string {
	if len(s) <= n {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-n) + s[len(s)-n:]
}
