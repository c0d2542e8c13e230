package activities_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/channels/wechatpay/wxsim"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

const shop = "1900000109"

// fixture runs the real activities in the SDK's activity test environment, against the simulator and a fresh
// PostgreSQL database; notifyURL acknowledges the simulator's notifications (these tests read state by query).
type fixture struct {
	ae        *testsuite.TestActivityEnvironment
	wx        *testenv.WeChat
	ledger    *ledger.Ledger
	notifyURL string
}

func env(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		wx:     testenv.StartWeChat(t, channels.WeChatLimits(), shop),
		ledger: ledger.New(testenv.MigratedPool(t)),
	}
	ack := httptest.NewServer(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }),
	)
	t.Cleanup(ack.Close)
	f.notifyURL = ack.URL
	var s testsuite.WorkflowTestSuite
	f.ae = s.NewTestActivityEnvironment()
	f.ae.RegisterActivity(
		&activities.Activities{
			Ledger:   f.ledger,
			Channels: map[string]activities.Channel{channels.WeChatPay: f.wx.Client},
		},
	)
	return f
}

func (f *fixture) create(no string) workflows.CreatePaymentInput {
	return workflows.CreatePaymentInput{Channel: channels.WeChatPay, Scene: channels.SceneNative, OutTradeNo: no,
		NotifyURL: f.notifyURL, SubOrders: []workflows.PaymentSubOrder{
			{
				MerchantID:    "m1",
				SubMchID:      shop,
				OutTradeNo:    no + "-1",
				Description:   "tea",
				Amount:        12000,
				ProfitSharing: true,
			}}}
}

func TestPaymentActivities(t *testing.T) {
	fx := env(t)
	ae, f, l := fx.ae, fx.wx, fx.ledger
	if params := run(t, ae, workflows.ActivityCreateCombinedPayment, fx.create("A0000001")); params.CodeURL == "" {
		t.Fatalf("params %+v", params)
	}
	if err := f.Sim.Pay("A0000001"); err != nil {
		t.Fatal(err)
	}
	st := run(t, ae, workflows.ActivityQueryCombinedPayment,
		workflows.QueryPaymentInput{Channel: channels.WeChatPay, OutTradeNo: "A0000001"})
	if st.SubOrders[0].TradeState != channels.PaymentPaid {
		t.Fatalf("status %+v", st)
	}
	post := workflows.PostPaymentInput{
		Channel:       channels.WeChatPay,
		OrderNo:       "A0000001",
		SubOrderNo:    "A0000001-1",
		MerchantID:    "m1",
		TransactionID: st.SubOrders[0].TransactionID,
		Amount:        st.SubOrders[0].Amount,
	}
	for i, wantDup := range []bool{false, true} { // a retried activity posts nothing twice
		if r := run(t, ae, workflows.ActivityPostPayment, post); r.Duplicate != wantDup {
			t.Fatalf("post %d: %+v", i, r)
		}
	}
	if b, _ := l.Balance(t.Context(), ledger.MerchantFrozen(channels.WeChatPay, "m1")); b != 12000 {
		t.Errorf("ledger frozen = %s, simulator frozen = %d", b, f.Sim.Balance(shop).Frozen)
	}
	// Closing a paid order is a business rejection: non-retryable, typed with the channel's code.
	_, err := ae.ExecuteActivity(
		workflows.ActivityCloseCombinedPayment.Name,
		workflows.ClosePaymentInput{Channel: channels.WeChatPay,
			OutTradeNo: "A0000001", SubOrders: fx.create("A0000001").SubOrders},
	)
	var ae2 *temporal.ApplicationError
	if !errors.As(err, &ae2) || !ae2.NonRetryable() ||
		ae2.Type() != workflows.ErrTypeChannelRejected+"."+wire.CodeOrderPaid {
		t.Errorf("close a paid order: %v", err)
	}
	var rej activities.Rejection
	if ae2 != nil && (ae2.Details(&rej) != nil || rej.Code != wire.CodeOrderPaid) {
		t.Errorf("rejection detail %+v", rej)
	}
}

func TestErrorClassesReachTemporal(t *testing.T) {
	fx := env(t)
	ae, f := fx.ae, fx.wx
	f.Sim.SetFaults(wxsim.Faults{SystemErrorRate: map[string]float64{"/v3/combine-transactions": 1}})
	_, err := ae.ExecuteActivity(workflows.ActivityCreateCombinedPayment.Name, fx.create("A0000002"))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.NonRetryable() ||
		appErr.Type() != workflows.ErrTypeChannelRetry+"."+wire.CodeSystemError {
		t.Errorf("a channel 500 must stay retryable: %v", err)
	}
	f.Sim.SetFaults(wxsim.Faults{})
	bad := fx.create("A0000003")
	bad.SubOrders[0].SubMchID = "1999999999"
	_, err = ae.ExecuteActivity(workflows.ActivityCreateCombinedPayment.Name, bad)
	if !errors.As(err, &appErr) || !appErr.NonRetryable() ||
		appErr.Type() != workflows.ErrTypeChannelRejected+"."+wire.CodeNoAuth {
		t.Errorf("an unknown sub-merchant must be a non-retryable rejection: %v", err)
	}
	_, err = ae.ExecuteActivity(
		workflows.ActivityPostPayment.Name,
		workflows.PostPaymentInput{Channel: channels.WeChatPay, OrderNo: "A0000004",
			SubOrderNo: "A0000004-1", MerchantID: "m1", TransactionID: "", Amount: 1},
	)
	if !errors.As(err, &appErr) || !appErr.NonRetryable() ||
		appErr.Type() != workflows.ErrTypeLedgerRejected+".Invalid" {
		t.Errorf("bad ledger input must be non-retryable: %v", err)
	}
	unknown := fx.create("A0000005")
	unknown.Channel = "alipay"
	_, err = ae.ExecuteActivity(workflows.ActivityCreateCombinedPayment.Name, unknown)
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "ChannelNotConfigured" {
		t.Errorf("an unconfigured channel: %v", err)
	}
}
