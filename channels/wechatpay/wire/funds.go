package wire

type BalanceResponse struct {
	SubMchID        string `json:"sub_mchid"`
	AccountType     string `json:"account_type"`
	AvailableAmount int64  `json:"available_amount"`
	PendingAmount   int64  `json:"pending_amount"`
}

type WithdrawRequest struct {
	SubMchID     string `json:"sub_mchid"`
	OutRequestNo string `json:"out_request_no"`
	Amount       int64  `json:"amount"`
	Remark       string `json:"remark,omitempty"`
	BankMemo     string `json:"bank_memo,omitempty"`
}

type WithdrawState struct {
	SubMchID     string `json:"sub_mchid"`
	SpMchID      string `json:"sp_mchid,omitempty"`
	Status       string `json:"status,omitempty"`
	WithdrawID   string `json:"withdraw_id"`
	OutRequestNo string `json:"out_request_no"`
	Amount       int64  `json:"amount,omitempty"`
	CreateTime   string `json:"create_time,omitempty"`
	UpdateTime   string `json:"update_time,omitempty"`
	Reason       string `json:"reason,omitempty"`
}
