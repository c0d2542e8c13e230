package alipay_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
)

// shop is an individual seller's application (个人商户: certified by the ID card, settling to an Alipay account).
func shop(no string) channels.Applyment {
	return channels.Applyment{OutRequestNo: no, OrganizationType: "2500", IDCardName: "李四",
		IDCardNumber: "11010519491231002X", ContactType: "65", ContactName: "李四", MobilePhone: "13800138000",
		ContactEmail: "lisi@example.com", StoreName: "Hill Tea", StoreURL: "https://hill-tea.example.com",
		MerchantShortname: "Hill Tea", MCC: "5499", SettleLogonID: "lisi@example.com", CertImage: "img-1"}
}

// appGateway receives msgapi messages as the API's /notify/alipay would.
func (e *env) appGateway() {
	e.sim.SetAppGateway(e.notify.URL)
}

func nextMessage(t *testing.T, e *env) url.Values {
	t.Helper()
	select {
	case f := <-e.inbox:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no message from the app gateway")
		return nil
	}
}

// In both key modes: a refusal names the application's field; the same content is the same order; the review
// passes, the shop confirms, zft.passed arrives signed and parses to a FINISH notice, and the query answers the
// smid, which can take trades at once.
func TestOnboardingApprovedInBothKeyModes(t *testing.T) {
	for _, cert := range []bool{false, true} {
		e := newEnv(t, cert)
		e.appGateway()
		c := e.client(t, cert, e.gateway.URL+"/gateway.do")
		ctx := context.Background()
		bad := shop("APPLY0001")
		bad.CertImage = ""
		_, err := c.SubmitApplyment(ctx, bad)
		var be *channels.BusinessError
		if !asBusiness(err, &be) || be.Reason != channels.ReasonInvalid || be.Field != "alipay.cert_image" {
			t.Fatalf("cert mode %v: refusal %v", cert, err)
		}
		id, err := c.SubmitApplyment(ctx, shop("APPLY0001"))
		again, err2 := c.SubmitApplyment(ctx, shop("APPLY0001"))
		if err != nil || err2 != nil || id == "" || again != id {
			t.Fatalf("submit %q %v, again %q %v", id, err, again, err2)
		}
		if st, err := c.QueryApplyment(ctx, "APPLY0001"); err != nil || st.State != channels.ApplymentAuditing {
			t.Fatalf("in review: %+v %v", st, err)
		}
		e.sim.Advance(2 * time.Minute)
		st, err := c.QueryApplyment(ctx, "APPLY0001")
		if err != nil || st.State != channels.ApplymentNeedSign || st.ApplymentID != id {
			t.Fatalf("waiting for the shop: %+v %v", st, err)
		}
		if err := e.sim.ConfirmApplication("APPLY0001"); err != nil {
			t.Fatal(err)
		}
		msg := nextMessage(t, e)
		n, err := c.ParseNotification(ctx, channels.Inbound{Body: []byte(msg.Encode())})
		if err != nil || n.Application == nil || n.Application.State != channels.ApplymentFinish ||
			n.Application.OutRequestNo != "APPLY0001" || n.Application.ApplicationID != id {
			t.Fatalf("zft.passed: %+v %v", n, err)
		}
		st, err = c.QueryApplyment(ctx, "APPLY0001")
		if err != nil || st.State != channels.ApplymentFinish || !channels.AlipayUserID.MatchString(st.SubMchID) {
			t.Fatalf("finished: %+v %v", st, err)
		}
		if _, err := c.SubmitApplyment(ctx, shop("APPLY0001")); !asBusiness(err, &be) || be.Code != "MERCHANT_ALREADY_EXIST" {
			t.Errorf("a finished external_id takes no new order: %v", err)
		}
		o := order("")
		o.OutTradeNo, o.SubOrders = "ONB-PAY-1", o.SubOrders[:1]
		o.SubOrders[0].OutTradeNo, o.SubOrders[0].SubMchID = "ONB-PAY-1-sub1", st.SubMchID
		if _, err := c.CreateCombined(ctx, o); err != nil {
			t.Errorf("the new smid cannot take a trade: %v", err)
		}
	}
}

