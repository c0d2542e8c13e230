package workflows

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
)

const testSmid = "2088000000000777"

// alipayApplication is testApplication for Alipay as well: its profile and the store's website.
func alipayApplication() Application {
	a := testApplication()
	a.Store.URL = "https://hill-tea.example.com"
	a.Alipay = &AlipayProfile{MCC: "5499", SettleLogonID: "lisi@example.com", CertImage: "img-front"}
	return a
}

// alipayInput polls slowly (every 6 hours at most), as a deployment that counts on the notification would.
func alipayInput() OnboardingInput {
	return OnboardingInput{Channel: channels.Alipay, Application: alipayApplication(),
		Settings: OnboardingSettings{PollFirst: time.Hour, PollMax: 6 * time.Hour, GiveUpAfter: 30 * 24 * time.Hour}}
}

func notify(env *testsuite.TestWorkflowEnvironment, state string, after time.Duration) {
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApplicationNotified, ApplicationNotice{NotificationID: "n-" + state,
			ApplicationID: "20261206ZFT01", State: state})
	}, after)
}

// Approved on Alipay: in review, the shop confirms, and Alipay's zft.passed makes the onboarding ask at once
// instead of at its next poll; the merchant is activated on Alipay with its smid.
func TestAlipayOnboardingApproved(t *testing.T) {
	f := &fakeApplyments{subMchID: testSmid, scripts: [][]string{{channels.ApplymentAuditing,
		channels.ApplymentNeedSign, channels.ApplymentFinish}}}
	var start time.Time
	st, _ := runOnboardingIn(t, f, alipayInput(), func(env *testsuite.TestWorkflowEnvironment) {
		start = env.Now()
		notify(env, channels.ApplymentFinish, 90*time.Minute) // the review ends before the 2 h poll
		notify(env, channels.ApplymentFinish, 91*time.Minute) // Alipay delivers again: one more query, no harm
	})
	if st.Status != OnboardingActive || st.Channel != channels.Alipay || st.SubMchID != testSmid ||
		f.activated == nil || f.activated.Channel != channels.Alipay || f.activated.SubMchID != testSmid {
		t.Fatalf("final %+v, activated %+v", st, f.activated)
	}
	if got := f.asked[len(f.asked)-1].Sub(start); got != 90*time.Minute {
		t.Errorf("FINISH was asked for %v after the start; the notification came at 90m", got)
	}
	if f.submissions[0].Alipay == nil || f.submissions[0].Alipay.SettleLogonID != "lisi@example.com" {
		t.Errorf("submitted without the Alipay profile: %+v", f.submissions[0].Alipay)
	}
	if st.Application.Alipay.SettleLogonID != "l***@example.com" {
		t.Errorf("the logon id is shown as %q", st.Application.Alipay.SettleLogonID)
	}
}

// Rejected on Alipay (zft.rejected: the reviewer's reason), corrected by the shop, resubmitted, approved.
func TestAlipayOnboardingRejectedCorrectedApproved(t *testing.T) {
	f := &fakeApplyments{subMchID: testSmid, scripts: [][]string{{channels.ApplymentAuditing,
		channels.ApplymentRejected}, {channels.ApplymentAuditing, channels.ApplymentFinish}}}
	var rejected OnboardingState
	var noProfile error
	st, _ := runOnboardingIn(t, f, alipayInput(), func(env *testsuite.TestWorkflowEnvironment) {
		notify(env, channels.ApplymentRejected, 30*time.Minute)
		env.RegisterDelayedCallback(func() {
			queryOnboarding(env, &rejected)
			bad := alipayApplication()
			bad.Alipay = nil // Alipay's own fields are required on Alipay
			env.UpdateWorkflow(UpdateCorrectApplication, "bad", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { noProfile = err }, OnAccept: func() {}, OnComplete: func(any, error) {}}, bad)
			good := alipayApplication()
			good.Alipay.CertImage = "img-front-clear"
			env.UpdateWorkflow(UpdateCorrectApplication, "good", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Error(err) }, OnAccept: func() {}, OnComplete: func(any, error) {}}, good)
		}, 24*time.Hour)
		notify(env, channels.ApplymentFinish, 25*time.Hour)
	})
	if rejected.Status != OnboardingRejected || len(rejected.Rejections) != 1 {
		t.Errorf("while rejected: %+v", rejected)
	}
	var ie *InputError
	if !errors.As(noProfile, &ie) && errorType(noProfile) != ErrTypeInvalidApplication {
		t.Errorf("a correction without the Alipay profile must be refused: %v", noProfile)
	}
	if st.Status != OnboardingActive || len(st.Attempts) != 2 || st.Attempts[0].Outcome != OnboardingRejected ||
		len(f.submissions) != 2 || f.submissions[1].Alipay.CertImage != "img-front-clear" {
		t.Errorf("final %+v, submissions %d", st, len(f.submissions))
	}
}

