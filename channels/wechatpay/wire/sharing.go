package wire

type SharingReceiver struct {
	Type            string `json:"type"`
	ReceiverAccount string `json:"receiver_account"`
	ReceiverName    string `json:"receiver_name,omitempty" encryption:"EM_APIV3"`
	Amount          int64  `json:"amount"`
	Description     string `json:"description"`
}

type SharingRequest struct {
	AppID         string            `json:"appid,omitempty"`
	SubMchID      string            `json:"sub_mchid"`
	TransactionID string            `json:"transaction_id"`
	OutOrderNo    string            `json:"out_order_no"`
	Receivers     []SharingReceiver `json:"receivers"`
	Finish        bool              `json:"finish"`
}

type SharingReceiverResult struct {
	Type            string `json:"type"`
	ReceiverAccount string `json:"receiver_account"`
	Amount          int64  `json:"amount"`
	Description     string `json:"description"`
	Result          string `json:"result"`
	FailReason      string `json:"fail_reason,omitempty"`
	DetailID        string `json:"detail_id"`
	FinishTime      string `json:"finish_time,omitempty"`
}

type SharingState struct {
	SubMchID          string                  `json:"sub_mchid"`
	TransactionID     string                  `json:"transaction_id"`
	OutOrderNo        string                  `json:"out_order_no"`
	OrderID           string                  `json:"order_id"`
	Status            string                  `json:"status"`
	Receivers         []SharingReceiverResult `json:"receivers,omitempty"`
	FinishAmount      int64                   `json:"finish_amount,omitempty"`
	FinishDescription string                  `json:"finish_description,omitempty"`
}

type FinishRequest struct {
	SubMchID      string `json:"sub_mchid"`
	TransactionID string `json:"transaction_id"`
	OutOrderNo    string `json:"out_order_no"`
	Description   string `json:"description"`
}

type UnsplitAmount struct {
	TransactionID string `json:"transaction_id"`
	UnsplitAmount int64  `json:"unsplit_amount"`
}

type ReceiverRequest struct {
	AppID         string `json:"appid"`
	Type          string `json:"type"`
	Account       string `json:"account"`
	Name          string `json:"name,omitempty"`
	EncryptedName string `json:"encrypted_name,omitempty" encryption:"EM_APIV3"`
	RelationType  string `json:"relation_type,omitempty"`
}

type ReceiverResponse struct {
	Type    string `json:"type"`
	Account string `json:"account"`
}

type ReturnRequest struct {
	SubMchID    string `json:"sub_mchid"`
	OutOrderNo  string `json:"out_order_no"`
	OutReturnNo string `json:"out_return_no"`
	ReturnMchID string `json:"return_mchid"`
	Amount      int64  `json:"amount"`
	Description string `json:"description"`
}

type ReturnState struct {
	SubMchID    string `json:"sub_mchid"`
	OrderID     string `json:"order_id"`
	OutOrderNo  string `json:"out_order_no"`
	OutReturnNo string `json:"out_return_no"`
	ReturnNo    string `json:"return_no"`
	ReturnMchID string `json:"return_mchid"`
	Amount      int64  `json:"amount"`
	Result      string `json:"result"`
	FailReason  string `json:"fail_reason,omitempty"`
	FinishTime  string `json:"finish_time,omitempty"`
}
