package workflows

import (
	"fmt"

	"github.com/splitpay/splitpay/money"
)

// Who funds a coupon: the platform (it pays the merchant the discount as a subsidy, 补差) or the merchant
// (the discount is simply less money).
const (
	CouponByPlatform = "platform"
	CouponByMerchant = "merchant"
)

// Coupon is a threshold coupon (满减): Discount off when the goods reach Threshold.
type Coupon struct {
	Threshold money.Amount
	Discount  money.Amount
	FundedBy  string // CouponByPlatform | CouponByMerchant
}

// Item is a line of a sub-order.
type Item struct {
	SKU       string
	UnitPrice money.Amount
	Quantity  int
}

// Price is what a set of items costs under a coupon.
type Price struct {
	Gross     money.Amount // Σ price × quantity
	Discount  money.Amount // the coupon's discount when it applies, else 0
	BuyerPays money.Amount // Gross − Discount
	Subsidy   money.Amount // the platform's part: Discount when the platform funds the coupon
}

// PriceItems prices items under the coupon (nil: none). The discount never exceeds the gross.
func PriceItems(items []Item, c *Coupon) (Price, error) {
	var s Price
	for i, it := range items {
		if it.UnitPrice <= 0 || it.Quantity < 0 {
			return s, &PlanError{fmt.Sprintf("Items[%d]", i), "unit price must be positive and quantity not negative"}
		}
		line := money.Amount(int64(it.UnitPrice) * int64(it.Quantity))
		if it.Quantity != 0 && int64(line)/int64(it.Quantity) != int64(it.UnitPrice) {
			return s, &PlanError{fmt.Sprintf("Items[%d]", i), "price × quantity overflows"}
		}
		g, err := money.Add(s.Gross, line)
		if err != nil {
			return s, &PlanError{"Items", "total overflows"}
		}
		s.Gross = g
	}
	if c != nil {
		switch {
		case c.Discount <= 0 || c.Threshold < 0:
			return s, &PlanError{"Coupon", "discount must be positive and threshold not negative"}
		case c.FundedBy != CouponByPlatform && c.FundedBy != CouponByMerchant:
			return s, &PlanError{"Coupon.FundedBy", "platform or merchant"}
		}
		if s.Gross > 0 && s.Gross >= c.Threshold {
			s.Discount = min(c.Discount, s.Gross)
		}
		if c.FundedBy == CouponByPlatform {
			s.Subsidy = s.Discount
		}
	}
	s.BuyerPays = s.Gross - s.Discount
	return s, nil
}
