package workflows

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
)

// fakeApplyments answers like the channel's application API: a script of states per submission, each state
// lasting a number of queries.
type fakeApplyments struct {
	mu          sync.Mutex
	scripts     [][]string // per submission: the states queries see, in order (the last one stays)
	submissions []Application
	submitErrs  []error // returned by the first submissions, in order
	queries     int
	asked       []time.Time // when each query came, on the test clock
	subMchID    string      // the id FINISH answers; 1600000001 when empty
	activated   *ActivateMerchantInput
}

func (f *fakeApplyments) register(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivitySubmitApplyment, func(_ context.Context, in SubmitApplymentInput) (ApplymentSubmitted, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.submissions = append(f.submissions, in.Application)
		f.queries = 0
		if n := len(f.submissions); n <= len(f.submitErrs) && f.submitErrs[n-1] != nil {
			return ApplymentSubmitted{}, f.submitErrs[n-1]
		}
		return ApplymentSubmitted{ApplymentID: "2000000001"}, nil
	})
	stub(env, ActivityQueryApplyment, func(_ context.Context, in QueryApplymentInput) (ApplymentStatus, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		script := f.scripts[min(len(f.submissions), len(f.scripts))-1]
		state := script[min(f.queries, len(script)-1)]
		f.queries++
		f.asked = append(f.asked, env.Now())
		st := ApplymentStatus{ApplymentID: "2000000001", State: state}
		switch state {
		case channels.ApplymentAccountVerify:
			st.AccountValidation = &channels.AccountValidation{
				AccountName: "*四",
				AccountNo:   "****6789",
				PayAmount:   12,
				Deadline:    "2026-12-03 00:00:00",
			}
		case channels.ApplymentNeedSign:
			st.SignURL, st.SubMchID = "https://pay.weixin.qq.com/sign", "1600000001"
		case channels.ApplymentFinish:
			st.SubMchID = cmp.Or(f.subMchID, "1600000001")
		case channels.ApplymentRejected:
			st.Rejections = []channels.Rejection{{Field: "id_card_info.id_card_copy", Reason: "照片模糊"}}
		}
		return st, nil
	})
	stub(env, ActivityActivateMerchant, func(_ context.Context, in ActivateMerchantInput) (Done, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.activated = &in
		return Done{}, nil
	})
}

// testApplication is a valid individual seller's application (the ID number's check character is right).
func testApplication() Application {
	return Application{
		OutRequestNo:     "APPLY20261123",
		MerchantID:       "m9",
		DisplayName:      "Hill Tea",
		OrganizationType: OrgIndividual,
		LegalPerson: IDCard{
			CopyMediaID:     "media-front",
			NationalMediaID: "media-back",
			Name:            "李四",
			Number:          "11010519491231002X",
			ValidFrom:       "2020-01-01",
			ValidUntil:      "2040-01-01",
		},
		BankAccount: BankAccount{
			Type:        AccountPerson,
			Bank:        "工商银行",
			Name:        "李四",
			Number:      "6222021234567896789",
			AddressCode: "110000",
		},
		Contact:   Contact{Type: ContactLegal, Name: "李四", Mobile: "13800138000", Email: "lisi@example.com"},
		Store:     Store{Name: "Hill Tea"},
		ShortName: "Hill Tea",
	}
}

func runOnboarding(
	t *testing.T,
	f *fakeApplyments,
	setup func(env *testsuite.TestWorkflowEnvironment),
) (OnboardingState, *testsuite.TestWorkflowEnvironment) {
	t.Helper()
	return runOnboardingIn(t, f, OnboardingInput{Channel: channels.WeChatPay, Application: testApplication(),
		Settings: OnboardingSettings{
			PollFirst:   time.Minute,
			PollMax:     10 * time.Minute,
			GiveUpAfter: 30 * 24 * time.Hour,
		}}, setup)
}

// runOnboardingIn runs one onboarding to its end against f.
func runOnboardingIn(
	t *testing.T,
	f *fakeApplyments,
	in OnboardingInput,
	setup func(env *testsuite.TestWorkflowEnvironment),
) (OnboardingState, *testsuite.TestWorkflowEnvironment) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(Onboarding)
	f.register(env)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(Onboarding, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var st OnboardingState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st, env
}

