package workflows

import "go.temporal.io/sdk/temporal"

// Search attributes that ops filter on in the Temporal UI. The dev stack (scripts/devstack) and
// docker-compose.yml register exactly these; a test keeps the three in step. None may carry personal data.
var (
	AttrStatus     = temporal.NewSearchAttributeKeyKeyword("SplitPayStatus")       // e.g. PAID, AWAITING_RECEIPT
	AttrChannel    = temporal.NewSearchAttributeKeyKeyword("SplitPayChannel")      // wechatpay | alipay
	AttrMerchant   = temporal.NewSearchAttributeKeyKeywordList("SplitPayMerchant") // sub-merchant ids involved
	AttrWaitingFor = temporal.NewSearchAttributeKeyKeyword("SplitPayWaitingFor")   // what the process waits on
	AttrAmount     = temporal.NewSearchAttributeKeyInt64("SplitPayAmount")         // fen
)

// SearchAttributes lists every key above, for registration checks.
var SearchAttributes = []temporal.SearchAttributeKey{AttrStatus, AttrChannel, AttrMerchant, AttrWaitingFor, AttrAmount}
