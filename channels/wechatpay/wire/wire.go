// Package wire holds the JSON shapes of WeChat Pay APIv3's 电商收付通 endpoints, as documented (see
// ../shared/CHANNELS.md §1). The adapter and the simulator both speak through these types. Amounts are fen.
// Fields tagged `encryption:"EM_APIV3"` are RSA-OAEP encrypted by wechatpay-go's EncryptRequest.
package wire

// Paths.
const (
	PathCombineJSAPI   = "/v3/combine-transactions/jsapi"
	PathCombineApp     = "/v3/combine-transactions/app"
	PathCombineH5      = "/v3/combine-transactions/h5"
	PathCombineNative  = "/v3/combine-transactions/native"
	PathCombineQuery   = "/v3/combine-transactions/out-trade-no/" // + {combine_out_trade_no}
	PathCombineClose   = "/close"                                 // suffix after PathCombineQuery + no
	PathSharingOrders  = "/v3/ecommerce/profitsharing/orders"
	PathSharingFinish  = "/v3/ecommerce/profitsharing/finish-order"
	PathSharingAmounts = "/v3/ecommerce/profitsharing/orders/" // + {transaction_id}/amounts
	PathReceiverAdd    = "/v3/ecommerce/profitsharing/receivers/add"
	PathReceiverDelete = "/v3/ecommerce/profitsharing/receivers/delete"
	PathReturnOrders   = "/v3/ecommerce/profitsharing/returnorders"
	PathSubsidyCreate  = "/v3/ecommerce/subsidies/create"
	PathSubsidyReturn  = "/v3/ecommerce/subsidies/return"
	PathSubsidyCancel  = "/v3/ecommerce/subsidies/cancel"
	PathRefundApply    = "/v3/ecommerce/refunds/apply"
	PathRefundByOutNo  = "/v3/ecommerce/refunds/out-refund-no/" // + {out_refund_no}?sub_mchid=
	PathRefundByID     = "/v3/ecommerce/refunds/id/"            // + {refund_id}?sub_mchid=
)

// Paths of funds, onboarding and bills.
const (
	PathBalance         = "/v3/ecommerce/fund/balance/" // + {sub_mchid}
	PathWithdraw        = "/v3/ecommerce/fund/withdraw"
	PathWithdrawByOutNo = "/v3/ecommerce/fund/withdraw/out-request-no/" // + {out_request_no}?sub_mchid=
	PathApplyments      = "/v3/ecommerce/applyments/"
	PathApplymentByOut  = "/v3/ecommerce/applyments/out-request-no/" // + {out_request_no}
	PathTradeBill       = "/v3/bill/tradebill"
	PathSharingBill     = "/v3/profitsharing/bills"
	PathFundFlowBill    = "/v3/bill/fundflowbill"
	PathSubFundFlowBill = "/v3/ecommerce/bill/fundflowbill"    // every sub-merchant's, encrypted
	PathOneSubFundFlow  = "/v3/bill/sub-merchant-fundflowbill" // one sub-merchant's, encrypted
	PathBillDownload    = "/v3/billdownload/file"
)
