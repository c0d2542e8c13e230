package money

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/shopspring/decimal"
)

// ParseRate parses a ratio such as "0.10" (10%) and checks it lies in [0, 1].
func ParseRate(s string) (decimal.Decimal, error) {
	r, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, &Error{Op: "ParseRate", Input: fmt.Sprintf("%q", s), Err: ErrSyntax}
	}
	if err := checkRate("ParseRate", r); err != nil {
		return decimal.Decimal{}, err
	}
	return r, nil
}

func checkRate(op string, r decimal.Decimal) error {
	if r.IsNegative() || r.GreaterThan(decimal.NewFromInt(1)) {
		return &Error{Op: op, Input: r.String(), Err: ErrRate}
	}
	return nil
}

// ShareOf returns rate × base floored to the fen: what a receiver with that commission rate earns. Flooring
// means the receiver never gets a fraction more than the rate; the fraction stays with the merchant.
func ShareOf(base Amount, rate decimal.Decimal) (Amount, error) {
	if base < 0 {
		return 0, &Error{Op: "ShareOf", Input: base.String(), Err: ErrNegative}
	}
	if err := checkRate("ShareOf", rate); err != nil {
		return 0, err
	}
	// rate ≤ 1 so the product never exceeds base and IntPart cannot overflow.
	return Amount(decimal.NewFromInt(int64(base)).Mul(rate).Floor().IntPart()), nil
}

// MaxShareable is the most that may be shared away from base under maxRate (the channel's 30% cap), floored.
func MaxShareable(base Amount, maxRate decimal.Decimal) (Amount, error) {
	return ShareOf(base, maxRate)
}

// CapError reports shares above the cap, with both figures for the caller's message.
type CapError struct {
	Shared Amount // what the plan shares away
	Limit  Amount // the most the cap allows
}

func (e *CapError) Error() string {
	return fmt.Sprintf("shares of %s yuan exceed the cap of %s yuan", e.Shared, e.Limit)
}
func (e *CapError) Unwrap() error { return ErrOverCap }

// CheckCap returns a *CapError when the sum of shares exceeds maxRate × base (floored), nil otherwise.
func CheckCap(base Amount, maxRate decimal.Decimal, shares ...Amount) error {
	limit, err := MaxShareable(base, maxRate)
	if err != nil {
		return err
	}
	total, err := Sum(shares...)
	if err != nil {
		return err
	}
	for _, s := range shares {
		if s < 0 {
			return &Error{Op: "CheckCap", Input: s.String(), Err: ErrNegative}
		}
	}
	if total > limit {
		return &CapError{Shared: total, Limit: limit}
	}
	return nil
}

// SplitProportional divides total over the weights in proportion, conserving every fen: each part is the
// floor of its exact share, and the fen left over go one each to the largest fractional remainders, ties to
// the lower index. So parts sum to total, and each part is within one fen of its exact share.
//
// Weights must be non-negative with a positive sum; total must be non-negative. Used for proportional
// clawback (what each receiver returns) and for spreading an order-level coupon over its lines.
func SplitProportional(total Amount, weights []Amount) ([]Amount, error) {
	if total < 0 {
		return nil, &Error{Op: "SplitProportional", Input: total.String(), Err: ErrNegative}
	}
	var sumW uint64
	for i, w := range weights {
		if w < 0 {
			return nil, &Error{Op: "SplitProportional", Input: fmt.Sprintf("weights[%d]=%s", i, w), Err: ErrWeights}
		}
		var carry uint64
		sumW, carry = bits.Add64(sumW, uint64(w), 0)
		if carry != 0 || sumW > uint64(MaxAmount) {
			return nil, &Error{Op: "SplitProportional", Input: "sum of weights", Err: ErrOverflow}
		}
	}
	if sumW == 0 {
		return nil, &Error{Op: "SplitProportional", Input: "sum of weights is zero", Err: ErrWeights}
	}

	parts := make([]Amount, len(weights))
	rems := make([]uint64, len(weights))
	var allocated uint64
	for i, w := range weights {
		// total×w needs 128 bits; the quotient fits in 64 because w ≤ sumW, so hi < sumW as Div64 requires.
		hi, lo := bits.Mul64(uint64(total), uint64(w))
		q, r := bits.Div64(hi, lo, sumW)
		parts[i], rems[i] = Amount(q), r
		allocated += q
	}
	leftover := uint64(total) - allocated // < len(weights): each floor loses less than one fen
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]] > rems[order[b]] })
	for k := uint64(0); k < leftover; k++ {
		parts[order[k]]++
	}
	return parts, nil
}
