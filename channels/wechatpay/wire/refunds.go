package wire

type SubsidyRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	OutSubsidyNo  string `json:"out_subsidy_no"`
	Amount        int64  `json:"amount"`
	Description   string `json:"description"`
	RefundID      string `json:"refund_id,omitempty"`
}

type SubsidyState struct {
	SubMchID        string `json:"sub_mchid"`
	TransactionID   string `json:"transaction_id"`
	SubsidyID       string `json:"subsidy_id,omitempty"`
	SubsidyRefundID string `json:"subsidy_refund_id,omitempty"`
	RefundID        string `json:"refund_id,omitempty"`
	OutOrderNo      string `json:"out_order_no,omitempty"`
	Description     string `json:"description"`
	Amount          int64  `json:"amount"`
	Result          string `json:"result"`
	SuccessTime     string `json:"success_time,omitempty"`
}

type SubsidyReturnRequest struct {
	SubMchID      string              `json:"sub_mchid"`
	OutOrderNo    string              `json:"out_order_no"`
	TransactionID string              `json:"transaction_id"`
	RefundID      string              `json:"refund_id"`
	Amount        int64               `json:"amount"`
	Description   string              `json:"description"`
	SubsidyID     string              `json:"subsidy_id,omitempty"`
	From          []SubsidyReturnFrom `json:"from,omitempty"` // one source account; absent: the channel chooses
}

// SubsidyReturnFrom names the sub-merchant account a subsidy return is taken from: AVAILABLE or UNAVAILABLE
// (the order's frozen money).
type SubsidyReturnFrom struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
}

type SubsidyCancelRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	Description   string `json:"description"`
}

type SubsidyCancelResponse struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	Result        string `json:"result"`
	Description   string `json:"description"`
}

type RefundAmount struct {
	Refund         int64  `json:"refund"`
	Total          int64  `json:"total,omitempty"`
	PayerTotal     int64  `json:"payer_total,omitempty"`
	PayerRefund    int64  `json:"payer_refund,omitempty"`
	DiscountRefund int64  `json:"discount_refund,omitempty"`
	Currency       string `json:"currency"`
}

// Refund sources (refund_account) and funds accounts (funds_account).
const (
	RefundSourceSubMerchant    = "REFUND_SOURCE_SUB_MERCHANT"    // the default: the sub-merchant pays
	RefundSourcePartnerAdvance = "REFUND_SOURCE_PARTNER_ADVANCE" // the platform advances it (needs activation)
	FundsAvailable             = "AVAILABLE"                     // the sub-merchant's available balance
	FundsUnavailable           = "UNAVAILABLE"                   // the order's frozen (pending-split) money
)

type RefundRequest struct {
	SubMchID      string       `json:"sub_mchid"`
	SpAppID       string       `json:"sp_appid"`
	SubAppID      string       `json:"sub_appid,omitempty"`
	TransactionID string       `json:"transaction_id,omitempty"`
	OutTradeNo    string       `json:"out_trade_no,omitempty"`
	OutRefundNo   string       `json:"out_refund_no"`
	Reason        string       `json:"reason,omitempty"`
	Amount        RefundAmount `json:"amount"`
	NotifyURL     string       `json:"notify_url,omitempty"`
	RefundAccount string       `json:"refund_account,omitempty"`
	// FundsAccount AVAILABLE forces the available balance while the order is pending split.
	FundsAccount string `json:"funds_account,omitempty"`
}

type RefundState struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id,omitempty"`
	OutTradeNo          string       `json:"out_trade_no,omitempty"`
	Channel             string       `json:"channel,omitempty"` // ORIGINAL | BALANCE | OTHER_BALANCE | OTHER_BANKCARD
	UserReceivedAccount string       `json:"user_received_account,omitempty"`
	CreateTime          string       `json:"create_time,omitempty"`
	SuccessTime         string       `json:"success_time,omitempty"`
	Status              string       `json:"status,omitempty"`
	RefundAccount       string       `json:"refund_account,omitempty"`
	FundsAccount        string       `json:"funds_account,omitempty"` // where the sub-merchant's money came from
	Amount              RefundAmount `json:"amount"`
	PromotionDetail     []any        `json:"promotion_detail"`
}

// RefundNotice is the plaintext of REFUND.* notifications.
type RefundNotice struct {
	SpMchID       string       `json:"sp_mchid"`
	SubMchID      string       `json:"sub_mchid"`
	TransactionID string       `json:"transaction_id"`
	OutTradeNo    string       `json:"out_trade_no"`
	RefundID      string       `json:"refund_id"`
	OutRefundNo   string       `json:"out_refund_no"`
	RefundStatus  string       `json:"refund_status"`
	SuccessTime   string       `json:"success_time,omitempty"`
	Amount        RefundAmount `json:"amount"`

	UserReceivedAccount string `json:"user_received_account,omitempty"`
	RefundAccount       string `json:"refund_account,omitempty"`
	FundsAccount        string `json:"funds_account,omitempty"`
}
