package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/alisim"
	"github.com/splitpay/splitpay/internal/testenv"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// The personal data of the test application; none of it may appear in a history, a log or a table.
const (
	legalIDNumber = "11010519491231002X"
	bankNumber    = "6222021234567896789"
	mobile        = "13911112222"
	email         = "lisi.hilltea@example.com"
	aliLogon      = "hilltea.settle@example.com" // the Alipay account the shop settles to
)

// application asks for both channels: the fields both read once, WeChat Pay's bank account and media, and
// Alipay's profile.
func application(no, merchantID string) api.OnboardingRequest {
	return api.OnboardingRequest{
		Channels:         []string{channels.WeChatPay, channels.Alipay},
		OutRequestNo:     no,
		MerchantID:       merchantID,
		DisplayName:      "Hill Tea",
		OrganizationType: workflows.OrgIndividual,
		LegalPerson: api.IDCardRequest{CopyMediaID: "media-front", NationalMediaID: "media-back", Name: "李四",
			Number: legalIDNumber, ValidFrom: "2020-01-01", ValidUntil: "2040-01-01"},
		BankAccount: api.BankAccountRequest{Type: workflows.AccountPerson, Bank: "工商银行", Name: "李四",
			Number: bankNumber, AddressCode: "110000"},
		Contact:   api.ContactRequest{Type: workflows.ContactLegal, Name: "李四", Mobile: mobile, Email: email},
		Store:     api.StoreRequest{Name: "Hill Tea", URL: "https://hill-tea.example.com"},
		ShortName: "Hill Tea",
		Alipay:    &api.AlipayRequest{MCC: "5499", SettleLogonID: aliLogon, CertImage: "ali-img-front"},
	}
}