func queryOnboarding(env *testsuite.TestWorkflowEnvironment, out *OnboardingState) {
	if v, err := env.QueryWorkflow(QueryOnboarding); err == nil {
		_ = v.Get(out)
	}
}

// Rejected, corrected by the shop, resubmitted under the same number, then account verification, signing and
// FINISH: the merchant is activated with its sub_mchid, and both attempts are kept.
func TestOnboardingRejectCorrectResubmitFinish(t *testing.T) {
	f := &fakeApplyments{scripts: [][]string{
		{channels.ApplymentChecking, channels.ApplymentRejected},
		{
			channels.ApplymentChecking,
			channels.ApplymentAccountVerify,
			channels.ApplymentAccountVerify,
			channels.ApplymentAuditing,
			channels.ApplymentNeedSign,
			channels.ApplymentFinish,
		},
	}}
	var rejected, verifying OnboardingState
	var correctErr, wrongErr error
	st, _ := runOnboarding(t, f, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			queryOnboarding(env, &rejected)
			bad := testApplication()
			bad.Contact.Mobile = "12345"
			env.UpdateWorkflow(UpdateCorrectApplication, "bad", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { wrongErr = err }, OnAccept: func() {}, OnComplete: func(any, error) {}}, bad)
			good := testApplication()
			good.LegalPerson.CopyMediaID = "media-front-clear"
			env.UpdateWorkflow(UpdateCorrectApplication, "good", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { correctErr = err }, OnAccept: func() {}, OnComplete: func(any, error) {}}, good)
		}, 2*24*time.Hour)
		env.RegisterDelayedCallback(func() { queryOnboarding(env, &verifying) }, 2*24*time.Hour+90*time.Second)
	})
	if rejected.Status != OnboardingRejected || rejected.WaitingFor != "shop:corrections" ||
		len(rejected.Rejections) != 1 ||
		rejected.Rejections[0].Field != "id_card_info.id_card_copy" {
		t.Errorf("while rejected: %+v", rejected)
	}
	if errorType(wrongErr) != ErrTypeInvalidApplication || correctErr != nil {
		t.Errorf("a bad correction must be refused (%v), a good one taken (%v)", wrongErr, correctErr)
	}
	if verifying.Status != OnboardingAccountVerify || verifying.AccountValidation == nil ||
		verifying.AccountValidation.PayAmount != 12 {
		t.Errorf("while verifying: %+v", verifying)
	}
	if st.Status != OnboardingActive || st.SubMchID != "1600000001" || len(st.Attempts) != 2 ||
		st.Attempts[0].Outcome != OnboardingRejected ||
		st.Attempts[1].Outcome != channels.ApplymentFinish {
		t.Errorf("final: %+v", st)
	}
	if len(f.submissions) != 2 || f.submissions[1].LegalPerson.CopyMediaID != "media-front-clear" ||
		f.activated == nil ||
		f.activated.SubMchID != "1600000001" {
		t.Errorf("submissions %d, activated %+v", len(f.submissions), f.activated)
	}
	// The state shows personal data masked.
	if st.Application.LegalPerson.Number != "**************002X" || st.Application.Contact.Mobile != "*******8000" ||
		st.Application.BankAccount.Name != "李*" {
		t.Errorf("masked application %+v", st.Application)
	}
}

// The account verification deadline passes: the channel rejects the application (账户验证已过期); corrected and
// resubmitted, it finishes.
func TestOnboardingAccountVerificationDeadlinePasses(t *testing.T) {
	f := &fakeApplyments{scripts: [][]string{
		{
			channels.ApplymentAccountVerify,
			channels.ApplymentAccountVerify,
			channels.ApplymentAccountVerify,
			channels.ApplymentAccountVerify,
			channels.ApplymentRejected,
		},
		{channels.ApplymentFinish},
	}}
	st, _ := runOnboarding(t, f, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateCorrectApplication, "again", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Error(err) }, OnAccept: func() {}, OnComplete: func(any, error) {}}, testApplication())
		}, 11*24*time.Hour)
	})
	if st.Status != OnboardingActive || len(st.Attempts) != 2 || st.Attempts[0].Outcome != OnboardingRejected {
		t.Errorf("final: %+v", st)
	}
}

