package cart

import "github.com/splitpay/splitpay/money"

// Request is a buyer's checkout: one combined order of 1–50 sub-orders.
type Request struct {
	OrderNo       string            `json:"order_no"`
	Channel       string            `json:"channel,omitempty"` // default wechatpay
	Scene         string            `json:"scene,omitempty"`   // jsapi | miniprogram | app | h5 | native (default)
	PayerOpenID   string            `json:"payer_openid,omitempty"`
	PayerClientIP string            `json:"payer_client_ip,omitempty"`
	DeviceID      string            `json:"device_id,omitempty"          maxlen:"64"` // the buyer's device, for risk rules
	H5Type        string            `json:"h5_type,omitempty"`
	SubOrders     []SubOrderRequest `json:"sub_orders"`
}

// SubOrderRequest is one shop's part of the checkout.
type SubOrderRequest struct {
	MerchantID  string              `json:"merchant_id"`
	Description string              `json:"description"`
	Amount      money.Amount        `json:"amount"`            // fen the buyer pays
	Subsidy     money.Amount        `json:"subsidy,omitempty"` // fen of platform coupon money paid to the shop before sharing
	Commissions []CommissionRequest `json:"commissions,omitempty"`
	// Items and Coupon, when given, price the sub-order (amount and subsidy follow from them) and let refunds
	// name items, with the coupon recomputed on what is kept.
	Items  []ItemRequest  `json:"items,omitempty"`
	Coupon *CouponRequest `json:"coupon,omitempty"`
}

// ItemRequest is a line of a sub-order.
type ItemRequest struct {
	SKU       string       `json:"sku"`
	UnitPrice money.Amount `json:"unit_price"` // fen
	Quantity  int          `json:"quantity"`
}

// CouponRequest is a threshold coupon (满减) on a sub-order.
type CouponRequest struct {
	Threshold money.Amount `json:"threshold"` // fen
	Discount  money.Amount `json:"discount"`  // fen
	FundedBy  string       `json:"funded_by"` // platform | merchant
}

// CommissionRequest gives a registered receiver a rate of the sub-order's sharing base.
type CommissionRequest struct {
	ReceiverID string `json:"receiver_id"` // "platform" for the platform's commission
	Rate       string `json:"rate"`        // e.g. "0.10"
}
