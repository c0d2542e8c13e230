package workflows

import (
	"time"

	"github.com/splitpay/splitpay/channels"
)

// Onboarding names (二级商户进件).
const (
	UpdateCorrectApplication  = "CorrectApplication"
	QueryOnboarding           = "GetOnboarding"
	SignalApplicationNotified = "ApplicationNotified"
)

// OnboardingWorkflowID is the onboarding's id on a channel: onboarding/<out request number> on WeChat Pay (the
// id it had before other channels, which running onboardings keep), onboarding/<no>/<channel> on the others.
func OnboardingWorkflowID(outRequestNo, channel string) string {
	if channel == channels.WeChatPay {
		return "onboarding/" + outRequestNo
	}
	return "onboarding/" + outRequestNo + "/" + channel
}

// ApplicationNotice is the channel's word that the application's audit ended (Alipay notifies; WeChat Pay does
// not). The onboarding asks the channel at once: the query is the source of truth.
type ApplicationNotice struct {
	NotificationID string
	ApplicationID  channels.ApplicationID
	State          string // channels.ApplymentFinish or channels.ApplymentRejected
}

// Onboarding statuses, as GetOnboarding and SplitPayStatus show them.
const (
	OnboardingSubmitting     = "SUBMITTING"          // being sent to the channel
	OnboardingReviewing      = "REVIEWING"           // the channel checks or audits (CHECKING, AUDITING)
	OnboardingAccountVerify  = "ACCOUNT_NEED_VERIFY" // the shop must remit the amount, or the legal person verify
	OnboardingNeedSign       = "NEED_SIGN"           // the shop's admin must sign at the link
	OnboardingRejected       = "REJECTED"            // waiting for the shop's corrections
	OnboardingFrozen         = "FROZEN"              // the channel froze the application: ops
	OnboardingActive         = "ACTIVE"              // FINISH: the merchant sells
	OnboardingGaveUp         = "GAVE_UP"             // no progress before the give-up time
	OnboardingNeedsAttention = StatusNeedsAttention
)

// OnboardingSettings are the onboarding's timings.
type OnboardingSettings struct {
	PollFirst   time.Duration // first wait between state queries (doubles up to PollMax; resets on a change)
	PollMax     time.Duration
	GiveUpAfter time.Duration // no FINISH by then: GAVE_UP
}

// DefaultOnboardingSettings: the channel reviews in hours to days; a shop gets 30 days.
var DefaultOnboardingSettings = OnboardingSettings{
	PollFirst:   time.Minute,
	PollMax:     time.Hour,
	GiveUpAfter: 30 * 24 * time.Hour,
}

func (s OnboardingSettings) withDefaults() OnboardingSettings {
	d := DefaultOnboardingSettings
	fillZero(
		[][2]*time.Duration{{&s.PollFirst, &d.PollFirst}, {&s.PollMax, &d.PollMax}, {&s.GiveUpAfter, &d.GiveUpAfter}},
	)
	return s
}

// OnboardingInput starts an onboarding.
type OnboardingInput struct {
	Channel     string
	Application Application
	Settings    OnboardingSettings
}

// OnboardingAttempt is one submission and how it ended.
type OnboardingAttempt struct {
	N           int                  `json:"n"`
	SubmittedAt time.Time            `json:"submitted_at"`
	Outcome     string               `json:"outcome,omitempty"` // REJECTED, FINISH, GAVE_UP; empty while running
	Rejections  []channels.Rejection `json:"rejections,omitempty"`
}

// OnboardingState is GetOnboarding's answer; the application in it is masked.
type OnboardingState struct {
	OutRequestNo       string
	MerchantID         string
	Status             string
	WaitingFor         string
	ChannelState       string
	StateDesc          string
	Channel            string
	ApplymentID        channels.ApplicationID
	Application        Application // masked
	AccountValidation  *channels.AccountValidation
	LegalValidationURL string
	SignURL            string
	Rejections         []channels.Rejection
	SubMchID           string
	Attempts           []OnboardingAttempt
	GiveUpAt           time.Time
	LastError          *StepError
	Timeline           []Event
}
