package alisim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"time"

	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/money"
)

const timeLayout = "2006-01-02 15:04:05"

// checkDetail enforces what 直付通 requires of a trade: an out_trade_no of the documented form, an amount in
// [0.01, 100000000], a known sub_merchant, and settle_info with exactly one detail whose amount is the total.
func (s *Sim) checkDetail(d wire.OrderDetail) (money.Amount, *failure) {
	total, err := money.ParseYuan(d.TotalAmount)
	switch {
	case !wire.ValidOutNo(d.OutTradeNo, wire.MaxOutTradeNo):
		return 0, invalid("out_trade_no: 64 个字符以内，仅字母、数字、下划线")
	case err != nil || total <= 0 || total > 100_000_000_00:
		return 0, invalid("total_amount: 取值范围 [0.01,100000000]")
	case d.Subject == "":
		return 0, invalid("subject 不可为空")
	case d.SubMerchant == nil || d.SubMerchant.MerchantID == "":
		return 0, invalid("sub_merchant: 直付通场景下必传")
	case d.SettleInfo == nil || len(d.SettleInfo.SettleDetailInfos) != 1:
		return 0, invalid("settle_info: 直付通场景下必传，settle_detail_infos 仅支持一条")
	}
	sd := d.SettleInfo.SettleDetailInfos[0]
	if a, err := money.ParseYuan(sd.Amount); err != nil || a != total {
		return 0, invalid("settle_info.settle_detail_infos.amount 必须等于订单金额")
	}
	if sd.TransInType == wire.TransInDefaultSettle && sd.TransIn != "" {
		return 0, invalid("trans_in_type 为 defaultSettle 时 trans_in 必须为空")
	}
	if s.merchants[d.SubMerchant.MerchantID] == nil {
		if !s.auto {
			return 0, fail("ACQ.SUB_MERCHANT_NOT_EXIST", "二级商户 %s 不存在", d.SubMerchant.MerchantID)
		}
		s.merchants[d.SubMerchant.MerchantID] = &account{}
	}
	return total, nil
}

// open creates (or, for the same content, finds) a trade waiting for the buyer.
func (s *Sim) open(d wire.OrderDetail, notifyURL string) (*trade, *failure) {
	if _, f := s.checkDetail(d); f != nil {
		return nil, f
	}
	content, _ := json.Marshal(d)
	if t := s.trades[d.OutTradeNo]; t != nil {
		if string(t.content) != string(content) {
			return nil, fail(wire.SubContextConflict, "out_trade_no %s 已用于内容不同的交易", d.OutTradeNo)
		}
		return t, nil
	}
	t := &trade{detail: d, content: content, tradeNo: s.nextNo("2088"), status: wire.TradeWaitBuyerPay,
		notifyURL: notifyURL, created: s.now(), confirms: simkit.Requests[wire.SettleConfirmResponse]{},
		settles: simkit.Requests[*settleRec]{}, refunds: simkit.Requests[*refundRec]{}}
	s.trades[d.OutTradeNo] = t
	s.byTradeNo[t.tradeNo] = t
	return t, nil
}

// mergePrecreate is alipay.trade.merge.precreate: every sub-order becomes its own trade under one pre_order_no.
func (s *Sim) mergePrecreate(biz []byte, form url.Values) (any, *failure) {
	var req wire.MergePrecreate
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	if n := len(req.OrderDetails); n == 0 || n > s.limits.MaxSubOrders {
		return nil, fail(wire.SubMergeLimit, "order_details: 1..%d 笔", s.limits.MaxSubOrders)
	}
	out := wire.MergePrecreateResponse{Status: success, OutMergeNo: req.OutMergeNo}
	var trades []*trade
	for _, d := range req.OrderDetails {
		if d.AppID == "" {
			d.AppID = s.AppID
		}
		t, f := s.open(d, form.Get("notify_url"))
		if f != nil {
			return nil, f
		}
		trades = append(trades, t)
		out.OrderDetailResults = append(out.OrderDetailResults,
			wire.OrderDetailResult{AppID: d.AppID, OutTradeNo: d.OutTradeNo, Success: true})
	}
	h := fnv.New64a()
	_ = json.NewEncoder(h).Encode(req)
	out.PreOrderNo = fmt.Sprintf("PRE%016x", h.Sum64()) // the same request is the same pre-order
	s.merges[out.PreOrderNo] = trades
	if req.OutMergeNo != "" {
		s.merges[req.OutMergeNo] = trades // so a test can pay by the merchant's own number
	}
	return out, nil
}

