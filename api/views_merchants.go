package api

import (
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// OnboardingView is an application as the shop and ops see it, with personal data masked: its onboarding on each
// channel it asked for, and what to do next on each.
type OnboardingView struct {
	OutRequestNo string                  `json:"out_request_no"`
	MerchantID   string                  `json:"merchant_id"`
	Application  workflows.Application   `json:"application"` // masked
	Channels     []ChannelOnboardingView `json:"channels"`
}

// On is the application's onboarding on a channel (a zero view with no status when it did not ask for it).
func (v OnboardingView) On(channel string) ChannelOnboardingView {
	for _, c := range v.Channels {
		if c.Channel == channel {
			return c
		}
	}
	return ChannelOnboardingView{Channel: channel}
}

// ChannelOnboardingView is the onboarding on one channel.
type ChannelOnboardingView struct {
	Channel            string                        `json:"channel"`
	Status             string                        `json:"status"`
	WaitingFor         string                        `json:"waiting_for,omitempty"`
	ChannelState       string                        `json:"channel_state,omitempty"`
	ChannelStateDesc   string                        `json:"channel_state_desc,omitempty"`
	ApplicationID      string                        `json:"application_id,omitempty"`
	AccountValidation  *channels.AccountValidation   `json:"account_validation,omitempty"`
	LegalValidationURL string                        `json:"legal_validation_url,omitempty"`
	SignURL            string                        `json:"sign_url,omitempty"`
	Rejections         []channels.Rejection          `json:"rejections,omitempty"`
	SubMchID           string                        `json:"sub_mchid,omitempty"`
	Attempts           []workflows.OnboardingAttempt `json:"attempts,omitempty"`
	GiveUpAt           *time.Time                    `json:"give_up_at,omitempty"`
	LastError          *StepError                    `json:"last_error,omitempty"`
	Timeline           []Event                       `json:"timeline,omitempty"`
}

func onboardingViewOf(o starter.Onboarding) OnboardingView {
	v := OnboardingView{OutRequestNo: o.OutRequestNo, MerchantID: o.MerchantID, Application: o.Application.Masked()}
	for _, st := range o.Channels {
		v.Channels = append(v.Channels, ChannelOnboardingView{
			Channel:            st.Channel,
			Status:             st.Status,
			WaitingFor:         st.WaitingFor,
			ChannelState:       st.ChannelState,
			ChannelStateDesc:   st.StateDesc,
			ApplicationID:      string(st.ApplymentID),
			AccountValidation:  st.AccountValidation,
			LegalValidationURL: st.LegalValidationURL,
			SignURL:            st.SignURL,
			Rejections:         st.Rejections,
			SubMchID:           st.SubMchID,
			Attempts:           st.Attempts,
			GiveUpAt:           timePtr(st.GiveUpAt),
			LastError:          stepErrorOf(st.LastError),
			Timeline:           timelineOf(st.Timeline),
		})
	}
	return v
}

// WithdrawalView is a withdrawal's progress.
type WithdrawalView struct {
	MerchantID   string       `json:"merchant_id"`
	OutRequestNo string       `json:"out_request_no"`
	Amount       money.Amount `json:"amount"`
	Status       string       `json:"status"`
	WaitingFor   string       `json:"waiting_for,omitempty"`
	WithdrawID   string       `json:"withdraw_id,omitempty"`
	ChannelState string       `json:"channel_state,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	RequestedAt  *time.Time   `json:"requested_at,omitempty"`
	LastError    *StepError   `json:"last_error,omitempty"`
	Timeline     []Event      `json:"timeline,omitempty"`
}

func withdrawalViewOf(st workflows.WithdrawalState) WithdrawalView {
	return WithdrawalView{
		MerchantID:   st.MerchantID,
		OutRequestNo: st.OutRequestNo,
		Amount:       st.Amount,
		Status:       st.Status,
		WaitingFor:   st.WaitingFor,
		WithdrawID:   st.WithdrawID,
		ChannelState: st.ChannelState,
		Reason:       st.Reason,
		RequestedAt:  timePtr(st.RequestedAt),
		LastError:    stepErrorOf(st.LastError),
		Timeline:     timelineOf(st.Timeline),
	}
}
