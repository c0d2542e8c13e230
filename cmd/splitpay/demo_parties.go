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

// demoApplication is a shop's application for both channels, with made-up personal data (valid check
// characters).
func demoApplication(no, merchantID, name, site string) api.OnboardingRequest {
	return api.OnboardingRequest{
		Channels:         []string{channels.WeChatPay, channels.Alipay},
		OutRequestNo:     no,
		MerchantID:       merchantID,
		DisplayName:      name,
		OrganizationType: workflows.OrgIndividual,
		LegalPerson: api.IDCardRequest{CopyMediaID: "demo-media-front", NationalMediaID: "demo-media-back",
			Name: "陈静", Number: "11010519491231002X", ValidFrom: "2021-03-01", ValidUntil: "2041-03-01"},
		BankAccount: api.BankAccountRequest{Type: workflows.AccountPerson, Bank: "招商银行", Name: "陈静",
			Number: "6214830112345678", AddressCode: "330100"},
		Contact: api.ContactRequest{Type: workflows.ContactLegal, Name: "陈静", Mobile: "13700001111",
			Email: "shop@example.com"},
		Store:     api.StoreRequest{Name: name, URL: "https://" + site + ".example.com"},
		ShortName: name,
		Alipay: &api.AlipayRequest{MCC: "5499", SettleLogonID: "13700001111",
			CertImage: "demo-alipay-idcard-front"},
	}
}

// onboard takes a shop through onboarding on both channels through the API, playing the shop's and each
// channel's parts on the simulators (review time passing, WeChat Pay's account-verification remittance and
// signature, the confirmation in the Alipay app); it answers each channel's sub-merchant id.
func (d *demoRun) onboard(no, merchantID, name, site string) (map[string]string, error) {
	var v api.OnboardingView
	if err := d.post("/v1/onboardings", demoApplication(no, merchantID, name, site), &v); err != nil {
		return nil, err
	}
	d.applications = append(d.applications, no)
	d.say("%s applied to onboard on WeChat Pay and Alipay (out_request_no %s; ID number shown as %s)", name, no,
		v.Application.LegalPerson.Number)
	acted, subs := map[string]bool{}, map[string]string{}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && d.ctx.Err() == nil && len(subs) < 2 {
		v = api.OnboardingView{}
		if err := d.c.Do(d.ctx, http.MethodGet, "/v1/onboardings/"+no, "", nil, &v); err != nil {
			return nil, err
		}
		for _, c := range v.Channels {
			if err := d.playOnboarding(name, no, c, acted, subs); err != nil {
				return nil, err
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(subs) < 2 {
		return nil, fmt.Errorf("onboarding %s not active in time: %+v", no, v.Channels)
	}
	return subs, nil
}

// playOnboarding does what the shop or the channel does next on one channel, once each.
func (d *demoRun) playOnboarding(name, no string, c api.ChannelOnboardingView, acted map[string]bool,
	subs map[string]string) error {
	step, wx := c.Channel+"/"+c.Status, c.Channel == channels.WeChatPay
	switch {
	case c.Status == workflows.OnboardingActive && subs[c.Channel] == "":
		subs[c.Channel] = c.SubMchID
		d.say("%s is ACTIVE on %s: sub-merchant %s, ledger accounts opened", name, c.Channel, c.SubMchID)
	case c.Status == workflows.OnboardingReviewing && wx:
		d.st.Sim.Advance(2 * time.Minute) // the channel's review takes minutes on its clock
	case c.Status == workflows.OnboardingReviewing:
		d.st.AliSim.Advance(2 * time.Minute)
	case c.Status == workflows.OnboardingAccountVerify && !acted[step] && c.AccountValidation != nil:
		acted[step] = true
		d.say("  WeChat Pay asks %s to remit %s yuan to %s (%s) by %s — done (simulated)", name,
			c.AccountValidation.PayAmount, c.AccountValidation.DestinationAccountName,
			c.AccountValidation.DestinationAccountBank, c.AccountValidation.Deadline)
		return d.st.Sim.VerifyApplymentAccount(no)
	case c.Status == workflows.OnboardingNeedSign && !acted[step] && wx:
		acted[step] = true
		d.say("  the shop's admin signs WeChat Pay's agreement at %s (simulated)", c.SignURL)
		return d.st.Sim.SignApplyment(no)
	case c.Status == workflows.OnboardingNeedSign && !acted[step]:
		acted[step] = true
		d.say("  Alipay's review passed; the shop confirms in the Alipay app (simulated), and Alipay notifies")
		return d.st.AliSim.ConfirmApplication(no)
	case c.Status == workflows.OnboardingRejected || c.Status == workflows.OnboardingGaveUp:
		return fmt.Errorf("onboarding %s on %s: %s %+v", no, c.Channel, c.Status, c.Rejections)
	}
	return nil
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
		{"tea house", "frozen", ledger.MerchantFrozen(ali, d.teaID), aliShop(d.teaSmid, true), "(unsettled + frozen)"},
		{"tea house", "available", ledger.MerchantAvailable(ali, d.teaID), aliShop(d.teaSmid, false), ""},
		{"cup works", "frozen", ledger.MerchantFrozen(ali, d.cupsID), aliShop(d.cupsSmid, true), "(unsettled + frozen)"},
		{"cup works", "available", ledger.MerchantAvailable(ali, d.cupsID), aliShop(d.cupsSmid, false), ""},
		{"demo-l1", "commission", ledger.ReceiverCommission(ali, "demo-l1"), aliReceiver(aliL1), ""},
		{"demo-l2", "commission", ledger.ReceiverCommission(ali, "demo-l2"), aliReceiver(aliL2), ""},
		{"demo-supplier", "commission", ledger.ReceiverCommission(ali, "demo-supplier"), aliReceiver(aliSupplier), ""},
		{"platform", "commission", ledger.PlatformCommission(ali), aliReceiver(stack.SimAlipayPlatform), ""},
		{"demo-l1", "debt", ledger.ReceiverDebt("demo-l1"), nil, "(clawbacks it owes the shops, netted from later commission)"},
		{"demo-l2", "debt", ledger.ReceiverDebt("demo-l2"), nil, ""},
		{"platform", "subsidy", ledger.PlatformSubsidyBudget(), nil, "(the platform's coupon money, paid out as subsidies)"},
	}
}
