package money

import (
	"errors"
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseYuan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Amount
		err  error
	}{
		{"0", 0, nil},
		{"12", 1200, nil},
		{"12.3", 1230, nil},
		{"12.34", 1234, nil},
		{"0.01", 1, nil},
		{"007.50", 750, nil},
		{"92233720368547758.07", MaxAmount, nil},
		{"92233720368547758.08", 0, ErrOverflow},
		{"99999999999999999999", 0, ErrOverflow},
		{"12.345", 0, ErrPrecision},
		{"-1", 0, ErrNegative},
		{"-", 0, ErrSyntax},
		{"", 0, ErrSyntax},
		{"+1", 0, ErrSyntax},
		{" 1", 0, ErrSyntax},
		{"1 ", 0, ErrSyntax},
		{"1.", 0, ErrSyntax},
		{".5", 0, ErrSyntax},
		{"1e3", 0, ErrSyntax},
		{"NaN", 0, ErrSyntax},
		{"Inf", 0, ErrSyntax},
		{"1,000", 0, ErrSyntax},
		{"１２", 0, ErrSyntax}, // full-width digits
		{"1.2.3", 0, ErrSyntax},
	} {
		got, err := ParseYuan(tc.in)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("ParseYuan(%q) error = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || me.Op != "ParseYuan" {
				t.Errorf("ParseYuan(%q) error %T is not a *money.Error naming the op", tc.in, err)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("ParseYuan(%q) = %d fen, want %d", tc.in, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	for a, want := range map[Amount]string{
		0: "0.00", 1: "0.01", 1234: "12.34", -5: "-0.05", -1234: "-12.34",
		MaxAmount: "92233720368547758.07", math.MinInt64: "-92233720368547758.08",
	} {
		if got := a.String(); got != want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(a), got, want)
		}
	}
}

func TestAddSubOverflow(t *testing.T) {
	if _, err := Add(MaxAmount, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Add(max, 1) err = %v", err)
	}
	if _, err := Sub(math.MinInt64, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sub(min, 1) err = %v", err)
	}
	if _, err := Sub(0, math.MinInt64); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sub(0, min) err = %v", err)
	}
	if s, err := Sum(100, 200, -50); err != nil || s != 250 {
		t.Errorf("Sum = %v, %v", s, err)
	}
	if _, err := New(-1); !errors.Is(err, ErrNegative) {
		t.Errorf("New(-1) err = %v", err)
	}
}

func TestShareOfFloors(t *testing.T) {
	r := decimal.RequireFromString
	for _, tc := range []struct {
		base Amount
		rate string
		want Amount
	}{
		{20000, "0.10", 2000}, // the 链动 L1 commission on 200 yuan
		{20000, "0.05", 1000},
		{999, "0.10", 99}, // 99.9 fen floors to 99
		{1, "0.30", 0},
		{333, "0.3333", 110}, // 110.9889 → 110
		{12345, "1", 12345},
		{12345, "0", 0},
	} {
		got, err := ShareOf(tc.base, r(tc.rate))
		if err != nil || got != tc.want {
			t.Errorf("ShareOf(%d, %s) = %d, %v; want %d", tc.base, tc.rate, got, err, tc.want)
		}
	}
	if _, err := ShareOf(100, r("1.01")); !errors.Is(err, ErrRate) {
		t.Errorf("rate above 1: err = %v", err)
	}
	if _, err := ShareOf(100, r("-0.1")); !errors.Is(err, ErrRate) {
		t.Errorf("negative rate: err = %v", err)
	}
	if _, err := ParseRate("abc"); !errors.Is(err, ErrSyntax) {
		t.Errorf("ParseRate(abc): err = %v", err)
	}
}

func TestCheckCap(t *testing.T) {
	cap30 := decimal.RequireFromString("0.30")
	if err := CheckCap(10000, cap30, 2000, 1000); err != nil {
		t.Errorf("30%% exactly: %v", err)
	}
	err := CheckCap(10000, cap30, 2000, 1001)
	var ce *CapError
	if !errors.As(err, &ce) || !errors.Is(err, ErrOverCap) || ce.Shared != 3001 || ce.Limit != 3000 {
		t.Errorf("over cap: err = %v", err)
	}
	if err := CheckCap(10000, cap30, 5000, -2000); !errors.Is(err, ErrNegative) {
		t.Errorf("a negative share must not offset another: err = %v", err)
	}
}

func TestSplitProportional(t *testing.T) {
	for _, tc := range []struct {
		total   Amount
		weights []Amount
		want    []Amount
	}{
		{100, []Amount{1, 1, 1}, []Amount{34, 33, 33}}, // tie → lower index
		{2000, []Amount{10000, 10000}, []Amount{1000, 1000}},
		{7, []Amount{0, 5, 0}, []Amount{0, 7, 0}},
		{10, []Amount{3, 3, 4}, []Amount{3, 3, 4}},
		{1, []Amount{1, 2}, []Amount{0, 1}}, // 0.333 vs 0.667: the larger remainder wins
		{MaxAmount, []Amount{MaxAmount, MaxAmount / 2}, nil},
	} {
		got, err := SplitProportional(tc.total, tc.weights)
		if err != nil {
			if tc.want != nil {
				t.Errorf("Split(%d, %v): %v", tc.total, tc.weights, err)
			}
			continue
		}
		if s, _ := Sum(got...); s != tc.total {
			t.Errorf("Split(%d, %v) = %v sums to %d", tc.total, tc.weights, got, s)
		}
		if tc.want == nil {
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("Split(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
				break
			}
		}
	}
	for _, bad := range [][]Amount{{}, {0, 0}, {1, -1}} {
		if _, err := SplitProportional(10, bad); !errors.Is(err, ErrWeights) {
			t.Errorf("weights %v: err = %v", bad, err)
		}
	}
	if _, err := SplitProportional(10, []Amount{MaxAmount, 1}); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing weights: err = %v", err)
	}
}
