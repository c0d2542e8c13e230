package wire

import "strings"

type BillResponse struct {
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`
}

// Bill codes: a day with no business (normal, not retried), and a bill not made yet (from 10:00 the next day).
const (
	CodeNoStatementExist  = "NO_STATEMENT_EXIST"
	CodeStatementCreating = "STATEMENT_CREATING"
)

// Trade bill types (bill_type) and the columns of each, as documented (format-trade): every data cell is prefixed
// with a backtick, amounts are yuan. Readers map columns by the header's names, never by position.
const (
	BillTypeAll     = "ALL"
	BillTypeSuccess = "SUCCESS"
	BillTypeRefund  = "REFUND"
)

var (
	tradeHead     = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额"
	refundColumns = "微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态"
	tradeTail     = "商品名称,商户数据包,手续费,费率,订单金额"

	// TradeBillColumns are each bill type's columns.
	TradeBillColumns = map[string][]string{
		BillTypeAll:     cols(tradeHead, refundColumns, tradeTail, "申请退款金额,费率备注"),
		BillTypeSuccess: cols(tradeHead, tradeTail, "费率备注"),
		BillTypeRefund:  cols(tradeHead, "退款申请时间,退款成功时间", refundColumns, tradeTail, "申请退款金额,费率备注"),
	}
	// TradeBillSummaries are each bill type's summary columns.
	TradeBillSummaries = map[string][]string{
		BillTypeAll:     cols("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"),
		BillTypeSuccess: cols("总交易单数,应结订单总金额,手续费总金额,订单总金额"),
		BillTypeRefund:  cols("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"),
	}
)

// SharingBillHeader is the profit-sharing bill's header: one row per share to a receiver or return from one.
// The domestic file's Chinese names are UNCONFIRMED (ALIPAY-AND-BILLS.md §5.4); these follow the cross-border
// variant's concepts.
const SharingBillHeader = "分账发起时间,分账方商户号,微信订单号,微信分账/回退单号,商户分账/回退单号,业务类型,分账接收方类型,分账接收方,分账金额(元),处理状态"

// Sharing bill business types.
const (
	SharingBillShare  = "分账"
	SharingBillReturn = "回退"
	SharingBillFinish = "完结分账" // the rest of an order unfrozen to its sub-merchant (UNCONFIRMED name)
)

// The platform's fund-flow bill (/v3/bill/fundflowbill, account_type BASIC, OPERATION or FEES): every movement on
// the platform's own account, amounts unsigned beside 收支类型. The 业务类型 names of subsidies and their returns
// are UNCONFIRMED (ALIPAY-AND-BILLS.md §5.2 gives the columns, not the names).
var (
	FundFlowBillColumns = cols("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号")
	FundFlowBillSummary = cols("资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额")
)

// Fund-flow bill values.
const (
	AccountBasic          = "BASIC"
	AccountOperation      = "OPERATION"
	AccountFees           = "FEES"
	FundFlowIncome        = "收入"
	FundFlowExpense       = "支出"
	FundFlowSubsidy       = "补差"
	FundFlowSubsidyReturn = "补差回退"
)

// The sub-merchants' fund-flow bills of 电商收付通: all of them in one file (/v3/ecommerce/bill/fundflowbill,
// account_type ALL), or one (/v3/bill/sub-merchant-fundflowbill). Each file is encrypted: AES-256-GCM under a key
// the answer gives encrypted with RSA-OAEP for the platform's API key, with the answer's nonce and no associated
// data. The columns are UNCONFIRMED (ALIPAY-AND-BILLS.md §5.3): the platform's, with the sub-merchant after the
// time; so are the 业务类型 names of the sub-merchants' movements.
var SubFundFlowBillColumns = cols("记账时间,特约商户号,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号")

// Sub-merchant fund-flow values: the account types, the encryption, and the movements' 业务类型.
const (
	AccountAll        = "ALL"
	AccountDeposit    = "DEPOSIT"
	BillAlgorithmAES  = "AEAD_AES_256_GCM"
	BillAlgorithmSM4  = "SM4_GCM"
	FundFlowPayment   = "交易"
	FundFlowRefund    = "退款"
	FundFlowSharing   = "分账"
	FundFlowReturn    = "分账回退"
	FundFlowWithdraw  = "提现"
	FundFlowWithdrawn = "提现退回" // a withdrawal that failed or was closed: the money is back
	FundFlowBounced   = "提现退票" // a withdrawal the bank returned after SUCCESS
)

// EncryptedBillResponse answers a sub-merchant fund-flow bill: the file in parts (more than one only past about
// 16 GB), each encrypted on its own.
type EncryptedBillResponse struct {
	DownloadBillCount int             `json:"download_bill_count"`
	DownloadBillList  []EncryptedBill `json:"download_bill_list"`
}

// EncryptedBill is one part: its place, where to fetch it, its key (RSA-OAEP, base64) and nonce, and the SHA1 of
// its plain text.
type EncryptedBill struct {
	BillSequence int    `json:"bill_sequence"`
	DownloadURL  string `json:"download_url"`
	EncryptKey   string `json:"encrypt_key"`
	Nonce        string `json:"nonce"`
	HashType     string `json:"hash_type"`
	HashValue    string `json:"hash_value"`
}

func cols(parts ...string) []string { return strings.Split(strings.Join(parts, ","), ",") }
