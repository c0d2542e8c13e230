package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/cmd/splitpay/internal/stack"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// demoApplication is a shop's application with made-up personal data (valid check characters).
func demoApplication(no, merchantID, name string) workflows.Application {
	return workflows.Application{
		OutRequestNo:     no,
		MerchantID:       merchantID,
		DisplayName:      name,
		OrganizationType: workflows.OrgIndividual,
		LegalPerson: workflows.IDCard{
			CopyMediaID:     "demo-media-front",
			NationalMediaID: "demo-media-back",
			Name:            "陈静",
			Number:          "11010519491231002X",
			ValidFrom:       "2021-03-01",
			ValidUntil:      "2041-03-01",
		},
		BankAccount: workflows.BankAccount{
			Type:        workflows.AccountPerson,
			Bank:        "招商银行",
			Name:        "陈静",
			Number:      "6214830112345678",
			AddressCode: "330100",
		},
		Contact: workflows.Contact{
			Type:   workflows.ContactLegal,
			Name:   "陈静",
			Mobile: "13700001111",
			Email:  "shop@example.com",
		},
		Store:     workflows.Store{Name: name},
		ShortName: name,
	}
}

// onboard takes a shop through onboarding on the API, playing the shop's and the channel's parts on the
// simulator (review time passing, the account-verification remittance, the signature); it answers the sub_mchid.
func (d *demoRun) onboard(no, merchantID, name string) (string, error) {
	var v api.OnboardingView
	if err := d.post("/v1/onboardings", demoApplication(no, merchantID, name), &v); err != nil {
		return "", err
	}
	d.say(
		"%s applied to onboard (out_request_no %s; ID number shown as %s)",
		name,
		no,
		v.Application.LegalPerson.Number,
	)
	acted := map[string]bool{}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && d.ctx.Err() == nil {
		v = api.OnboardingView{}
		if err := d.c.Do(d.ctx, http.MethodGet, "/v1/onboardings/"+no, "", nil, &v); err != nil {
			return "", err
		}
		switch {
		case v.Status == workflows.OnboardingActive:
			d.say("%s is ACTIVE: sub_mchid %s, ledger accounts opened", name, v.SubMchID)
			return v.SubMchID, nil
		case v.Status == workflows.OnboardingReviewing:
			d.st.Sim.Advance(2 * time.Minute) // the channel's review takes minutes on its clock
		case v.Status == workflows.OnboardingAccountVerify && !acted[v.Status] && v.AccountValidation != nil:
			acted[v.Status] = true
			d.say(
				"  the channel asks %s to remit %s yuan to %s (%s) by %s — done (simulated)",
				name,
				v.AccountValidation.PayAmount,
				v.AccountValidation.DestinationAccountName,
				v.AccountValidation.DestinationAccountBank,
				v.AccountValidation.Deadline,
			)
			if err := d.st.Sim.VerifyApplymentAccount(no); err != nil {
				return "", err
			}
		case v.Status == workflows.OnboardingNeedSign && !acted[v.Status]:
			acted[v.Status] = true
			d.say("  the shop's admin signs the agreement at %s (simulated)", v.SignURL)
			if err := d.st.Sim.SignApplyment(no); err != nil {
				return "", err
			}
		case v.Status == workflows.OnboardingRejected || v.Status == workflows.OnboardingGaveUp:
			return "", fmt.Errorf("onboarding %s: %s %+v", no, v.Status, v.Rejections)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("onboarding %s not active in time (status %s)", no, v.Status)
}

// demoParty is one row of the balance table: a ledger account and the simulator's figure for it.
type demoParty struct {
	name, bucket string
	account      ledger.Account
	channel      func(s *stack.Stack) int64 // nil: no channel figure to compare
	note         string
}

// parties are the rows of the balance table for this run's shops and the receivers.
func (d *demoRun) parties() []demoParty {
	sim := func(sub string, frozen bool) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 {
			if frozen {
				return s.Sim.Balance(sub).Frozen
			}
			return s.Sim.Balance(sub).Available
		}
	}
	return []demoParty{
		{"tea house", "frozen", ledger.MerchantFrozen(channels.WeChatPay, d.teaID), sim(d.teaSub, true), ""},
		{"tea house", "available", ledger.MerchantAvailable(channels.WeChatPay, d.teaID), sim(d.teaSub, false), ""},
		{"tea house", "withdrawn", ledger.MerchantWithdrawn(channels.WeChatPay, d.teaID), nil, "(paid out to its bank account)"},
		{"cup works", "frozen", ledger.MerchantFrozen(channels.WeChatPay, d.cupsID), sim(d.cupsSub, true), ""},
		{"cup works", "available", ledger.MerchantAvailable(channels.WeChatPay, d.cupsID), sim(d.cupsSub, false), ""},
		{
			"demo-l1",
			"commission",
			ledger.ReceiverCommission(channels.WeChatPay, "demo-l1"),
			func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL1) },
			"",
		},
		{
			"demo-l2",
			"commission",
			ledger.ReceiverCommission(channels.WeChatPay, "demo-l2"),
			func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(channels.ReceiverPersonal, demoL2) },
			"",
		},
		{"demo-supplier", "commission", ledger.ReceiverCommission(channels.WeChatPay, "demo-supplier"), func(s *stack.Stack) int64 {
			return s.Sim.ReceiverBalance(channels.ReceiverMerchant, demoSupplier)
		}, ""},
		{"platform", "commission", ledger.PlatformCommission(channels.WeChatPay), func(s *stack.Stack) int64 {
			return s.Sim.ReceiverBalance(channels.ReceiverMerchant, stack.SimSpMchID)
		}, ""},
		{
			"platform",
			"subsidy",
			ledger.PlatformSubsidyBudget(),
			nil,
			"(the platform's coupon money, paid out as subsidies)",
		},
	}
}
