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
	sim          func(s *stack.Stack) int64 // nil: no channel figure to compare
	note         string
}

// parties are the rows of the balance table for this run's shops and the receivers, on each channel.
func (d *demoRun) parties() []demoParty {
	wx, ali := channels.WeChatPay, channels.Alipay
	wxShop := func(sub string, frozen bool) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 {
			b := s.Sim.Balance(sub)
			if frozen {
				return b.Frozen
			}
			return b.Available
		}
	}
	aliShop := func(smid string, frozen bool) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 {
			b := s.AliSim.MerchantBalance(smid)
			if frozen {
				return (b.Unsettled + b.Frozen).Fen()
			}
			return b.Available.Fen()
		}
	}
	wxReceiver := func(kind, account string) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 { return s.Sim.ReceiverBalance(kind, account) }
	}
	aliReceiver := func(account string) func(s *stack.Stack) int64 {
		return func(s *stack.Stack) int64 { return s.AliSim.ReceiverBalance(account).Fen() }
	}
	return []demoParty{
		{"tea house", "frozen", ledger.MerchantFrozen(wx, d.teaID), wxShop(d.teaSub, true), ""},
		{"tea house", "available", ledger.MerchantAvailable(wx, d.teaID), wxShop(d.teaSub, false), ""},
		{"tea house", "withdrawn", ledger.MerchantWithdrawn(wx, d.teaID), nil, "(paid out to its bank account)"},
		{"cup works", "frozen", ledger.MerchantFrozen(wx, d.cupsID), wxShop(d.cupsSub, true), ""},
		{"cup works", "available", ledger.MerchantAvailable(wx, d.cupsID), wxShop(d.cupsSub, false), ""},
		{"demo-l1", "commission", ledger.ReceiverCommission(wx, "demo-l1"), wxReceiver(channels.ReceiverPersonal, demoL1), ""},
		{"demo-l2", "commission", ledger.ReceiverCommission(wx, "demo-l2"), wxReceiver(channels.ReceiverPersonal, demoL2), ""},
		{"demo-supplier", "commission", ledger.ReceiverCommission(wx, "demo-supplier"),
			wxReceiver(channels.ReceiverMerchant, demoSupplier), ""},
		{"platform", "commission", ledger.PlatformCommission(wx), wxReceiver(channels.ReceiverMerchant, stack.SimSpMchID), ""},
		{"tea house", "frozen", ledger.MerchantFrozen(ali, d.teaID), aliShop(d.aliID(1), true), "(unsettled + frozen)"},
		{"tea house", "available", ledger.MerchantAvailable(ali, d.teaID), aliShop(d.aliID(1), false), ""},
		{"cup works", "frozen", ledger.MerchantFrozen(ali, d.cupsID), aliShop(d.aliID(2), true), "(unsettled + frozen)"},
		{"cup works", "available", ledger.MerchantAvailable(ali, d.cupsID), aliShop(d.aliID(2), false), ""},
		{"demo-l1", "commission", ledger.ReceiverCommission(ali, "demo-l1"), aliReceiver(aliL1), ""},
		{"demo-l2", "commission", ledger.ReceiverCommission(ali, "demo-l2"), aliReceiver(aliL2), ""},
		{"demo-supplier", "commission", ledger.ReceiverCommission(ali, "demo-supplier"), aliReceiver(aliSupplier), ""},
		{"platform", "commission", ledger.PlatformCommission(ali), aliReceiver(stack.SimAlipayPlatform), ""},
		{"demo-l1", "debt", ledger.ReceiverDebt("demo-l1"), nil, "(clawbacks it owes the shops, netted from later commission)"},
		{"demo-l2", "debt", ledger.ReceiverDebt("demo-l2"), nil, ""},
		{"platform", "subsidy", ledger.PlatformSubsidyBudget(), nil, "(the platform's coupon money, paid out as subsidies)"},
	}
}
