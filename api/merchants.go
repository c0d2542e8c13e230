package api

import (
	"net/http"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
)

func (s *Server) registerMerchant(w http.ResponseWriter, r *http.Request) {
	var req registry.MerchantRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.Registry.RegisterMerchant(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, merchantViewOf(m))
}

func (s *Server) getMerchant(w http.ResponseWriter, r *http.Request) {
	m, err := s.Registry.GetMerchant(r.Context(), channelParam(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, merchantViewOf(m))
}

func (s *Server) registerReceiver(w http.ResponseWriter, r *http.Request) {
	var req registry.ReceiverRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	rc, err := s.Registry.RegisterReceiver(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, receiverViewOf(rc))
}

func (s *Server) getReceiver(w http.ResponseWriter, r *http.Request) {
	rc, err := s.Registry.GetReceiver(r.Context(), channelParam(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, receiverViewOf(rc))
}

func (s *Server) removeReceiver(w http.ResponseWriter, r *http.Request) {
	rc, err := s.Registry.RemoveReceiver(r.Context(), channelParam(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, receiverViewOf(rc))
}

func (s *Server) onboard(w http.ResponseWriter, r *http.Request) {
	var req OnboardingRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.Onboard(r.Context(), req.application(), req.Channels)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, onboardingViewOf(st))
}

func (s *Server) correctOnboarding(w http.ResponseWriter, r *http.Request) {
	var req OnboardingRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.CorrectOnboarding(r.Context(), r.PathValue("id"), req.application())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, onboardingViewOf(st))
}

// getOnboarding answers an onboarding's state: what the shop must do next.
func (s *Server) getOnboarding(w http.ResponseWriter, r *http.Request) {
	st, err := s.Starter.GetOnboarding(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, onboardingViewOf(st))
}

// merchantBalance answers a merchant's balance at the channel and in the ledger.
func (s *Server) merchantBalance(w http.ResponseWriter, r *http.Request) {
	bal, err := s.Registry.MerchantBalance(r.Context(), channelParam(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bal)
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	var req starter.WithdrawalRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Starter.Withdraw(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, withdrawalViewOf(st))
}

func (s *Server) getWithdrawal(w http.ResponseWriter, r *http.Request) {
	st, err := s.Starter.GetWithdrawal(r.Context(), r.PathValue("id"), r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withdrawalViewOf(st))
}

// channelParam is the ?channel= a party is looked up on: a merchant or receiver has one record per channel.
// WeChat Pay when absent; the registry refuses an unknown one (400 naming channel).
func channelParam(r *http.Request) string {
	if c := r.URL.Query().Get("channel"); c != "" {
		return c
	}
	return channels.WeChatPay
}