// No FINISH by the give-up time: the onboarding ends GAVE_UP and nothing is activated.
func TestOnboardingGivesUp(t *testing.T) {
	f := &fakeApplyments{scripts: [][]string{{channels.ApplymentChecking, channels.ApplymentNeedSign}}}
	st, _ := runOnboarding(t, f, nil)
	if st.Status != OnboardingGaveUp || f.activated != nil || st.Attempts[0].Outcome != OnboardingGaveUp {
		t.Errorf("final: %+v activated %+v", st, f.activated)
	}
}

func TestApplicationValidationNamesTheField(t *testing.T) {
	for field, mutate := range map[string]func(*Application){
		"legal_person.number":        func(a *Application) { a.LegalPerson.Number = "110105194912310021" }, // check character wrong
		"bank_account.number":        func(a *Application) { a.BankAccount.Number = "6222-0212" },
		"contact.mobile":             func(a *Application) { a.Contact.Mobile = "23800138000" },
		"business_license":           func(a *Application) { a.OrganizationType = OrgEnterprise },
		"bank_account.type":          func(a *Application) { a.BankAccount.Type = AccountCompany },
		"contact.id_number":          func(a *Application) { a.Contact.Type = ContactAgent },
		"legal_person.copy_media_id": func(a *Application) { a.LegalPerson.CopyMediaID = "" },
		"contact.email":              func(a *Application) { a.Contact.Email = "lisi" },
		"out_request_no":             func(a *Application) { a.OutRequestNo = "a-b" },
	} {
		a := testApplication()
		mutate(&a)
		var ie *InputError
		if err := a.ValidateFor(channels.WeChatPay); !errors.As(err, &ie) || ie.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if err := testApplication().ValidateFor(channels.WeChatPay); err != nil {
		t.Errorf("valid application refused: %v", err)
	}
	if !ValidIDNumber("11010519491231002X") || !ValidIDNumber("11010519491231002x") ||
		ValidIDNumber("11010519491331002X") {
		t.Error("ID checksum or birth date check wrong")
	}
}

// fakeWithdrawals answers like the channel's withdrawal API, scripted.
type fakeWithdrawals struct {
	mu          sync.Mutex
	states      []string // what successive queries see (the last one stays)
	queries     int
	requests    int
	posted      []string
	overdraw    bool
	withdrawErr error
	accountNew  bool // CheckSettlementAccount answers a recent change
}

func (f *fakeWithdrawals) register(env *testsuite.TestWorkflowEnvironment) {
	stub(env, ActivityReserveWithdrawal, func(_ context.Context, in WithdrawInput) (Done, error) {
		if f.overdraw {
			return Done{}, temporal.NewNonRetryableApplicationError(
				"holds less",
				ErrTypeLedgerRejected+".Overdraw",
				nil,
			)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posted = append(f.posted, "RESERVED")
		return Done{}, nil
	})
	stub(env, ActivityCheckSettlement, func(_ context.Context, in WithdrawInput) (SettlementCheck, error) {
		if !f.accountNew {
			return SettlementCheck{}, nil
		}
		at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		return SettlementCheck{ChangedAt: &at, Recent: true}, nil
	})
	stub(env, ActivityWithdraw, func(_ context.Context, in WithdrawInput) (WithdrawStatus, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests++
		if f.withdrawErr != nil {
			return WithdrawStatus{}, f.withdrawErr
		}
		return WithdrawStatus{WithdrawID: "W1"}, nil
	})
	stub(env, ActivityQueryWithdraw, func(_ context.Context, in WithdrawInput) (WithdrawStatus, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		s := f.states[min(f.queries, len(f.states)-1)]
		f.queries++
		return WithdrawStatus{WithdrawID: "W1", Status: s}, nil
	})
	stub(env, ActivityPostWithdrawResult, func(_ context.Context, in WithdrawInput) (Done, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posted = append(f.posted, in.Status)
		return Done{}, nil
	})
}

func runWithdrawal(t *testing.T, f *fakeWithdrawals) WithdrawalState {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(Withdrawal)
	f.register(env)
	env.ExecuteWorkflow(
		Withdrawal,
		WithdrawalInput{Channel: "wechatpay", MerchantID: "m1", SubMchID: "1900000109", OutRequestNo: "WD20261123001",
			Amount: money.Amount(
				5000,
			), Settings: WithdrawalSettings{PollFirst: time.Minute, PollMax: time.Hour, BounceWatch: 72 * time.Hour}},
	)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var st WithdrawalState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// INIT is asked again with the identical request; SUCCESS is posted; the bank's bounce a day later is posted back.
func TestWithdrawalInitRetriedSucceedsThenBounces(t *testing.T) {
	f := &fakeWithdrawals{states: []string{"INIT", "CREATE_SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "REFUND"}}
	st := runWithdrawal(t, f)
	if st.Status != WithdrawalBounced || f.requests != 2 {
		t.Errorf("status %s, %d requests", st.Status, f.requests)
	}
	if len(f.posted) != 3 || f.posted[0] != "RESERVED" || f.posted[1] != WithdrawalSucceeded ||
		f.posted[2] != WithdrawalBounced {
		t.Errorf("posted %v", f.posted)
	}
}

// A withdrawal to an account changed a few days before goes ahead, with the alert in its timeline.
func TestWithdrawalToANewAccountIsFlagged(t *testing.T) {
	f := &fakeWithdrawals{states: []string{"SUCCESS"}, accountNew: true}
	st := runWithdrawal(t, f)
	flagged := false
	for _, e := range st.Timeline {
		flagged = flagged || strings.HasPrefix(e.What, "ALERT: the settlement account changed")
	}
	if st.Status != WithdrawalSucceeded || !flagged {
		t.Errorf("status %s, timeline %+v", st.Status, st.Timeline)
	}
}

func TestWithdrawalFailAndClose(t *testing.T) {
	for _, end := range []string{WithdrawalFailed, WithdrawalClosed} {
		f := &fakeWithdrawals{states: []string{"CREATE_SUCCESS", end}}
		if st := runWithdrawal(t, f); st.Status != end || len(f.posted) != 2 || f.posted[1] != end {
			t.Errorf("%s: status %s posted %v", end, st.Status, f.posted)
		}
	}
}

func TestWithdrawalBeyondAvailableIsRefused(t *testing.T) {
	f := &fakeWithdrawals{overdraw: true, states: []string{"SUCCESS"}}
	if st := runWithdrawal(t, f); st.Status != WithdrawalRefused || f.requests != 0 {
		t.Errorf("status %s, %d requests at the channel", st.Status, f.requests)
	}
}

// The channel refuses the submission itself (a field it will not take): that is a rejection the shop corrects,
// not a step for ops.
func TestOnboardingSubmissionRefusedByTheChannelIsCorrected(t *testing.T) {
	f := &fakeApplyments{scripts: [][]string{{channels.ApplymentFinish}, {channels.ApplymentFinish}},
		submitErrs: []error{
			temporal.NewNonRetryableApplicationError("bad bank", ErrTypeChannelRejected+".PARAM_ERROR", nil,
				ChannelRejection{Code: "PARAM_ERROR", Message: "开户银行不支持", Field: "account_info.account_bank"}),
		}}
	var rejected OnboardingState
	st, _ := runOnboarding(t, f, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			queryOnboarding(env, &rejected)
			fixed := testApplication()
			fixed.BankAccount.Bank = "建设银行"
			env.UpdateWorkflow(UpdateCorrectApplication, "fix", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Error(err) }, OnAccept: func() {}, OnComplete: func(any, error) {}}, fixed)
		}, time.Hour)
	})
	if rejected.Status != OnboardingRejected || len(rejected.Rejections) != 1 ||
		rejected.Rejections[0].Field != "account_info.account_bank" {
		t.Errorf("while refused: %+v", rejected)
	}
	if st.Status != OnboardingActive || len(f.submissions) != 2 || f.submissions[1].BankAccount.Bank != "建设银行" {
		t.Errorf("final %s after %d submissions", st.Status, len(f.submissions))
	}
}

// The channel refuses the withdrawal request (not enough at the channel): nothing left the account, so the
// reservation is released (FAIL posted) rather than left in flight.
func TestWithdrawalRefusedByTheChannelReleasesTheReservation(t *testing.T) {
	f := &fakeWithdrawals{states: []string{"SUCCESS"},
		withdrawErr: temporal.NewNonRetryableApplicationError("not enough", ErrTypeChannelRejected+".NOT_ENOUGH", nil,
			ChannelRejection{Code: "NOT_ENOUGH", Message: "余额不足"})}
	st := runWithdrawal(t, f)
	if st.Status != WithdrawalFailed || len(f.posted) != 2 || f.posted[1] != WithdrawalFailed || f.queries != 0 {
		t.Errorf("status %s posted %v queries %d", st.Status, f.posted, f.queries)
	}
}
