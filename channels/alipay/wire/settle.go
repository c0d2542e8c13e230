package wire

// SettleConfirm is alipay.trade.settle.confirm's biz_content (确认结算): the 直付通 freeze is requested here.
type SettleConfirm struct {
	OutRequestNo string               `json:"out_request_no"`
	TradeNo      string               `json:"trade_no"`
	SettleInfo   SettleInfo           `json:"settle_info"`
	ExtendParams *ConfirmExtendParams `json:"extend_params,omitempty"`
}

// ConfirmExtendParams asks to freeze what is settled, for royalty later ("true").
type ConfirmExtendParams struct {
	RoyaltyFreeze string `json:"royalty_freeze,omitempty"`
}

// SettleConfirmResponse answers it.
type SettleConfirmResponse struct {
	Status
	TradeNo      string `json:"trade_no"`
	OutRequestNo string `json:"out_request_no"`
	SettleAmount string `json:"settle_amount"`
}

// RoyaltyDetail is one receiver's leg in order.settle, or a reversal in refund_royalty_parameters. Amounts are
// yuan strings (smartwalle's float64 is not for money).
type RoyaltyDetail struct {
	RoyaltyType  string `json:"royalty_type,omitempty"` // transfer | replenish
	TransOut     string `json:"trans_out,omitempty"`
	TransOutType string `json:"trans_out_type,omitempty"`
	TransInType  string `json:"trans_in_type,omitempty"` // userId | loginName
	TransIn      string `json:"trans_in"`
	TransInName  string `json:"trans_in_name,omitempty"`
	Amount       string `json:"amount"`
	Desc         string `json:"desc,omitempty"`
	RoyaltyScene string `json:"royalty_scene,omitempty"`
}

// OrderSettle is alipay.trade.order.settle's biz_content: share, and with royalty_finish unfreeze the rest.
type OrderSettle struct {
	OutRequestNo      string              `json:"out_request_no"`
	TradeNo           string              `json:"trade_no"`
	RoyaltyParameters []RoyaltyDetail     `json:"royalty_parameters"`
	RoyaltyMode       string              `json:"royalty_mode,omitempty"` // sync (default) | async
	ExtendParams      *SettleExtendParams `json:"extend_params,omitempty"`
	OperatorID        string              `json:"operator_id,omitempty"`
}

// SettleExtendParams carries royalty_finish ("true").
type SettleExtendParams struct {
	RoyaltyFinish string `json:"royalty_finish,omitempty"`
}

// OrderSettleResponse answers it.
type OrderSettleResponse struct {
	Status
	TradeNo  string `json:"trade_no"`
	SettleNo string `json:"settle_no"`
}

// OrderSettleQuery is alipay.trade.order.settle.query's biz_content: settle_no, or out_request_no + trade_no.
type OrderSettleQuery struct {
	SettleNo     string `json:"settle_no,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	TradeNo      string `json:"trade_no,omitempty"`
}

// OrderSettleQueryResponse answers it.
type OrderSettleQueryResponse struct {
	Status
	OutRequestNo      string              `json:"out_request_no"`
	OperationDt       string              `json:"operation_dt"`
	RoyaltyDetailList []RoyaltyDetailItem `json:"royalty_detail_list"`
}

// RoyaltyDetailItem is one leg's outcome.
type RoyaltyDetailItem struct {
	OperationType string `json:"operation_type"` // transfer | transfer_refund | replenish | replenish_refund
	ExecuteDt     string `json:"execute_dt,omitempty"`
	TransOut      string `json:"trans_out,omitempty"`
	TransOutType  string `json:"trans_out_type,omitempty"`
	TransIn       string `json:"trans_in"`
	TransInType   string `json:"trans_in_type,omitempty"`
	Amount        string `json:"amount"`
	State         string `json:"state"` // SUCCESS | FAIL | PROCESSING
	DetailID      string `json:"detail_id"`
	ErrorCode     string `json:"error_code,omitempty"`
	ErrorDesc     string `json:"error_desc,omitempty"`
}

// TradeSettleInfo is alipay.trade.query's trade_settle_info (query_options ["trade_settle_info"]), with the
// fields smartwalle's type lacks.
type TradeSettleInfo struct {
	TradeSettleDetailList []TradeSettleDetail `json:"trade_settle_detail_list"`
	TradeUnsettledAmount  string              `json:"trade_unsettled_amount,omitempty"`
}

// TradeSettleDetail is one settle operation on a trade.
type TradeSettleDetail struct {
	OperationType     string `json:"operation_type"`
	OperationSerialNo string `json:"operation_serial_no"`
	OperationDt       string `json:"operation_dt"`
	TransOut          string `json:"trans_out,omitempty"`
	TransIn           string `json:"trans_in,omitempty"`
	OriTransOut       string `json:"ori_trans_out,omitempty"`
	OriTransIn        string `json:"ori_trans_in,omitempty"`
	Amount            string `json:"amount"`
}

// RelationBind is royalty.relation.bind's (and unbind's) biz_content: ≤ 20 receivers per call.
type RelationBind struct {
	OutRequestNo string            `json:"out_request_no"`
	ReceiverList []RoyaltyReceiver `json:"receiver_list"`
}

// RoyaltyReceiver is one receiver to bind: userId (2088…), loginName (needs name) or openId.
type RoyaltyReceiver struct {
	Type          string `json:"type"`
	Account       string `json:"account"`
	Name          string `json:"name,omitempty"`
	Memo          string `json:"memo,omitempty"`
	LoginName     string `json:"login_name,omitempty"`
	BindLoginName string `json:"bind_login_name,omitempty"`
}

// RelationResponse answers bind and unbind.
type RelationResponse struct {
	Status
	ResultCode string `json:"result_code"` // SUCCESS
}

// RoyaltyRateQuery is royalty.rate.query's biz_content; the answer is the most that may be shared, in percent.
type RoyaltyRateQuery struct {
	OutRequestNo string `json:"out_request_no"`
}

// RoyaltyRateResponse answers it.
type RoyaltyRateResponse struct {
	Status
	UserID   string `json:"user_id"`
	MaxRatio int    `json:"max_ratio"`
}