// One application, both channels: each channel's onboarding runs on its own. WeChat Pay finishes and activates
// the merchant there; Alipay rejects, waits for corrections that never come, and gives up, activating nothing.
func TestOneChannelApprovedWhileTheOtherIsRejected(t *testing.T) {
	app := alipayApplication()
	settings := OnboardingSettings{PollFirst: time.Minute, PollMax: time.Hour, GiveUpAfter: 10 * 24 * time.Hour}
	wx := &fakeApplyments{scripts: [][]string{{channels.ApplymentAuditing, channels.ApplymentFinish}}}
	ali := &fakeApplyments{scripts: [][]string{{channels.ApplymentAuditing, channels.ApplymentRejected}}}
	wst, _ := runOnboardingIn(t, wx, OnboardingInput{Channel: channels.WeChatPay, Application: app,
		Settings: settings}, nil)
	var waiting OnboardingState
	ast, _ := runOnboardingIn(t, ali, OnboardingInput{Channel: channels.Alipay, Application: app, Settings: settings},
		func(env *testsuite.TestWorkflowEnvironment) {
			env.RegisterDelayedCallback(func() { queryOnboarding(env, &waiting) }, 24*time.Hour)
		})
	if wst.Status != OnboardingActive || wx.activated == nil || wx.activated.Channel != channels.WeChatPay {
		t.Errorf("WeChat Pay: %+v, activated %+v", wst.Status, wx.activated)
	}
	if waiting.Status != OnboardingRejected || waiting.WaitingFor != "shop:corrections" {
		t.Errorf("Alipay while rejected: %s waiting for %s", waiting.Status, waiting.WaitingFor)
	}
	if ast.Status != OnboardingGaveUp || ali.activated != nil || ast.Attempts[0].Outcome != OnboardingGaveUp {
		t.Errorf("Alipay: %+v, activated %+v", ast.Status, ali.activated)
	}
}

// No notification and no finish: Alipay's review never ends, the polls find nothing, and at the configured
// give-up time the onboarding ends GAVE_UP.
func TestAlipayOnboardingGivesUpAfterTheConfiguredTime(t *testing.T) {
	f := &fakeApplyments{scripts: [][]string{{channels.ApplymentAuditing}}}
	in := alipayInput()
	in.Settings.GiveUpAfter = 3 * 24 * time.Hour
	var start time.Time
	st, _ := runOnboardingIn(t, f, in, func(env *testsuite.TestWorkflowEnvironment) { start = env.Now() })
	if st.Status != OnboardingGaveUp || f.activated != nil || !st.GiveUpAt.Equal(start.Add(3*24*time.Hour)) {
		t.Errorf("final %+v", st)
	}
	if last := f.asked[len(f.asked)-1]; last.After(st.GiveUpAt) || len(f.asked) < 12 {
		t.Errorf("%d polls, the last at %v (give up at %v)", len(f.asked), last, st.GiveUpAt)
	}
}

// The fields only one channel needs are checked only when that channel is asked for.
func TestApplicationFieldsAreCheckedForTheChannelsAskedFor(t *testing.T) {
	wxOnly := testApplication() // no Alipay profile, no website
	if err := wxOnly.ValidateFor(channels.WeChatPay); err != nil {
		t.Errorf("WeChat Pay needs no Alipay profile: %v", err)
	}
	aliOnly := alipayApplication()
	aliOnly.BankAccount, aliOnly.LegalPerson.CopyMediaID = BankAccount{}, ""
	if err := aliOnly.ValidateFor(channels.Alipay); err != nil {
		t.Errorf("Alipay needs no bank account or WeChat media: %v", err)
	}
	for field, c := range map[string]struct {
		app   func(*Application)
		chans []string
	}{
		"alipay":                 {func(a *Application) { a.Alipay = nil }, []string{"wechatpay", "alipay"}},
		"alipay.mcc":             {func(a *Application) { a.Alipay.MCC = "food" }, []string{"alipay"}},
		"alipay.settle_logon_id": {func(a *Application) { a.Alipay.SettleLogonID = "lisi" }, []string{"alipay"}},
		"store.url":              {func(a *Application) { a.Store.URL = "" }, []string{"alipay"}},
		"bank_account.type":      {func(a *Application) { a.BankAccount.Type = "" }, []string{"alipay", "wechatpay"}},
		"channels[1]":            {func(*Application) {}, []string{"alipay", "paypal"}},
		"channels":               {func(*Application) {}, nil},
		"alipay.legal_cert_front_image": {func(a *Application) {
			a.OrganizationType, a.BankAccount.Type = OrgEnterprise, AccountCompany
			a.BusinessLicense = &BusinessLicense{CopyMediaID: "m", Number: "91330100MA2KXXXX1X", MerchantName: "Hill Tea Co",
				LegalPerson: "李四"}
		}, []string{"alipay"}},
	} {
		a := alipayApplication()
		c.app(&a)
		var ie *InputError
		if err := a.ValidateFor(c.chans...); !errors.As(err, &ie) || ie.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}
