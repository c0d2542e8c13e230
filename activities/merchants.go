package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/webhooks"
	"github.com/splitpay/splitpay/workflows"
)

// SubmitApplyment submits (or, after a rejection, resubmits) a shop's application; the adapter encrypts the
// personal fields with the channel's public key. The same out request number is the same application.
func (a *Activities) SubmitApplyment(
	ctx context.Context,
	in workflows.SubmitApplymentInput,
) (workflows.ApplymentSubmitted, error) {
	ap := applyment(in.Application)
	return withCapability(a, in.Channel, "onboarding", func(ch channels.Onboarding) (workflows.ApplymentSubmitted, error) {
		id, err := ch.SubmitApplyment(ctx, ap)
		return workflows.ApplymentSubmitted{ApplymentID: id}, err
	})
}

// applyment is the channel's form of an application.
func applyment(app workflows.Application) channels.Applyment {
	p, c := app.LegalPerson, app.Contact
	ap := channels.Applyment{
		OutRequestNo: app.OutRequestNo, OrganizationType: app.OrganizationType,
		IDCardCopy: p.CopyMediaID, IDCardNational: p.NationalMediaID, IDCardName: p.Name, IDCardNumber: p.Number,
		IDCardValidTimeBegin: p.ValidFrom, IDCardValidTime: p.ValidUntil,
		BankAccountType: app.BankAccount.Type, AccountBank: app.BankAccount.Bank, AccountName: app.BankAccount.Name,
		BankAddressCode: app.BankAccount.AddressCode, AccountNumber: app.BankAccount.Number,
		ContactType: c.Type, ContactName: c.Name, ContactIDNumber: c.IDNumber, MobilePhone: c.Mobile, ContactEmail: c.Email,
		StoreName: app.Store.Name, StoreURL: app.Store.URL, MerchantShortname: app.ShortName,
	}
	if l := app.BusinessLicense; l != nil {
		ap.BusinessLicenseCopy, ap.BusinessLicenseNumber = l.CopyMediaID, l.Number
		ap.MerchantName, ap.LegalPerson = l.MerchantName, l.LegalPerson
	}
	if a := app.Alipay; a != nil {
		ap.MCC, ap.SettleLogonID, ap.BindingLogonID, ap.ServicePhone = a.MCC, a.SettleLogonID, a.BindingLogonID,
			a.ServicePhone
		ap.CertImage, ap.LegalCertFrontImage, ap.LegalCertBackImage = a.CertImage, a.LegalCertFrontImage,
			a.LegalCertBackImage
	}
	return ap
}

// QueryApplyment reads an application's state.
func (a *Activities) QueryApplyment(
	ctx context.Context,
	in workflows.QueryApplymentInput,
) (workflows.ApplymentStatus, error) {
	out, err := withCapability(a, in.Channel, "onboarding", func(ch channels.Onboarding) (workflows.ApplymentStatus, error) {
		st, err := ch.QueryApplyment(ctx, in.OutRequestNo)
		return applymentStatus(st), err
	})
	if err == nil && out.State != "" {
		err = forTemporal(a.publish(ctx, onboardingEvent(in, out)))
	}
	return out, err
}

// onboardingEvent tells the shop's backend its application's state (one event per state and application id, so
// polling publishes each change once): what to do next, and which fields were rejected — not their values.
func onboardingEvent(in workflows.QueryApplymentInput, st workflows.ApplymentStatus) webhooks.Event {
	fields := []string{}
	for _, r := range st.Rejections {
		fields = append(fields, r.Field)
	}
	return webhooks.Event{ID: fmt.Sprintf("%s:%s:%s:%v:%s", webhooks.OnboardingChanged, in.Channel, in.OutRequestNo,
		st.ApplymentID, st.State), Type: webhooks.OnboardingChanged, Subject: in.OutRequestNo,
		Data: map[string]any{"channel": in.Channel, "out_request_no": in.OutRequestNo, "state": st.State,
			"sub_mchid": st.SubMchID, "sign_url": st.SignURL, "rejected_fields": fields}}
}

func applymentStatus(st channels.ApplymentState) workflows.ApplymentStatus {
	out := workflows.ApplymentStatus{
		ApplymentID:        st.ApplymentID,
		State:              st.State,
		StateDesc:          st.StateDesc,
		SignURL:            st.SignURL,
		SubMchID:           st.SubMchID,
		LegalValidationURL: st.LegalValidationURL,
		AccountValidation:  st.AccountValidation,
		Rejections:         st.AuditDetail,
	}
	return out
}

