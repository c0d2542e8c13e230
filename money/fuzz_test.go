package money

import (
	"errors"
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParseYuan: any input either parses to a non-negative amount whose String parses back to itself, or
// fails with a typed *Error — never a panic, never a negative amount.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{
		"0", "12.34", "0.01", "92233720368547758.07", "92233720368547758.08", "-1", "1.234", "NaN", ".5",
		"1e9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseYuan(s)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("ParseYuan(%q): untyped error %T %v", s, err, err)
			}
			return
		}
		if a < 0 {
			t.Fatalf("ParseYuan(%q) = %d, negative", s, a)
		}
		back, err := ParseYuan(a.String())
		if err != nil || back != a {
			t.Fatalf("round trip of %q: %q → %d, %v", s, a.String(), back, err)
		}
	})
}

// FuzzSplitProportional: parts always sum to the total (no fen lost or invented) and each part lies within
// one fen of its exact rational share; invalid inputs fail with a typed error.
func FuzzSplitProportional(f *testing.F) {
	f.Add(int64(100), int64(1), int64(1), int64(1), int64(0))
	f.Add(int64(18000), int64(10000), int64(10000), int64(0), int64(0))
	f.Add(int64(9223372036854775807), int64(9223372036854775807), int64(3), int64(1), int64(0))
	f.Add(int64(1), int64(0), int64(0), int64(0), int64(7))
	f.Fuzz(func(t *testing.T, total, w0, w1, w2, w3 int64) {
		weights := []Amount{Amount(w0), Amount(w1), Amount(w2), Amount(w3)}
		parts, err := SplitProportional(Amount(total), weights)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("untyped error %T %v", err, err)
			}
			return
		}
		sum := new(big.Int)
		sumW := new(big.Int)
		for _, w := range weights {
			sumW.Add(sumW, big.NewInt(int64(w)))
		}
		for i, p := range parts {
			sum.Add(sum, big.NewInt(int64(p)))
			// |p·ΣW − total·w| < ΣW  ⇔  p is within one fen of total·w/ΣW
			exact := new(big.Int).Mul(big.NewInt(total), big.NewInt(int64(weights[i])))
			diff := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(int64(p)), sumW), exact)
			if diff.Abs(diff).Cmp(sumW) >= 0 {
				t.Fatalf("part %d = %d is a fen or more from its share of %d by %v", i, p, total, weights)
			}
			if p < 0 {
				t.Fatalf("negative part %d", p)
			}
		}
		if sum.Cmp(big.NewInt(total)) != 0 {
			t.Fatalf("parts %v sum to %v, want %d", parts, sum, total)
		}
	})
}

// FuzzShareOf: a share is never negative, never above base × rate, and less than a fen below it.
func FuzzShareOf(f *testing.F) {
	f.Add(int64(20000), int64(1000))
	f.Add(int64(999), int64(1000))
	f.Add(int64(9223372036854775807), int64(3000))
	f.Fuzz(func(t *testing.T, base int64, basisPoints int64) {
		rate := decimal.New(basisPoints, -4) // basis points → ratio
		share, err := ShareOf(Amount(base), rate)
		if err != nil {
			if !errors.Is(err, ErrNegative) && !errors.Is(err, ErrRate) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		exact := decimal.NewFromInt(base).Mul(rate)
		got := decimal.NewFromInt(int64(share))
		if share < 0 || got.GreaterThan(exact) || exact.Sub(got).GreaterThanOrEqual(decimal.NewFromInt(1)) {
			t.Fatalf("ShareOf(%d, %s) = %d; exact %s", base, rate, share, exact)
		}
	})
}
