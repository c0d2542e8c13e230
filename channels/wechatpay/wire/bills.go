package wire

type BillResponse struct {
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`
}

// Bill formats: the header lines of the trade bill, its summary, and the profit-sharing bill. Every data cell
// is prefixed with a backtick; amounts are yuan.
const (
	TradeBillHeader   = "交易时间,公众账号ID,商户号,特约商户号,微信订单号,商户订单号,交易类型,交易状态,应结订单金额,微信退款单号,商户退款单号,退款金额,退款状态,订单金额"
	TradeBillSummary  = "总交易单数,应结订单总金额,退款总金额,订单总金额"
	SharingBillHeader = "分账发起时间,分账方商户号,微信订单号,微信分账/回退单号,商户分账/回退单号,业务类型,分账接收方类型,分账接收方,分账金额(元),处理状态"
)