func (h *harness) onboarding(
	no string,
	within time.Duration,
	what string,
	cond func(api.OnboardingView) bool,
) api.OnboardingView {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var v api.OnboardingView
		err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/onboardings/"+no, "", nil, &v)
		if err == nil && cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("onboarding %s: not %s within %s; last %+v %v", no, what, within, v, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A shop onboards on both channels with one application through the API — each channel rejects it once, one
// correction goes to both, and each finishes on its own — then sells on each, and withdraws part of what it
// settled on WeChat Pay. The onboardings' raw histories (read without the codec), the stack's logs and the
// database hold none of the shop's ID number, bank account, phone, e-mail, Alipay account or name.
func TestOnboardedMerchantSellsAndWithdraws(t *testing.T) {
	h := start(t, fastSettings)
	h.onAlipay() // the receivers on Alipay
	no := "ON" + strings.ToUpper(testenv.RandomID())
	merchantID := "m-" + strings.ToLower(no)
	wx, ali := onboardOnBothChannels(t, h, no, merchantID)
	activeAppliesAgain(t, h, merchantID)
	sellAsNewMerchant(t, h, wx)
	sellOnAlipayAsNewMerchant(t, h, ali)
	withdrawPartOfTheSettlement(t, h, wx)
	var hist *historypb.History
	for _, ch := range channels.Names {
		hist = noPersonalDataLeaks(t, h, workflows.OnboardingWorkflowID(no, ch))
	}
	codecOpensForKeyHolders(t, h, hist)
	h.saveHistories(
		"merchant",
		workflows.OnboardingWorkflowID(no, channels.WeChatPay),
		workflows.OnboardingWorkflowID(no, channels.Alipay),
		workflows.WithdrawalWorkflowID(merchantID, "WD0001"),
	)
}

// onboardingIs is the condition that an onboarding has a status on a channel.
func onboardingIs(channel, status string) func(api.OnboardingView) bool {
	return func(v api.OnboardingView) bool { return v.On(channel).Status == status }
}

// onboardOnBothChannels: bad input is refused naming the field; then Alipay's review rejects the application
// (its zft.rejected message reaches the onboarding) while WeChat Pay asks to verify the account and rejects it
// too. An Alipay order for the merchant is refused, naming the channel. One correction goes to both; each
// resubmits and finishes on its own.
func onboardOnBothChannels(t *testing.T, h *harness, no, merchantID string) (wx, ali ledger.Merchant) {
	bad := application(no, merchantID) // bad input names the field and starts nothing
	bad.Alipay.SettleLogonID = "not-an-account"
	var apiErr *api.Error
	err := h.api.Do(t.Context(), http.MethodPost, "/v1/onboardings", "", bad, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Field != "alipay.settle_logon_id" {
		t.Fatalf("bad Alipay account: %v", err)
	}
	var v api.OnboardingView
	// With an Idempotency-Key, so the answer is stored (and checked for personal data below).
	if err := h.api.Do(t.Context(), http.MethodPost, "/v1/onboardings", "onboard-"+no, application(no, merchantID),
		&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Channels) != 2 || v.On(channels.Alipay).Status != workflows.OnboardingSubmitting ||
		v.Application.LegalPerson.Number != "**************002X" || v.Application.Alipay.SettleLogonID != "h***@example.com" {
		t.Fatalf("accepted: %+v", v)
	}
	h.onboarding(no, 20*time.Second, "in Alipay's review", onboardingIs(channels.Alipay, workflows.OnboardingReviewing))
	if err := h.s.AliSim.RejectApplication(no, "cert_image 证件照片模糊"); err != nil {
		t.Fatal(err)
	}
	h.s.AliSim.Advance(2 * time.Minute)
	v = h.onboarding(no, 20*time.Second, "rejected on Alipay, by its message", func(v api.OnboardingView) bool {
		return v.On(channels.Alipay).Status == workflows.OnboardingRejected &&
			slices.ContainsFunc(v.On(channels.Alipay).Timeline, func(e api.Event) bool {
				return strings.HasPrefix(e.What, "channel notified: REJECTED")
			})
	})
	if r := v.On(channels.Alipay).Rejections; len(r) != 1 || r[0].Field != "alipay.cert_image" {
		t.Errorf("Alipay's rejections %+v", r)
	}
	req := h.aliCart(h.orderNo(9))
	req.SubOrders = req.SubOrders[:1]
	req.SubOrders[0].MerchantID = merchantID
	h.expectRefusal(req, "sub_orders[0].merchant_id") // onboarding on alipay, not active
	wechatRejected(t, h, no)
	fixed := application(no, merchantID)
	fixed.LegalPerson.CopyMediaID, fixed.Alipay.CertImage = "media-front-clear", "ali-img-front-clear"
	h.post("/v1/onboardings/"+no+"/corrections", fixed, nil)
	h.onboarding(no, 20*time.Second, "resubmitted on both", func(v api.OnboardingView) bool {
		return len(v.On(channels.WeChatPay).Attempts) == 2 && len(v.On(channels.Alipay).Attempts) == 2
	})
	return wechatToActive(t, h, no, merchantID), alipayToActive(t, h, no, merchantID)
}

// wechatRejected walks WeChat Pay to its account verification, then has it reject the ID card's photo.
func wechatRejected(t *testing.T, h *harness, no string) {
	checking := onboardingIs(channels.WeChatPay, workflows.OnboardingReviewing)
	h.onboarding(no, 20*time.Second, "reviewing", checking)
	h.s.Sim.Advance(2 * time.Minute)
	v := h.onboarding(no, 20*time.Second, "asking to verify the account",
		onboardingIs(channels.WeChatPay, workflows.OnboardingAccountVerify))
	if w := v.On(channels.WeChatPay); w.AccountValidation == nil || w.AccountValidation.PayAmount <= 0 ||
		w.WaitingFor != "shop:account-verification" {
		t.Errorf("account verification: %+v", w.AccountValidation)
	}
	if err := h.s.Sim.RejectApplyment(no, "id_card_info.id_card_copy", "照片模糊"); err != nil {
		t.Fatal(err)
	}
	v = h.onboarding(no, 20*time.Second, "rejected", onboardingIs(channels.WeChatPay, workflows.OnboardingRejected))
	if r := v.On(channels.WeChatPay).Rejections; len(r) != 1 || r[0].Field != "id_card_info.id_card_copy" {
		t.Errorf("rejections %+v", r)
	}
}

// wechatToActive: verified, signed, active on WeChat Pay.
func wechatToActive(t *testing.T, h *harness, no, merchantID string) ledger.Merchant {
	h.s.Sim.Advance(2 * time.Minute)
	h.onboarding(no, 20*time.Second, "asking to verify again",
		onboardingIs(channels.WeChatPay, workflows.OnboardingAccountVerify))
	if err := h.s.Sim.VerifyApplymentAccount(no); err != nil {
		t.Fatal(err)
	}
	h.s.Sim.Advance(2 * time.Minute)
	v := h.onboarding(no, 20*time.Second, "asking to sign", onboardingIs(channels.WeChatPay, workflows.OnboardingNeedSign))
	if v.On(channels.WeChatPay).SignURL == "" {
		t.Errorf("no sign url: %+v", v)
	}
	if err := h.s.Sim.SignApplyment(no); err != nil {
		t.Fatal(err)
	}
	v = h.onboarding(no, 20*time.Second, "active", onboardingIs(channels.WeChatPay, workflows.OnboardingActive))
	w := v.On(channels.WeChatPay)
	if w.SubMchID == "" || len(w.Attempts) != 2 || w.Attempts[0].Outcome != workflows.OnboardingRejected {
		t.Errorf("active: %+v", w)
	}
	return activeMerchant(t, h, channels.WeChatPay, merchantID, w.SubMchID)
}

// alipayToActive: the review passes, the shop confirms in the Alipay app, and zft.passed is lost: the
// onboarding's query finds the finish and the smid.
func alipayToActive(t *testing.T, h *harness, no, merchantID string) ledger.Merchant {
	h.s.AliSim.SetFaults(alisim.Faults{Common: alisim.Common{DropNotifications: true}})
	defer h.s.AliSim.SetFaults(alisim.Faults{})
	h.s.AliSim.Advance(2 * time.Minute)
	v := h.onboarding(no, 20*time.Second, "waiting for the shop's confirmation",
		onboardingIs(channels.Alipay, workflows.OnboardingNeedSign))
	if w := v.On(channels.Alipay); w.WaitingFor != "shop:sign" || w.ChannelStateDesc == "" {
		t.Errorf("confirmation: %+v", w)
	}
	if err := h.s.AliSim.ConfirmApplication(no); err != nil {
		t.Fatal(err)
	}
	v = h.onboarding(no, 20*time.Second, "active on Alipay", onboardingIs(channels.Alipay, workflows.OnboardingActive))
	a := v.On(channels.Alipay)
	if !channels.AlipayUserID.MatchString(a.SubMchID) || len(a.Attempts) != 2 || a.ApplicationID == "" {
		t.Errorf("active on Alipay: %+v", a)
	}
	return activeMerchant(t, h, channels.Alipay, merchantID, a.SubMchID)
}

// activeAppliesAgain: an application for a merchant active on a channel it names is a conflict, and starts
// nothing on any channel.
func activeAppliesAgain(t *testing.T, h *harness, merchantID string) {
	again := application("AGAIN"+strings.ToUpper(testenv.RandomID()), merchantID)
	again.Channels = []string{channels.Alipay, channels.WeChatPay}
	var apiErr *api.Error
	if err := h.api.Do(t.Context(), http.MethodPost, "/v1/onboardings", "", again, nil); !errors.As(err, &apiErr) ||
		apiErr.Status != http.StatusConflict {
		t.Errorf("an active merchant applied again: %v", err)
	}
	err := h.api.Do(t.Context(), http.MethodGet, "/v1/onboardings/"+again.OutRequestNo, "", nil, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("the refused application started something: %v", err)
	}
}

func activeMerchant(t *testing.T, h *harness, channel, merchantID, sub string) ledger.Merchant {
	m, err := h.s.Ledger.GetMerchant(t.Context(), channel, merchantID)
	if err != nil || m.Status != ledger.MerchantActive || m.SubMchID != sub {
		t.Fatalf("merchant on %s: %+v %v", channel, m, err)
	}
	return m
}

// sellAsNewMerchant has the new merchant sell: 100 yuan shared to the platform and a distributor, 85 settled.
func sellAsNewMerchant(t *testing.T, h *harness, m ledger.Merchant) {
	merchantID := m.ID
	order := h.orderNo(1)
	h.create(
		starter.CreateOrderRequest{
			OrderNo: order,
			SubOrders: []cart.SubOrderRequest{{MerchantID: merchantID, Description: "Hill tea",
				Amount: 10000, Commissions: []cart.CommissionRequest{
					{ReceiverID: "platform", Rate: "0.05"}, {ReceiverID: "d1", Rate: "0.10"},
				}}},
		},
	)
	if err := h.s.Sim.Pay(order); err != nil {
		t.Fatal(err)
	}
	h.waitFor(order, 30*time.Second, "completed", completed)
	if got := h.s.Sim.Balance(m.SubMchID).Available; got != 8500 {
		t.Fatalf("the new shop settled %d fen, want 8500", got)
	}
}

// sellOnAlipayAsNewMerchant: the same sale on Alipay, under the smid its onboarding answered.
func sellOnAlipayAsNewMerchant(t *testing.T, h *harness, m ledger.Merchant) {
	req := h.aliCart(h.orderNo(2))
	req.SubOrders = req.SubOrders[:1]
	req.SubOrders[0].MerchantID, req.SubOrders[0].Amount = m.ID, 10000
	req.SubOrders[0].Commissions = req.SubOrders[0].Commissions[:2]
	h.aliPaid(req)
	h.waitFor(req.OrderNo, 60*time.Second, "completed", completed)
	bals, _ := h.s.Ledger.MerchantBalances(t.Context(), channels.Alipay, m.ID)
	if got := h.s.AliSim.MerchantBalance(m.SubMchID); got.Available != 8500 || bals[ledger.BucketAvailable] != 8500 {
		t.Fatalf("the new shop settled %+v on Alipay (ledger %v), want 85.00 available", got, bals)
	}
}

// withdrawPartOfTheSettlement withdraws 60 of the 85 yuan; more than the merchant has is refused with nothing
// moved.
func withdrawPartOfTheSettlement(t *testing.T, h *harness, m ledger.Merchant) {
	ctx, merchantID := t.Context(), m.ID
	var bal registry.Balance
	if err := h.api.Do(ctx, http.MethodGet, "/v1/merchants/"+merchantID+"/balance", "", nil, &bal); err != nil ||
		bal.Available != 8500 ||
		bal.LedgerAvailable != 8500 {
		t.Fatalf("balance %+v %v", bal, err)
	}
	var w api.WithdrawalView
	h.post(
		"/v1/merchants/"+merchantID+"/withdrawals",
		starter.WithdrawalRequest{OutRequestNo: "WTOOMUCH1", Amount: 9000},
		&w,
	)
	h.withdrawal(
		merchantID,
		"WTOOMUCH1",
		func(w api.WithdrawalView) bool { return w.Status == workflows.WithdrawalRefused },
	)
	h.post(
		"/v1/merchants/"+merchantID+"/withdrawals",
		starter.WithdrawalRequest{OutRequestNo: "WD0001", Amount: 6000, Remark: "weekly"},
		&w,
	)
	h.withdrawal(
		merchantID,
		"WD0001",
		func(w api.WithdrawalView) bool { return w.ChannelState == channels.WithdrawCreated },
	)
	if err := h.s.Sim.SettleWithdrawal(m.SubMchID, "WD0001", channels.WithdrawSuccess); err != nil {
		t.Fatal(err)
	}
	w = h.withdrawal(merchantID, "WD0001", func(w api.WithdrawalView) bool {
		return w.Status == workflows.WithdrawalSucceeded && w.WaitingFor == ""
	})
	bals, _ := h.s.Ledger.MerchantBalances(ctx, channels.WeChatPay, merchantID)
	if bals[ledger.BucketAvailable] != 2500 || bals[ledger.BucketWithdrawn] != 6000 ||
		h.s.Sim.Balance(m.SubMchID).Available != 2500 {
		t.Errorf("after the withdrawal: ledger %v, channel %+v", bals, h.s.Sim.Balance(m.SubMchID))
	}
	if diffs, trial, err := h.s.Ledger.Check(ctx); err != nil || len(diffs) > 0 || trial != 0 {
		t.Errorf("ledger check: %v %s %v", diffs, trial, err)
	}

}

// noPersonalDataLeaks: the onboarding's raw history (read without the codec), the stack's logs, the merchants
// table and the audit trail hold none of the legal person's ID number, bank account, phone or name. It answers the raw history.
func noPersonalDataLeaks(t *testing.T, h *harness, workflowID string) *historypb.History {
	ctx := t.Context()
	hist := history(t, testenv.PlainTemporalClient(t), workflowID)
	raw := readable(t, hist)
	logs := h.logs.String()
	for _, secret := range []string{legalIDNumber, bankNumber, mobile, email, aliLogon, "李四"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the raw history of the onboarding holds %q", secret)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the stack's logs hold %q", secret)
		}
	}
	// Each table as text; the stored API answers are bytea, so they are read as the text they hold (as hex, no
	// plaintext could ever match).
	for table, rows := range map[string]string{"merchants": "t::text", "inbox": "t::text", "accounts": "t::text",
		"idempotency_keys": "t::text || convert_from(t.body, 'UTF8')", "audit_log": "t::text"} {
		var dump string
		if err := h.s.API.DB.QueryRow(ctx, `SELECT coalesce(string_agg(`+rows+`, ' '), '') FROM `+table+` t`).
			Scan(&dump); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{legalIDNumber, bankNumber, mobile, email, aliLogon} {
			if strings.Contains(dump, secret) {
				t.Errorf("the %s table holds %q", table, secret)
			}
		}
		if table == "idempotency_keys" && !strings.Contains(dump, "**************002X") {
			t.Error("the stored API answers were not read: they hold the masked application")
		}
		if table == "audit_log" && !strings.Contains(dump, "POST /v1/onboardings") {
			t.Error("the audit trail lacks the onboarding")
		}
	}
	if len(raw) < 1000 || len(logs) == 0 {
		t.Errorf("nothing checked: history %d bytes, logs %d bytes", len(raw), len(logs))
	}
	return hist
}

// codecOpensForKeyHolders: ops holding an API key can open the sealed payloads through the codec endpoint (the
// Temporal UI's and CLI's --codec-endpoint); without a key they cannot.
func codecOpensForKeyHolders(t *testing.T, h *harness, hist *historypb.History) {
	started := hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	body, _ := protojson.Marshal(started)
	if resp, _ := rawPost(t, h.s.APIURL+"/codec/decode", "", "", string(body)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("codec without a key: %d", resp.StatusCode)
	}
	resp, opened := rawPost(t, h.s.APIURL+"/codec/decode", h.s.APIKey, "", string(body))
	var out struct{ Payloads []struct{ Data []byte } }
	if err := json.Unmarshal([]byte(opened), &out); resp.StatusCode != http.StatusOK || err != nil ||
		len(out.Payloads) != 1 ||
		!strings.Contains(string(out.Payloads[0].Data), legalIDNumber) {
		t.Errorf("codec with a key: %d %v %.200s", resp.StatusCode, err, opened)
	}
}

func (h *harness) withdrawal(merchantID, no string, cond func(api.WithdrawalView) bool) api.WithdrawalView {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var w api.WithdrawalView
		err := h.api.Do(h.t.Context(), http.MethodGet, "/v1/merchants/"+merchantID+"/withdrawals/"+no, "", nil, &w)
		if err == nil && cond(w) {
			return w
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("withdrawal %s: last %+v %v", no, w, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readable is a history as someone with Temporal access but no payload keys reads it: its JSON, plus every
// base64 string in it decoded, so plaintext could not hide in payload data.
func readable(t *testing.T, hist *historypb.History) string {
	t.Helper()
	b, err := protojson.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	var anything any
	_ = json.Unmarshal(b, &anything)
	return string(b) + " " + decodedStrings(anything)
}

// decodedStrings is every base64 string inside v, decoded, joined.
func decodedStrings(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if d, err := base64.StdEncoding.DecodeString(x); err == nil {
				b.Write(d)
				b.WriteByte(' ')
			}
		}
	}
	walk(v)
	return b.String()
}
