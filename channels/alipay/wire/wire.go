// Package wire holds Alipay's open-platform shapes that smartwalle/alipay lacks or gets wrong for 直付通 — the
// biz_content of settle confirm, order settle (with royalty_mode and extend_params), settle query, royalty
// relation bind/unbind, merge precreate, and their responses — with the method names, states and the code table.
// The adapter and the simulator (alisim) share it: one home for every wire string.
package wire

// Methods SplitPay calls.
const (
	MethodTradeCreate        = "alipay.trade.create"
	MethodTradePrecreate     = "alipay.trade.precreate"
	MethodTradeAppPay        = "alipay.trade.app.pay"
	MethodTradeWapPay        = "alipay.trade.wap.pay"
	MethodTradePagePay       = "alipay.trade.page.pay"
	MethodMergePrecreate     = "alipay.trade.merge.precreate"
	MethodAppMergePay        = "alipay.trade.app.merge.pay"
	MethodWapMergePay        = "alipay.trade.wap.merge.pay"
	MethodPageMergePay       = "alipay.trade.page.merge.pay"
	MethodTradeQuery         = "alipay.trade.query"
	MethodTradeClose         = "alipay.trade.close"
	MethodTradeRefund        = "alipay.trade.refund"
	MethodRefundQuery        = "alipay.trade.fastpay.refund.query"
	MethodSettleConfirm      = "alipay.trade.settle.confirm"
	MethodOrderSettle        = "alipay.trade.order.settle"
	MethodOrderSettleQuery   = "alipay.trade.order.settle.query"
	MethodOnSettleQuery      = "alipay.trade.order.onsettle.query"
	MethodRoyaltyRateQuery   = "alipay.trade.royalty.rate.query"
	MethodRelationBind       = "alipay.trade.royalty.relation.bind"
	MethodRelationUnbind     = "alipay.trade.royalty.relation.unbind"
	MethodBillDownloadURL    = "alipay.data.dataservice.bill.downloadurl.query"
	MethodCertDownload       = "alipay.open.app.alipaycert.download"
	ProductCodeApp           = "QUICK_MSECURITY_PAY"
	ProductCodeWap           = "QUICK_WAP_WAY"
	ProductCodePage          = "FAST_INSTANT_TRADE_PAY"
	ProductCodeFaceToFace    = "FACE_TO_FACE_PAYMENT"
	NotifyTypeTradeStatus    = "trade_status_sync"
	SettleEntitySecondMerch  = "SecondMerchant"
	TransInDefaultSettle     = "defaultSettle"
	TransInUserID            = "userId"
	TransInLoginName         = "loginName"
	RoyaltyTransfer          = "transfer"
	RoyaltyReplenish         = "replenish"
	RoyaltyModeSync          = "sync"
	SuccessBody              = "success" // the notification acknowledgement, exactly
	ResponseSuffix           = "_response"
	ErrorResponseField       = "error_response"
	FieldSign                = "sign"
	FieldAlipayCertSN        = "alipay_cert_sn"
	FieldAppCertSN           = "app_cert_sn"
	FieldAlipayRootCertSN    = "alipay_root_cert_sn"
	OperationSettle          = "settle"
	OperationTransfer        = "transfer"
	OperationTransferRefund  = "transfer_refund"
	OperationReplenish       = "replenish"
	OperationReplenishRefund = "replenish_refund"
	OperationSettleRefund    = "settle_refund"
)

// Trade states (alipay.trade.query and trade_status_sync).
const (
	TradeWaitBuyerPay = "WAIT_BUYER_PAY"
	TradeSuccess      = "TRADE_SUCCESS"
	TradeFinished     = "TRADE_FINISHED"
	TradeClosed       = "TRADE_CLOSED"
)

// Settle detail states (alipay.trade.order.settle.query) and the refund query's one success state.
const (
	DetailSuccess    = "SUCCESS"
	DetailFail       = "FAIL"
	DetailProcessing = "PROCESSING"
	RefundSuccess    = "REFUND_SUCCESS"
)

// ResponseField is the JSON key of method's answer: alipay.trade.query → alipay_trade_query_response.
func ResponseField(method string) string {
	b := []byte(method)
	for i, c := range b {
		if c == '.' {
			b[i] = '_'
		}
	}
	return string(b) + ResponseSuffix
}
