package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/cart"
	"github.com/splitpay/splitpay/channels"
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
)

func application(no, merchantID string) workflows.Application {
	return workflows.Application{
		OutRequestNo:     no,
		MerchantID:       merchantID,
		DisplayName:      "Hill Tea",
		OrganizationType: workflows.OrgIndividual,
		LegalPerson: workflows.IDCard{
			CopyMediaID:     "media-front",
			NationalMediaID: "media-back",
			Name:            "李四",
			Number:          legalIDNumber,
			ValidFrom:       "2020-01-01",
			ValidUntil:      "2040-01-01",
		},
		BankAccount: workflows.BankAccount{
			Type:        workflows.AccountPerson,
			Bank:        "工商银行",
			Name:        "李四",
			Number:      bankNumber,
			AddressCode: "110000",
		},
		Contact: workflows.Contact{
			Type:   workflows.ContactLegal,
			Name:   "李四",
			Mobile: mobile,
			Email:  "lisi@example.com",
		},
		Store:     workflows.Store{Name: "Hill Tea"},
		ShortName: "Hill Tea",
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

// A shop onboards through the API — checked, rejected, corrected, account verified, signed — and sells in the
// next order; then withdraws part of what it settled, which leaves available for withdrawn in the ledger and at
// the channel alike. The onboarding's raw history (read without the codec) and the stack's logs hold none of
// the legal person's ID number, bank account or phone.
func TestOnboardedMerchantSellsAndWithdraws(t *testing.T) {
	h := start(t, fastSettings)
	no := "ON" + strings.ToUpper(testenv.RandomID())
	merchantID := "m-" + strings.ToLower(no)
	m := onboardThroughARejection(t, h, no, merchantID)
	sellAsNewMerchant(t, h, m)
	withdrawPartOfTheSettlement(t, h, m)
	hist := noPersonalDataLeaks(t, h, no)
	codecOpensForKeyHolders(t, h, hist)
	h.saveHistories(
		"merchant",
		workflows.OnboardingWorkflowID(no),
		workflows.WithdrawalWorkflowID(merchantID, "WD0001"),
	)
}

// onboardingIs is the condition that an onboarding has a status.
func onboardingIs(status string) func(api.OnboardingView) bool {
	return func(v api.OnboardingView) bool { return v.Status == status }
}

// onboardThroughARejection onboards a shop through the API: bad input refused naming the field, then checked,
// asked to verify its account, rejected, corrected, verified, signed, active.
func onboardThroughARejection(t *testing.T, h *harness, no, merchantID string) ledger.Merchant {
	bad := application(no, merchantID) // bad input names the field and starts nothing
	bad.LegalPerson.Number = "110105194912310021"
	var apiErr *api.Error
	err := h.api.Do(t.Context(), http.MethodPost, "/v1/onboardings", "", bad, nil)
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Field != "legal_person.number" {
		t.Fatalf("bad ID number: %v", err)
	}
	var v api.OnboardingView
	h.post("/v1/onboardings", application(no, merchantID), &v)
	if v.Status != workflows.OnboardingSubmitting || v.Application.LegalPerson.Number != "**************002X" {
		t.Fatalf("accepted: %+v", v)
	}
	checking := func(v api.OnboardingView) bool { return v.ChannelState == channels.ApplymentChecking }
	h.onboarding(no, 20*time.Second, "reviewing", checking)
	h.s.Sim.Advance(2 * time.Minute)
	v = h.onboarding(no, 20*time.Second, "asking to verify the account", onboardingIs(workflows.OnboardingAccountVerify))
	if v.AccountValidation == nil || v.AccountValidation.PayAmount <= 0 || v.WaitingFor != "shop:account-verification" {
		t.Errorf("account verification: %+v", v.AccountValidation)
	}
	if err := h.s.Sim.RejectApplyment(no, "id_card_info.id_card_copy", "照片模糊"); err != nil {
		t.Fatal(err)
	}
	v = h.onboarding(no, 20*time.Second, "rejected", onboardingIs(workflows.OnboardingRejected))
	if len(v.Rejections) != 1 || v.Rejections[0].Field != "id_card_info.id_card_copy" {
		t.Errorf("rejections %+v", v.Rejections)
	}
	fixed := application(no, merchantID)
	fixed.LegalPerson.CopyMediaID = "media-front-clear"
	h.post("/v1/onboardings/"+no+"/corrections", fixed, nil)
	h.onboarding(no, 20*time.Second, "resubmitted", func(v api.OnboardingView) bool { return len(v.Attempts) == 2 && checking(v) })
	h.s.Sim.Advance(2 * time.Minute)
	h.onboarding(no, 20*time.Second, "asking to verify again", onboardingIs(workflows.OnboardingAccountVerify))
	if err := h.s.Sim.VerifyApplymentAccount(no); err != nil {
		t.Fatal(err)
	}
	h.s.Sim.Advance(2 * time.Minute)
	v = h.onboarding(no, 20*time.Second, "asking to sign", onboardingIs(workflows.OnboardingNeedSign))
	if v.SignURL == "" {
		t.Errorf("no sign url: %+v", v)
	}
	if err := h.s.Sim.SignApplyment(no); err != nil {
		t.Fatal(err)
	}
	v = h.onboarding(no, 20*time.Second, "active", onboardingIs(workflows.OnboardingActive))
	if v.SubMchID == "" || len(v.Attempts) != 2 || v.Attempts[0].Outcome != workflows.OnboardingRejected {
		t.Errorf("active: %+v", v)
	}
	m, err := h.s.Ledger.GetMerchant(t.Context(), channels.WeChatPay, merchantID)
	if err != nil || m.Status != ledger.MerchantActive || m.SubMchID != v.SubMchID {
		t.Fatalf("merchant %+v %v", m, err)
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

// noPersonalDataLeaks: the onboarding's raw history (read without the codec), the stack's logs and the merchants
// table hold none of the legal person's ID number, bank account, phone or name. It answers the raw history.
func noPersonalDataLeaks(t *testing.T, h *harness, no string) *historypb.History {
	ctx := t.Context()
	hist := history(t, testenv.PlainTemporalClient(t), workflows.OnboardingWorkflowID(no))
	raw := readable(t, hist)
	logs := h.logs.String()
	for _, secret := range []string{legalIDNumber, bankNumber, mobile, "李四"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the raw history of the onboarding holds %q", secret)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the stack's logs hold %q", secret)
		}
	}
	var dump string
	if err := h.s.API.DB.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, ' '), '') FROM (SELECT * FROM merchants) t`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, legalIDNumber) || strings.Contains(dump, bankNumber) || strings.Contains(dump, mobile) {
		t.Error("the merchants table holds personal data")
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
