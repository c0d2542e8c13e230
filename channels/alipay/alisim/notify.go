package alisim

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/splitpay/splitpay/channels/alipay/wire"
)

type refundNote struct {
	outRequestNo string
	at           time.Time
}

// tradeNotification is a trade_status_sync form for t's current state; a refund adds out_biz_no (the refund's
// out_request_no), the cumulative refund_fee and gmt_refund, as Alipay reports partial refunds.
func (s *Sim) tradeNotification(t *trade, r *refundNote) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	now := s.now()
	set("notify_time", now.Format(timeLayout))
	set("notify_type", wire.NotifyTypeTradeStatus)
	set("notify_id", s.nextNo("NID"))
	set("app_id", s.AppID)
	set("auth_app_id", s.AppID)
	set("charset", "utf-8")
	set("version", "1.0")
	set("sign_type", "RSA2")
	set("trade_no", t.tradeNo)
	set("out_trade_no", t.detail.OutTradeNo)
	set("buyer_id", "2088000000000001")
	set("buyer_logon_id", "sim***@alipay.com")
	set("seller_id", "2088000000000000")
	set("trade_status", t.status)
	set("total_amount", t.detail.TotalAmount)
	set("receipt_amount", t.detail.TotalAmount)
	set("invoice_amount", t.detail.TotalAmount)
	set("buyer_pay_amount", t.detail.TotalAmount)
	set("point_amount", "0.00")
	set("subject", t.detail.Subject)
	set("body", t.detail.Body)
	set("gmt_create", t.created.Format(timeLayout))
	set("gmt_payment", timeOrEmpty(t.paidAt))
	set("passback_params", t.detail.PassbackParams)
	set("fund_bill_list", `[{"amount":"`+t.detail.TotalAmount+`","fundChannel":"ALIPAYACCOUNT"}]`)
	if r != nil {
		set("out_biz_no", r.outRequestNo)
		set("refund_fee", t.refunded.String())
		set("gmt_refund", r.at.Format(timeLayout+".000"))
	}
	if t.status == wire.TradeClosed {
		set("gmt_close", now.Format(timeLayout))
	}
	s.signForm(f)
	return f
}

// signForm signs a notification: RSA2 over every parameter but sign and sign_type; in certificate mode the form
// names the Alipay certificate it was signed with.
func (s *Sim) signForm(f url.Values) {
	if s.cert {
		f.Set(wire.FieldAlipayCertSN, CertSN(s.Keys.AlipayCert))
	}
	f.Set("sign", signRSA2(s.Keys.AlipayPrivateKey, []byte(signingString(f, "sign", "sign_type", wire.FieldAlipayCertSN))))
}

// notify posts form to url until the answer is exactly "success", on Alipay's (scaled) schedule.
func (s *Sim) notify(to string, form url.Values) {
	if to == "" {
		return
	}
	body := form.Encode()
	s.Notify(func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, to, strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
		}
		return req, err
	}, func(status int, answer []byte) bool {
		return status == http.StatusOK && string(answer) == wire.SuccessBody
	}, nil)
}

// Notification is trade t's current notification form, signed (for tests that tamper with it).
func (s *Sim) Notification(outTradeNo string) (url.Values, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[outTradeNo]
	if t == nil {
		return nil, false
	}
	return s.tradeNotification(t, nil), true
}
