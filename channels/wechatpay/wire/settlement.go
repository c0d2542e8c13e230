package wire

// Settlement accounts of sub-merchants (查询结算账户, 修改结算账户, 查询结算账户修改申请状态).
const (
	PathSubMerchants = "/v3/apply4sub/sub_merchants/" // + {sub_mchid}/settlement | /modify-settlement | /application/{no}

	AccountTypeBusiness = "ACCOUNT_TYPE_BUSINESS"
	AccountTypePrivate  = "ACCOUNT_TYPE_PRIVATE"

	// account_number_rule: MASK_V1 keeps the first 2 and last 2 digits, MASK_V2 the first 6 and last 4.
	AccountNumberMaskV1 = "ACCOUNT_NUMBER_RULE_MASK_V1"
	AccountNumberMaskV2 = "ACCOUNT_NUMBER_RULE_MASK_V2"

	VerifySuccess = "VERIFY_SUCCESS"
	VerifyFail    = "VERIFY_FAIL"
	Verifying     = "VERIFYING"

	AuditSuccess = "AUDIT_SUCCESS"
	Auditing     = "AUDITING"
	AuditFail    = "AUDIT_FAIL"

	ModifyModeAsync = "MODIFY_MODE_ASYNC"
)

// SettlementAccount answers GET …/{sub_mchid}/settlement: the account in force, masked.
type SettlementAccount struct {
	AccountType      string `json:"account_type"`
	AccountBank      string `json:"account_bank"`
	BankName         string `json:"bank_name,omitempty"`
	BankBranchID     string `json:"bank_branch_id,omitempty"`
	AccountNumber    string `json:"account_number"`
	VerifyResult     string `json:"verify_result"`
	VerifyFailReason string `json:"verify_fail_reason,omitempty"`
}

// ModifySettlementRequest is POST …/{sub_mchid}/modify-settlement; account_number and account_name are
// encrypted with the WeChat Pay public key (Wechatpay-Serial names it).
type ModifySettlementRequest struct {
	ModifyMode      string `json:"modify_mode,omitempty"`
	AccountType     string `json:"account_type"`
	AccountBank     string `json:"account_bank"`
	BankAddressCode string `json:"bank_address_code,omitempty"`
	BankName        string `json:"bank_name,omitempty"`
	BankBranchID    string `json:"bank_branch_id,omitempty"`
	AccountNumber   string `json:"account_number"         encryption:"EM_APIV3"`
	AccountName     string `json:"account_name,omitempty" encryption:"EM_APIV3"`
}

// ModifySettlementResponse carries the application's number (受理模式: the change is audited first).
type ModifySettlementResponse struct {
	ApplicationNo string `json:"application_no"`
}

// SettlementApplication answers GET …/{sub_mchid}/application/{application_no}: the account applied for, with
// the name, and the audit as verify_result (AUDITING, AUDIT_SUCCESS, AUDIT_FAIL).
type SettlementApplication struct {
	AccountName string `json:"account_name"`
	SettlementAccount
	VerifyFinishTime string `json:"verify_finish_time,omitempty"`
}
