package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/ledger"
	"github.com/splitpay/splitpay/workflows"
)

// SubmitApplyment submits (or, after a rejection, resubmits) a shop's application; the adapter encrypts the
// personal fields with the channel's public key. The same out request number is the same application.
func (a *Activities) SubmitApplyment(ctx context.Context, in workflows.SubmitApplymentInput) (int64, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return 0, err
	}
	app := in.Application
	ap := channels.Applyment{OutRequestNo: app.OutRequestNo, OrganizationType: app.OrganizationType,
		IDCardCopy: app.LegalPerson.CopyMediaID, IDCardNational: app.LegalPerson.NationalMediaID, IDCardName: app.LegalPerson.Name,
		IDCardNumber: app.LegalPerson.Number, IDCardValidTimeBegin: app.LegalPerson.ValidFrom, IDCardValidTime: app.LegalPerson.ValidUntil,
		BankAccountType: app.BankAccount.Type, AccountBank: app.BankAccount.Bank, AccountName: app.BankAccount.Name,
		BankAddressCode: app.BankAccount.AddressCode, AccountNumber: app.BankAccount.Number,
		ContactType: app.Contact.Type, ContactName: app.Contact.Name, ContactIDNumber: app.Contact.IDNumber, MobilePhone: app.Contact.Mobile,
		ContactEmail: app.Contact.Email, StoreName: app.Store.Name, StoreURL: app.Store.URL, MerchantShortname: app.ShortName}
	if l := app.BusinessLicense; l != nil {
		ap.BusinessLicenseCopy, ap.BusinessLicenseNumber, ap.MerchantName, ap.LegalPerson = l.CopyMediaID, l.Number, l.MerchantName, l.LegalPerson
	}
	id, err := ch.SubmitApplyment(ctx, ap)
	return id, forTemporal(err)
}

// QueryApplyment reads an application's state.
func (a *Activities) QueryApplyment(ctx context.Context, in workflows.QueryApplymentInput) (workflows.ApplymentStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.ApplymentStatus{}, err
	}
	st, err := ch.QueryApplyment(ctx, in.OutRequestNo)
	if err != nil {
		return workflows.ApplymentStatus{}, forTemporal(err)
	}
	out := workflows.ApplymentStatus{ApplymentID: st.ApplymentID, State: st.State, StateDesc: st.StateDesc, SignURL: st.SignURL,
		SubMchID: st.SubMchID, LegalValidationURL: st.LegalValidationURL}
	if v := st.AccountValidation; v != nil {
		out.AccountValidation = &workflows.AccountValidation{AccountName: v.AccountName, AccountNo: v.AccountNo, PayAmount: v.PayAmount,
			DestinationAccountNumber: v.DestinationAccountNumber, DestinationAccountName: v.DestinationAccountName,
			DestinationAccountBank: v.DestinationAccountBank, City: v.City, Remark: v.Remark, Deadline: v.Deadline}
	}
	for _, r := range st.AuditDetail {
		out.Rejections = append(out.Rejections, workflows.FieldRejection{Field: r.ParamName, Reason: r.RejectReason})
	}
	return out, nil
}

// ActivateMerchant stores the sub_mchid, marks the merchant active (it may sell from now on) and opens its
// ledger accounts.
func (a *Activities) ActivateMerchant(ctx context.Context, in workflows.ActivateMerchantInput) error {
	if err := a.Ledger.UpsertMerchant(ctx, ledger.Merchant{ID: in.MerchantID, Channel: in.Channel, SubMchID: in.SubMchID,
		Status: ledger.MerchantActive, DisplayName: in.DisplayName}); err != nil {
		return forTemporal(err)
	}
	return forTemporal(a.Ledger.OpenMerchantAccounts(ctx, in.MerchantID))
}

func withdrawal(in workflows.WithdrawInput) ledger.Withdrawal {
	return ledger.Withdrawal{Channel: in.Channel, MerchantID: in.MerchantID, OutRequestNo: in.OutRequestNo, Amount: in.Amount}
}

// ReserveWithdrawal moves the amount from available to in flight; more than available is LedgerRejected.Overdraw.
func (a *Activities) ReserveWithdrawal(ctx context.Context, in workflows.WithdrawInput) error {
	_, err := a.Ledger.WithdrawalRequested(ctx, withdrawal(in))
	return forTemporal(err)
}

// Withdraw asks the channel, always with the identical request for an out request number.
func (a *Activities) Withdraw(ctx context.Context, in workflows.WithdrawInput) (workflows.WithdrawStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.WithdrawStatus{}, err
	}
	st, err := ch.Withdraw(ctx, channels.WithdrawRequest{SubMchID: in.SubMchID, OutRequestNo: in.OutRequestNo, Amount: in.Amount,
		Remark: in.Remark})
	if err != nil {
		return workflows.WithdrawStatus{}, forTemporal(err)
	}
	return workflows.WithdrawStatus{WithdrawID: st.WithdrawID, Status: st.Status, Reason: st.Reason}, nil
}

// QueryWithdraw reads the withdrawal's state.
func (a *Activities) QueryWithdraw(ctx context.Context, in workflows.WithdrawInput) (workflows.WithdrawStatus, error) {
	ch, err := a.channel(in.Channel)
	if err != nil {
		return workflows.WithdrawStatus{}, err
	}
	st, err := ch.QueryWithdraw(ctx, in.SubMchID, in.OutRequestNo)
	if err != nil {
		return workflows.WithdrawStatus{}, forTemporal(err)
	}
	return workflows.WithdrawStatus{WithdrawID: st.WithdrawID, Status: st.Status, Reason: st.Reason}, nil
}

// PostWithdrawResult books the outcome, once per withdrawal and outcome.
func (a *Activities) PostWithdrawResult(ctx context.Context, in workflows.WithdrawInput) error {
	var err error
	switch in.Status {
	case workflows.WithdrawalSucceeded:
		_, err = a.Ledger.WithdrawalSucceeded(ctx, withdrawal(in))
	case workflows.WithdrawalFailed, workflows.WithdrawalClosed:
		_, err = a.Ledger.WithdrawalFailed(ctx, withdrawal(in))
	case workflows.WithdrawalBounced:
		_, err = a.Ledger.WithdrawalBounced(ctx, withdrawal(in))
	default:
		err = temporal.NewNonRetryableApplicationError("no posting for withdrawal status "+in.Status, "InvalidArgument", errors.New(in.Status))
	}
	return forTemporal(err)
}