// precreate is alipay.trade.precreate (QR code): one trade.
func (s *Sim) precreate(biz []byte, form url.Values) (any, *failure) {
	var d wire.OrderDetail
	if f := decode(biz, &d); f != nil {
		return nil, f
	}
	if _, f := s.open(d, form.Get("notify_url")); f != nil {
		return nil, f
	}
	return map[string]any{"code": success.Code, "msg": success.Msg, "out_trade_no": d.OutTradeNo,
		"qr_code": "https://qr.alipay.com/sim" + d.OutTradeNo}, nil
}

// query is alipay.trade.query; with query_options ["trade_settle_info"] it adds the settle operations.
func (s *Sim) query(biz []byte, _ url.Values) (any, *failure) {
	var req struct {
		OutTradeNo   string   `json:"out_trade_no"`
		TradeNo      string   `json:"trade_no"`
		QueryOptions []string `json:"query_options"`
	}
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	t, f := s.find(req.OutTradeNo, req.TradeNo)
	if f != nil {
		return nil, f
	}
	out := map[string]any{"code": success.Code, "msg": success.Msg, "trade_no": t.tradeNo, "out_trade_no": t.detail.OutTradeNo,
		"trade_status": t.status, "total_amount": t.detail.TotalAmount, "buyer_logon_id": "sim***@alipay.com",
		"buyer_user_id": "2088000000000001", "send_pay_date": timeOrEmpty(t.paidAt),
		"receipt_amount": t.detail.TotalAmount, "passback_params": t.detail.PassbackParams,
		"alipay_sub_merchant_id": t.detail.SubMerchant.MerchantID, "subject": t.detail.Subject}
	if t.status == wire.TradeWaitBuyerPay {
		out["buyer_logon_id"], out["buyer_user_id"] = "", ""
	}
	if slices.Contains(req.QueryOptions, "trade_settle_info") {
		out["trade_settle_info"] = wire.TradeSettleInfo{TradeSettleDetailList: t.operations,
			TradeUnsettledAmount: t.unsettled.String()}
	}
	return out, nil
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(timeLayout)
}

// find is the trade by Alipay's number, else by ours, or ACQ.TRADE_NOT_EXIST.
func (s *Sim) find(outTradeNo, tradeNo string) (*trade, *failure) {
	t := s.trades[outTradeNo]
	if tradeNo != "" {
		t = s.byTradeNo[tradeNo]
	}
	if t == nil {
		return nil, fail(wire.SubTradeNotExist, "交易不存在")
	}
	return t, nil
}

// closeTrade is alipay.trade.close: only a trade waiting for the buyer can be closed.
func (s *Sim) closeTrade(biz []byte, _ url.Values) (any, *failure) {
	var req struct {
		OutTradeNo string `json:"out_trade_no"`
		TradeNo    string `json:"trade_no"`
	}
	if f := decode(biz, &req); f != nil {
		return nil, f
	}
	t, f := s.find(req.OutTradeNo, req.TradeNo)
	switch {
	case f != nil:
		return nil, f
	case t.status != wire.TradeWaitBuyerPay:
		return nil, fail(wire.SubTradeStatusError, "交易状态不合法: %s", t.status)
	}
	t.status = wire.TradeClosed
	return map[string]any{"code": success.Code, "msg": success.Msg, "trade_no": t.tradeNo, "out_trade_no": t.detail.OutTradeNo}, nil
}

// Pay plays the buyer paying ref: a pre_order_no or out_merge_no (every trade of the merge), or an
// out_trade_no, in Alipay's form or as the merchant's own number. Each paid trade is notified to its notify_url.
func (s *Sim) Pay(ref string) error {
	s.mu.Lock()
	trades := s.merges[ref]
	if len(trades) == 0 {
		trades = s.merges[wire.OutNo(ref, wire.MaxOutTradeNo)]
	}
	if t := s.trades[ref]; t != nil {
		trades = []*trade{t}
	} else if t := s.trades[wire.OutNo(ref, wire.MaxOutTradeNo)]; t != nil {
		trades = []*trade{t}
	}
	if len(trades) == 0 {
		s.mu.Unlock()
		return fmt.Errorf("alisim: nothing to pay under %q", ref)
	}
	var paid []*trade
	for _, t := range trades {
		if t.status != wire.TradeWaitBuyerPay {
			continue
		}
		t.status, t.paidAt = wire.TradeSuccess, s.now()
		t.unsettled, _ = money.ParseYuan(t.detail.TotalAmount)
		paid = append(paid, t)
	}
	forms := make([]url.Values, len(paid))
	for i, t := range paid {
		forms[i] = s.tradeNotification(t, nil)
	}
	s.mu.Unlock()
	for i, t := range paid {
		s.notify(t.notifyURL, forms[i])
	}
	return nil
}
