package wechatpay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// A sub-merchant's settlement account, read masked, changed through the audited API (the number sent encrypted),
// in force once the audit passes; bad changes are refused naming the field, a second change waits for the
// first, and one no sub-merchant of ours is NO_AUTH.
func TestSettlementAccountChanges(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, channels.WeChatLimits())
	before, err := e.wx.SettlementAccount(ctx, shopA)
	if err != nil || before.NumberMasked == "" || !strings.Contains(before.NumberMasked, "*") {
		t.Fatalf("the account: %+v %v", before, err)
	}
	change := wechatpay.SettlementChange{AccountType: wire.AccountTypeBusiness, Bank: "招商银行",
		Number: "6214830000001234", Name: "某某商行"}
	bad := change
	bad.Number = "12ab"
	_, err = e.wx.ModifySettlementAccount(ctx, shopA, bad)
	wantCode(t, err, wire.CodeParamError, false)
	no, err := e.wx.ModifySettlementAccount(ctx, shopA, change)
	if err != nil || no == "" {
		t.Fatalf("modify: %q %v", no, err)
	}
	_, err = e.wx.ModifySettlementAccount(ctx, shopA, change)
	wantCode(t, err, wire.CodeInvalidRequest, false) // one change under audit at a time
	if app, err := e.wx.SettlementApplication(ctx, shopA, no); err != nil || app.VerifyResult != wire.Auditing {
		t.Fatalf("under audit: %+v %v", app, err)
	}
	if now, _ := e.wx.SettlementAccount(ctx, shopA); now.NumberMasked != before.NumberMasked {
		t.Errorf("the account changed before its audit passed: %+v", now)
	}
	e.sim.Advance(2 * time.Minute)
	app, err := e.wx.SettlementApplication(ctx, shopA, no)
	if err != nil || app.VerifyResult != wire.AuditSuccess || app.AccountNumber != "621483******1234" {
		t.Fatalf("after the audit: %+v %v", app, err)
	}
	if now, _ := e.wx.SettlementAccount(ctx, shopA); now.NumberMasked != "621483******1234" {
		t.Errorf("the account in force: %+v", now)
	}
	_, err = e.wx.SettlementAccount(ctx, "1999999999")
	wantCode(t, err, "NO_AUTH", false)
}
