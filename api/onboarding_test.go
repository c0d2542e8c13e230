package api

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/splitpay/splitpay/registry"
)

// A request holding personal data that reaches a log shows it masked: the types implement slog.LogValuer, so
// slog asks them, whatever the handler.
func TestPersonalDataInRequestsIsMaskedInLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	onboarding := OnboardingRequest{OutRequestNo: "OB20261130", MerchantID: "m1",
		LegalPerson: IDCardRequest{Name: "李四", Number: "11010519491231002X"},
		Contact:     ContactRequest{Name: "李四", Mobile: "13800138000"}}
	receiver := registry.ReceiverRequest{ID: "d1", Type: "PERSONAL_OPENID", Account: "o-1", Name: "王小明",
		Relation: "DISTRIBUTOR"}
	log.Info("request", "onboarding", onboarding, "receiver", receiver)
	out := buf.String()
	for _, secret := range []string{"李四", "11010519491231002X", "13800138000", "王小明"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q: %s", secret, out)
		}
	}
	for _, kept := range []string{"OB20261130", "8000", "o-1"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lost %q, which identifies the request without exposing anyone: %s", kept, out)
		}
	}
}
