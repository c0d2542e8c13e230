package wire

type Amount struct {
	TotalAmount   int64  `json:"total_amount"`
	Currency      string `json:"currency"`
	PayerAmount   int64  `json:"payer_amount,omitempty"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

type SettleInfo struct {
	ProfitSharing bool  `json:"profit_sharing"`
	SubsidyAmount int64 `json:"subsidy_amount,omitempty"`
}

type SubOrder struct {
	MchID       string      `json:"mchid"`
	SubMchID    string      `json:"sub_mchid"`
	SubAppID    string      `json:"sub_appid,omitempty"`
	Attach      string      `json:"attach"`
	Amount      Amount      `json:"amount"`
	OutTradeNo  string      `json:"out_trade_no"`
	Description string      `json:"description"`
	SettleInfo  *SettleInfo `json:"settle_info,omitempty"`
}

type H5Info struct {
	Type string `json:"type"`
}

type SceneInfo struct {
	PayerClientIP string  `json:"payer_client_ip,omitempty"`
	DeviceID      string  `json:"device_id,omitempty"`
	H5Info        *H5Info `json:"h5_info,omitempty"`
}

type PayerInfo struct {
	OpenID string `json:"openid"`
}

type CombineRequest struct {
	CombineAppID      string     `json:"combine_appid"`
	CombineMchID      string     `json:"combine_mchid"`
	CombineOutTradeNo string     `json:"combine_out_trade_no"`
	SceneInfo         *SceneInfo `json:"scene_info,omitempty"`
	SubOrders         []SubOrder `json:"sub_orders"`
	CombinePayerInfo  *PayerInfo `json:"combine_payer_info,omitempty"`
	TimeExpire        string     `json:"time_expire,omitempty"`
	NotifyURL         string     `json:"notify_url"`
}

type CombineResponse struct {
	PrepayID string `json:"prepay_id,omitempty"`
	H5URL    string `json:"h5_url,omitempty"`
	CodeURL  string `json:"code_url,omitempty"`
}

type SubOrderState struct {
	MchID         string `json:"mchid"`
	SubMchID      string `json:"sub_mchid"`
	TradeType     string `json:"trade_type,omitempty"`
	TradeState    string `json:"trade_state"`
	BankType      string `json:"bank_type,omitempty"`
	Attach        string `json:"attach"`
	SuccessTime   string `json:"success_time,omitempty"`
	TransactionID string `json:"transaction_id,omitempty"`
	OutTradeNo    string `json:"out_trade_no"`
	Amount        Amount `json:"amount"`
}

// CombineState is the combined-order query response and the TRANSACTION.SUCCESS plaintext.
type CombineState struct {
	CombineAppID      string          `json:"combine_appid"`
	CombineMchID      string          `json:"combine_mchid"`
	CombineOutTradeNo string          `json:"combine_out_trade_no"`
	SubOrders         []SubOrderState `json:"sub_orders"`
	CombinePayerInfo  *PayerInfo      `json:"combine_payer_info,omitempty"`
}

type CloseSubOrder struct {
	MchID      string `json:"mchid"`
	OutTradeNo string `json:"out_trade_no"`
	SubMchID   string `json:"sub_mchid"`
}

type CloseRequest struct {
	CombineAppID string          `json:"combine_appid"`
	SubOrders    []CloseSubOrder `json:"sub_orders"`
}
