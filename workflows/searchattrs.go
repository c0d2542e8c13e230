package workflows

import "go.temporal.io/sdk/temporal"

// Search attributes that ops filter on in the Temporal UI. The dev stack (scripts/devstack) and
// docker-compose.yml register exactly these; a test keeps the three in step. None may carry personal data.
var (
	// AttrStatus is the process's status, e.g. PAID, AWAITING_RECEIPT, NEEDS_ATTENTION.
	AttrStatus = temporal.NewSearchAttributeKeyKeyword("SplitPayStatus")
	// AttrChannel is the channel the process runs on: wechatpay or alipay.
	AttrChannel = temporal.NewSearchAttributeKeyKeyword("SplitPayChannel")
	// AttrMerchant lists the SplitPay merchant ids involved (m1, …), not the channel's sub_mchid.
	AttrMerchant = temporal.NewSearchAttributeKeyKeywordList("SplitPayMerchant")
	// AttrWaitingFor is what the process waits on, e.g. shop:receipt, channel:sharing, ops:finish.
	AttrWaitingFor = temporal.NewSearchAttributeKeyKeyword("SplitPayWaitingFor")
	// AttrAmount is the process's amount in fen.
	AttrAmount = temporal.NewSearchAttributeKeyInt64("SplitPayAmount")
	// AttrStatusSince is when the status or what the process waits for last changed: how long it has waited
	// (saved views such as "waiting for receipt for more than 10 days", docs/operations.md).
	AttrStatusSince = temporal.NewSearchAttributeKeyTime("SplitPayStatusSince")
)

// SearchAttributes lists every key above, for registration checks.
var SearchAttributes = []temporal.SearchAttributeKey{AttrStatus, AttrChannel, AttrMerchant, AttrWaitingFor, AttrAmount,
	AttrStatusSince}
