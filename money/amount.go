// Package money holds SplitPay's one representation of money: Amount, an integer number of fen (分), and the
// arithmetic that must never lose or invent a fen — checked addition, rate shares that floor, proportional
// splits that conserve the total, and the cap on how much of an order may be shared away.
//
// Rates (commission ratios, the sharing cap) are shopspring/decimal values; no float64 touches money.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Amount is a sum of money in fen (1 yuan = 100 fen), the unit of every channel wire and every ledger row.
// Balances may be negative; amounts entered by callers are checked non-negative by ParseYuan and New.
type Amount int64

// MaxAmount is the largest representable amount (about 92 trillion yuan).
const MaxAmount = Amount(math.MaxInt64)

// Error kinds, matched with errors.Is; the concrete error is always *Error.
var (
	ErrSyntax    = errors.New("not a yuan amount")
	ErrPrecision = errors.New("more than two decimal places")
	ErrNegative  = errors.New("negative amount")
	ErrOverflow  = errors.New("amount overflows int64 fen")
	ErrRate      = errors.New("rate outside [0, 1]")
	ErrWeights   = errors.New("invalid weights")
	ErrOverCap   = errors.New("shares exceed the cap")
)

// Error is the typed error of this package: which operation failed, on what input, and which kind (Err).
type Error struct {
	Op    string // e.g. "ParseYuan", "Add"
	Input string // the offending input, rendered for a human
	Err   error  // one of the Err* kinds above
}

func (e *Error) Error() string { return fmt.Sprintf("money.%s(%s): %v", e.Op, e.Input, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// New returns the amount of fen, rejecting negative values: the constructor for amounts callers supply.
func New(fen int64) (Amount, error) {
	if fen < 0 {
		return 0, &Error{Op: "New", Input: strconv.FormatInt(fen, 10), Err: ErrNegative}
	}
	return Amount(fen), nil
}

// Fen returns the amount as a plain int64 of fen, for wires and SQL parameters.
func (a Amount) Fen() int64 { return int64(a) }

// ParseYuan parses a non-negative yuan string with at most two decimals ("12", "12.3", "12.34") into fen.
// Signs, spaces, exponents, "NaN"/"Inf", a bare or trailing dot and more than two decimals are rejected.
func ParseYuan(s string) (Amount, error) {
	fail := func(kind error) (Amount, error) {
		return 0, &Error{Op: "ParseYuan", Input: strconv.Quote(s), Err: kind}
	}
	if s == "" {
		return fail(ErrSyntax)
	}
	if s[0] == '-' {
		if len(s) > 1 && isDigit(s[1]) {
			return fail(ErrNegative)
		}
		return fail(ErrSyntax)
	}
	intPart, fracPart, hasDot := s, "", false
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, fracPart, hasDot = s[:i], s[i+1:], true
			break
		}
	}
	if intPart == "" || !allDigits(intPart) || (hasDot && (fracPart == "" || !allDigits(fracPart))) {
		return fail(ErrSyntax)
	}
	if len(fracPart) > 2 {
		return fail(ErrPrecision)
	}
	var fen uint64
	for _, c := range []byte(intPart) {
		if fen > (math.MaxInt64-9)/10 {
			return fail(ErrOverflow)
		}
		fen = fen*10 + uint64(c-'0')
	}
	if fen > math.MaxInt64/100 {
		return fail(ErrOverflow)
	}
	fen *= 100
	scale := uint64(10)
	for _, c := range []byte(fracPart) {
		fen += uint64(c-'0') * scale
		scale /= 10
	}
	if fen > math.MaxInt64 {
		return fail(ErrOverflow)
	}
	return Amount(fen), nil
}

// String renders the amount in yuan with exactly two decimals: "12.34", "-0.05".
func (a Amount) String() string {
	u := uint64(a)
	sign := ""
	if a < 0 {
		sign, u = "-", uint64(-(a+1))+1 // safe for math.MinInt64
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Add returns a+b, or ErrOverflow.
func Add(a, b Amount) (Amount, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, &Error{Op: "Add", Input: a.String() + ", " + b.String(), Err: ErrOverflow}
	}
	return s, nil
}

// Sub returns a-b, or ErrOverflow.
func Sub(a, b Amount) (Amount, error) {
	d := a - b
	if (b < 0 && d < a) || (b > 0 && d > a) {
		return 0, &Error{Op: "Sub", Input: a.String() + ", " + b.String(), Err: ErrOverflow}
	}
	return d, nil
}

// Sum adds all amounts, or returns ErrOverflow.
func Sum(amounts ...Amount) (Amount, error) {
	var total Amount
	for _, a := range amounts {
		var err error
		if total, err = Add(total, a); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