// ActivateMerchant stores the sub_mchid, marks the merchant active (it may sell from now on) and opens its
// ledger accounts.
func (a *Activities) ActivateMerchant(ctx context.Context, in workflows.ActivateMerchantInput) (workflows.Done, error) {
	if err := a.Ledger.UpsertMerchant(ctx, ledger.Merchant{ID: in.MerchantID, Channel: in.Channel, SubMchID: in.SubMchID,
		Status: ledger.MerchantActive, DisplayName: in.DisplayName}); err != nil {
		return workflows.Done{}, forTemporal(err)
	}
	return workflows.Done{}, forTemporal(a.Ledger.OpenMerchantAccounts(ctx, in.Channel, in.MerchantID))
}

func withdrawal(in workflows.WithdrawInput) ledger.Withdrawal {
	return ledger.Withdrawal{
		Channel:      in.Channel,
		MerchantID:   in.MerchantID,
		OutRequestNo: in.OutRequestNo,
		Amount:       in.Amount,
	}
}

// ReserveWithdrawal moves the amount from available to in flight; more than available is LedgerRejected.Overdraw.
func (a *Activities) ReserveWithdrawal(ctx context.Context, in workflows.WithdrawInput) (workflows.Done, error) {
	_, err := a.Ledger.WithdrawalRequested(ctx, withdrawal(in))
	return workflows.Done{}, forTemporal(err)
}

// Withdraw asks the channel, always with the identical request for an out request number.
func (a *Activities) Withdraw(ctx context.Context, in workflows.WithdrawInput) (workflows.WithdrawStatus, error) {
	return withCapability(a, in.Channel, "withdrawals", func(ch channels.Funds) (workflows.WithdrawStatus, error) {
		st, err := ch.Withdraw(ctx, channels.WithdrawRequest{SubMchID: in.SubMchID, OutRequestNo: in.OutRequestNo,
			Amount: in.Amount, Remark: in.Remark})
		return withdrawStatus(st), err
	})
}

func withdrawStatus(st channels.WithdrawState) workflows.WithdrawStatus {
	return workflows.WithdrawStatus{WithdrawID: st.WithdrawID, Status: st.Status, Reason: st.Reason}
}

// QueryWithdraw reads the withdrawal's state.
func (a *Activities) QueryWithdraw(ctx context.Context, in workflows.WithdrawInput) (workflows.WithdrawStatus, error) {
	return withCapability(a, in.Channel, "withdrawals", func(ch channels.Funds) (workflows.WithdrawStatus, error) {
		st, err := ch.QueryWithdraw(ctx, in.SubMchID, in.OutRequestNo)
		return withdrawStatus(st), err
	})
}

// PostWithdrawResult books the outcome, once per withdrawal and outcome.
func (a *Activities) PostWithdrawResult(ctx context.Context, in workflows.WithdrawInput) (workflows.Done, error) {
	var err error
	switch in.Status {
	case workflows.WithdrawalSucceeded:
		_, err = a.Ledger.WithdrawalSucceeded(ctx, withdrawal(in))
	case workflows.WithdrawalFailed, workflows.WithdrawalClosed:
		_, err = a.Ledger.WithdrawalFailed(ctx, withdrawal(in))
	case workflows.WithdrawalBounced:
		_, err = a.Ledger.WithdrawalBounced(ctx, withdrawal(in))
	default:
		err = temporal.NewNonRetryableApplicationError(
			"no posting for withdrawal status "+in.Status,
			workflows.ErrTypeInvalidArgument,
			errors.New(in.Status),
		)
	}
	if err == nil {
		err = a.publish(ctx, webhooks.Event{ID: webhooks.WithdrawalFinished + ":" + in.MerchantID + ":" +
			in.OutRequestNo + ":" + in.Status, Type: webhooks.WithdrawalFinished, Subject: in.MerchantID,
			Data: map[string]any{"merchant_id": in.MerchantID, "out_request_no": in.OutRequestNo,
				"channel": in.Channel, "status": in.Status, "amount": int64(in.Amount)}})
	}
	return workflows.Done{}, forTemporal(err)
}
