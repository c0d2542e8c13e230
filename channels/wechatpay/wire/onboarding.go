package wire

type BusinessLicenseInfo struct {
	BusinessLicenseCopy   string `json:"business_license_copy"`
	BusinessLicenseNumber string `json:"business_license_number"`
	MerchantName          string `json:"merchant_name"`
	LegalPerson           string `json:"legal_person"`
}

type IDCardInfo struct {
	IDCardCopy           string `json:"id_card_copy"`
	IDCardNational       string `json:"id_card_national"`
	IDCardName           string `json:"id_card_name"             encryption:"EM_APIV3"`
	IDCardNumber         string `json:"id_card_number"           encryption:"EM_APIV3"`
	IDCardValidTimeBegin string `json:"id_card_valid_time_begin"`
	IDCardValidTime      string `json:"id_card_valid_time"`
}

type AccountInfo struct {
	BankAccountType string `json:"bank_account_type"`
	AccountBank     string `json:"account_bank"`
	AccountName     string `json:"account_name"      encryption:"EM_APIV3"`
	BankAddressCode string `json:"bank_address_code"`
	AccountNumber   string `json:"account_number"    encryption:"EM_APIV3"`
}

type ContactInfo struct {
	ContactType         string `json:"contact_type"`
	ContactName         string `json:"contact_name"                     encryption:"EM_APIV3"`
	ContactIDCardNumber string `json:"contact_id_card_number,omitempty" encryption:"EM_APIV3"`
	MobilePhone         string `json:"mobile_phone"                     encryption:"EM_APIV3"`
	ContactEmail        string `json:"contact_email,omitempty"          encryption:"EM_APIV3"`
}

type SalesSceneInfo struct {
	StoreName string `json:"store_name"`
	StoreURL  string `json:"store_url,omitempty"`
}

type ApplymentRequest struct {
	OutRequestNo        string               `json:"out_request_no"`
	OrganizationType    string               `json:"organization_type"`
	BusinessLicenseInfo *BusinessLicenseInfo `json:"business_license_info,omitempty"`
	IDDocType           string               `json:"id_doc_type"`
	IDCardInfo          *IDCardInfo          `json:"id_card_info"`
	AccountInfo         *AccountInfo         `json:"account_info"`
	ContactInfo         *ContactInfo         `json:"contact_info"`
	SalesSceneInfo      *SalesSceneInfo      `json:"sales_scene_info"`
	MerchantShortname   string               `json:"merchant_shortname"`
}

type ApplymentResponse struct {
	ApplymentID  int64  `json:"applyment_id"`
	OutRequestNo string `json:"out_request_no"`
}

type AccountValidation struct {
	AccountName              string `json:"account_name"`
	AccountNo                string `json:"account_no,omitempty"`
	PayAmount                int64  `json:"pay_amount"`
	DestinationAccountNumber string `json:"destination_account_number"`
	DestinationAccountName   string `json:"destination_account_name"`
	DestinationAccountBank   string `json:"destination_account_bank"`
	City                     string `json:"city"`
	Remark                   string `json:"remark"`
	Deadline                 string `json:"deadline"`
}

type AuditDetail struct {
	ParamName    string `json:"param_name"`
	RejectReason string `json:"reject_reason"`
}

type ApplymentState struct {
	ApplymentState     string             `json:"applyment_state"`
	ApplymentStateDesc string             `json:"applyment_state_desc"`
	SignState          string             `json:"sign_state,omitempty"`
	SignURL            string             `json:"sign_url,omitempty"`
	SubMchID           string             `json:"sub_mchid,omitempty"`
	AccountValidation  *AccountValidation `json:"account_validation,omitempty"`
	AuditDetail        []AuditDetail      `json:"audit_detail,omitempty"`
	LegalValidationURL string             `json:"legal_validation_url,omitempty"`
	OutRequestNo       string             `json:"out_request_no"`
	ApplymentID        int64              `json:"applyment_id"`
}
