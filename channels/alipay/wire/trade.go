package wire

// SubMerchant names the 二级商户 a trade belongs to ("直付通场景下必传").
type SubMerchant struct {
	MerchantID   string `json:"merchant_id"`
	MerchantType string `json:"merchant_type,omitempty"` // "alipay", the only value
}

// SettleDetail is the one entry of settle_info: where the money settles.
type SettleDetail struct {
	TransInType      string `json:"trans_in_type"`
	TransIn          string `json:"trans_in,omitempty"` // empty for defaultSettle
	SettleEntityType string `json:"settle_entity_type,omitempty"`
	SettleEntityID   string `json:"settle_entity_id,omitempty"`
	SummaryDimension string `json:"summary_dimension,omitempty"`
	Amount           string `json:"amount"`
	ActualAmount     string `json:"actual_amount,omitempty"`
}

// SettleInfo is a trade's or a settle confirm's settlement ("直付通场景下必传"): exactly one detail.
type SettleInfo struct {
	SettleDetailInfos []SettleDetail `json:"settle_detail_infos"`
	SettlePeriodTime  string         `json:"settle_period_time,omitempty"`
}

// OrderDetail is one sub-order of a merged payment, or the biz_content of a single trade create/precreate.
type OrderDetail struct {
	AppID          string       `json:"app_id,omitempty"`
	OutTradeNo     string       `json:"out_trade_no"`
	ProductCode    string       `json:"product_code"`
	TotalAmount    string       `json:"total_amount"`
	Subject        string       `json:"subject"`
	Body           string       `json:"body,omitempty"`
	PassbackParams string       `json:"passback_params,omitempty"`
	SubMerchant    *SubMerchant `json:"sub_merchant,omitempty"`
	SettleInfo     *SettleInfo  `json:"settle_info,omitempty"`
	TimeExpire     string       `json:"time_expire,omitempty"` // yyyy-MM-dd HH:mm:ss, single trades
}

// MergePrecreate is alipay.trade.merge.precreate's biz_content.
type MergePrecreate struct {
	OutMergeNo   string        `json:"out_merge_no,omitempty"`
	TimeExpire   string        `json:"time_expire,omitempty"`
	OrderDetails []OrderDetail `json:"order_details"`
}

// MergePrecreateResponse answers it.
type MergePrecreateResponse struct {
	Status
	OutMergeNo         string              `json:"out_merge_no,omitempty"`
	PreOrderNo         string              `json:"pre_order_no"`
	OrderDetailResults []OrderDetailResult `json:"order_detail_results"`
}

// OrderDetailResult is one sub-order's outcome in a merge precreate.
type OrderDetailResult struct {
	AppID      string `json:"app_id"`
	OutTradeNo string `json:"out_trade_no"`
	Success    bool   `json:"success"`
	ResultCode string `json:"result_code,omitempty"`
}

// Status is every response's common part (smartwalle's alipay.Error has the same JSON).
type Status struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code,omitempty"`
	SubMsg  string `json:"sub_msg,omitempty"`
}

// OK says whether the call succeeded (10000) or created an order whose payment is in progress (10003).
func (s Status) OK() bool { return s.Code == CodeSuccess || s.Code == CodePaying }