// A rejection: zft.rejected names the reason, the query answers REJECTED with the field it names, and the
// corrected content opens a new order under the same external_id while other content is refused mid-review.
func TestOnboardingRejectedThenResubmitted(t *testing.T) {
	e := newEnv(t, false)
	e.appGateway()
	c := e.client(t, false, e.gateway.URL+"/gateway.do")
	ctx := context.Background()
	first, err := c.SubmitApplyment(ctx, shop("APPLY0002"))
	if err != nil {
		t.Fatal(err)
	}
	other := shop("APPLY0002")
	other.MerchantShortname = "Hill Tea 2"
	var be *channels.BusinessError
	if _, err := c.SubmitApplyment(ctx, other); !asBusiness(err, &be) || be.Code != "ORDER_IN_AUDIT" {
		t.Errorf("other content mid-review: %v", err)
	}
	if err := e.sim.RejectApplication("APPLY0002", "cert_image 证件照片模糊"); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(2 * time.Minute)
	n, err := c.ParseNotification(ctx, channels.Inbound{Body: []byte(nextMessage(t, e).Encode())})
	if err != nil || n.Application == nil || n.Application.State != channels.ApplymentRejected {
		t.Fatalf("zft.rejected: %+v %v", n, err)
	}
	st, err := c.QueryApplyment(ctx, "APPLY0002")
	if err != nil || st.State != channels.ApplymentRejected || len(st.AuditDetail) != 1 ||
		st.AuditDetail[0].Field != "alipay.cert_image" {
		t.Fatalf("rejected: %+v %v", st, err)
	}
	fixed := shop("APPLY0002")
	fixed.CertImage = "img-2"
	second, err := c.SubmitApplyment(ctx, fixed)
	if err != nil || second == first {
		t.Fatalf("resubmission %q (first %q): %v", second, first, err)
	}
	if st, err := c.QueryApplyment(ctx, "APPLY0002"); err != nil || st.State != channels.ApplymentAuditing ||
		st.ApplymentID != second {
		t.Errorf("the newest order is the state: %+v %v", st, err)
	}
}

// A message is verified like a trade notification: a forged or altered one, or one for another app, is refused.
func TestForgedAuditMessagesAreRefused(t *testing.T) {
	e := newEnv(t, false)
	e.appGateway()
	e.sim.SetAudit(alisim.Audit{Time: time.Millisecond, AutoConfirm: true})
	c := e.client(t, false, e.gateway.URL+"/gateway.do")
	if _, err := c.SubmitApplyment(context.Background(), shop("APPLY0003")); err != nil {
		t.Fatal(err)
	}
	msg := nextMessage(t, e)
	if msg.Get("msg_method") != "ant.merchant.expand.indirect.zft.passed" {
		t.Fatalf("auto-confirmed review sent %v", msg)
	}
	for name, mutate := range map[string]func(url.Values){
		"altered": func(f url.Values) {
			f.Set("biz_content", strings.Replace(f.Get("biz_content"), "APPLY0003", "APPLY9999", 1))
		},
		"unsigned":   func(f url.Values) { f.Del("sign") },
		"other kind": func(f url.Values) { f.Set("msg_method", "alipay.open.mini.version.audit.passed") },
	} {
		f := url.Values{}
		for k, v := range msg {
			f[k] = append([]string(nil), v...)
		}
		mutate(f)
		if _, err := c.ParseNotification(context.Background(), channels.Inbound{Body: []byte(f.Encode())}); err == nil {
			t.Errorf("%s message accepted", name)
		}
	}
}

// image.upload goes through smartwalle's multipart request, signed; the simulator checks the type and size.
func TestImageUpload(t *testing.T) {
	e := newEnv(t, false)
	c := e.client(t, false, e.gateway.URL+"/gateway.do")
	id, err := c.UploadImage(context.Background(), "png", "front.png", strings.NewReader("\x89PNG fake image"))
	if err != nil || id == "" {
		t.Fatalf("upload: %q %v", id, err)
	}
	var be *channels.BusinessError
	if _, err := c.UploadImage(context.Background(), "tiff", "x.tiff", strings.NewReader("x")); !asBusiness(err, &be) ||
		be.Code != "INVALID_IMAGE" {
		t.Errorf("a tiff: %v", err)
	}
}
