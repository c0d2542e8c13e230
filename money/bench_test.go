package money

import (
	"testing"

	"github.com/shopspring/decimal"
)

func BenchmarkParseYuan(b *testing.B) {
	for b.Loop() {
		if _, err := ParseYuan("123456.78"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkShareOf(b *testing.B) {
	rate := decimal.RequireFromString("0.10")
	for b.Loop() {
		if _, err := ShareOf(123456, rate); err != nil {
			b.Fatal(err)
		}
	}
}

// A sharing batch's worth of receivers: the size SplitProportional sees in a clawback.
func BenchmarkSplitProportional5(b *testing.B) {
	weights := []Amount{3000, 2000, 1000, 500, 1}
	for b.Loop() {
		if _, err := SplitProportional(6501, weights); err != nil {
			b.Fatal(err)
		}
	}
}
