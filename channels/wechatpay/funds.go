package wechatpay

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

var (
	_ channels.Funds      = (*Client)(nil)
	_ channels.Onboarding = (*Client)(nil)
)

// Balance is a sub-merchant's basic account: available (withdrawable) and pending (frozen).
func (c *Client) Balance(ctx context.Context, subMchID string) (channels.Balance, error) {
	var b wire.BalanceResponse
	query := url.Values{"account_type": {"BASIC"}}
	if err := c.do(ctx, http.MethodGet, wire.PathBalance+url.PathEscape(subMchID), query, nil, &b); err != nil {
		return channels.Balance{}, err
	}
	return channels.Balance{
		SubMchID:  b.SubMchID,
		Available: money.Amount(b.AvailableAmount),
		Pending:   money.Amount(b.PendingAmount),
	}, nil
}

// Withdraw asks for a withdrawal; the channel de-duplicates sub_mchid + out_request_no for six days.
func (c *Client) Withdraw(ctx context.Context, r channels.WithdrawRequest) (channels.WithdrawState, error) {
	if r.Amount <= 0 {
		return channels.WithdrawState{}, invalid("amount", "must be positive")
	}
	req := wire.WithdrawRequest{
		SubMchID:     r.SubMchID,
		OutRequestNo: r.OutRequestNo,
		Amount:       r.Amount.Fen(),
		Remark:       r.Remark,
		BankMemo:     r.BankMemo,
	}
	var st wire.WithdrawState
	if err := c.do(ctx, http.MethodPost, wire.PathWithdraw, nil, &req, &st); err != nil {
		return channels.WithdrawState{}, err
	}
	return withdrawState(st, r.Amount), nil
}

// QueryWithdraw tracks a withdrawal by our out_request_no.
func (c *Client) QueryWithdraw(ctx context.Context, subMchID, outRequestNo string) (channels.WithdrawState, error) {
	var st wire.WithdrawState
	path := wire.PathWithdrawByOutNo + url.PathEscape(outRequestNo)
	if err := c.do(ctx, http.MethodGet, path, url.Values{"sub_mchid": {subMchID}}, nil, &st); err != nil {
		return channels.WithdrawState{}, err
	}
	return withdrawState(st, money.Amount(st.Amount)), nil
}

func withdrawState(st wire.WithdrawState, amount money.Amount) channels.WithdrawState {
	status := st.Status
	if status == "" {
		status = channels.WithdrawCreated // the create answer carries no status: accepted
	}
	return channels.WithdrawState{SubMchID: st.SubMchID, WithdrawID: st.WithdrawID, OutRequestNo: st.OutRequestNo,
		Status: status, Amount: amount, Reason: st.Reason}
}

// SubmitApplyment submits a shop's application; personal fields are encrypted with the channel's public key.
func (c *Client) SubmitApplyment(ctx context.Context, a channels.Applyment) (channels.ApplicationID, error) {
	req := wire.ApplymentRequest{
		OutRequestNo: a.OutRequestNo, OrganizationType: a.OrganizationType,
		IDDocType: "IDENTIFICATION_TYPE_MAINLAND_IDCARD",
		IDCardInfo: &wire.IDCardInfo{
			IDCardCopy:           a.IDCardCopy,
			IDCardNational:       a.IDCardNational,
			IDCardName:           a.IDCardName,
			IDCardNumber:         a.IDCardNumber,
			IDCardValidTimeBegin: a.IDCardValidTimeBegin,
			IDCardValidTime:      a.IDCardValidTime,
		},
		AccountInfo: &wire.AccountInfo{
			BankAccountType: a.BankAccountType,
			AccountBank:     a.AccountBank,
			AccountName:     a.AccountName,
			BankAddressCode: a.BankAddressCode,
			AccountNumber:   a.AccountNumber,
		},
		ContactInfo: &wire.ContactInfo{
			ContactType:         a.ContactType,
			ContactName:         a.ContactName,
			ContactIDCardNumber: a.ContactIDNumber,
			MobilePhone:         a.MobilePhone,
			ContactEmail:        a.ContactEmail,
		},
		SalesSceneInfo:    &wire.SalesSceneInfo{StoreName: a.StoreName, StoreURL: a.StoreURL},
		MerchantShortname: a.MerchantShortname,
	}
	if a.BusinessLicenseNumber != "" {
		req.BusinessLicenseInfo = &wire.BusinessLicenseInfo{BusinessLicenseCopy: a.BusinessLicenseCopy,
			BusinessLicenseNumber: a.BusinessLicenseNumber, MerchantName: a.MerchantName, LegalPerson: a.LegalPerson}
	}
	var resp wire.ApplymentResponse
	if err := c.do(ctx, http.MethodPost, wire.PathApplyments, nil, &req, &resp); err != nil {
		return "", err
	}
	return applicationID(resp.ApplymentID), nil
}

// applicationID is an applyment_id in the neutral form (its decimal digits).
func applicationID(id int64) channels.ApplicationID {
	if id == 0 {
		return ""
	}
	return channels.ApplicationID(strconv.FormatInt(id, 10))
}

// QueryApplyment returns an application's state; onboarding has no notification, so callers poll this.
func (c *Client) QueryApplyment(ctx context.Context, outRequestNo string) (channels.ApplymentState, error) {
	var st wire.ApplymentState
	if err := c.do(ctx, http.MethodGet, wire.PathApplymentByOut+url.PathEscape(outRequestNo), nil, nil, &st); err != nil {
		return channels.ApplymentState{}, err
	}
	out := channels.ApplymentState{ApplymentID: applicationID(st.ApplymentID), OutRequestNo: st.OutRequestNo, State: st.ApplymentState,
		StateDesc: st.ApplymentStateDesc, SignState: st.SignState, SignURL: st.SignURL, SubMchID: st.SubMchID,
		LegalValidationURL: st.LegalValidationURL}
	if v := st.AccountValidation; v != nil {
		out.AccountValidation = &channels.AccountValidation{AccountName: v.AccountName, AccountNo: v.AccountNo,
			PayAmount: money.Amount(v.PayAmount), DestinationAccountNumber: v.DestinationAccountNumber,
			DestinationAccountName: v.DestinationAccountName, DestinationAccountBank: v.DestinationAccountBank,
			City: v.City, Remark: v.Remark, Deadline: v.Deadline}
	}
	for _, d := range st.AuditDetail {
		out.AuditDetail = append(
			out.AuditDetail,
			channels.Rejection{Field: d.ParamName, Reason: d.RejectReason},
		)
	}
	return out, nil
}

// TradeBill asks where the day's trade bill of a sub-merchant (all sub-merchants when empty) can be downloaded.
func (c *Client) TradeBill(ctx context.Context, billDate, subMchID string) (channels.BillFile, error) {
	q := url.Values{"bill_date": {billDate}, "bill_type": {"ALL"}}
	if subMchID != "" {
		q.Set("sub_mchid", subMchID)
	}
	return c.bill(ctx, wire.PathTradeBill, q)
}

// ProfitSharingBill asks where the day's profit-sharing bill can be downloaded.
func (c *Client) ProfitSharingBill(ctx context.Context, billDate, subMchID string) (channels.BillFile, error) {
	q := url.Values{"bill_date": {billDate}}
	if subMchID != "" {
		q.Set("sub_mchid", subMchID)
	}
	return c.bill(ctx, wire.PathSharingBill, q)
}

func (c *Client) bill(ctx context.Context, path string, q url.Values) (channels.BillFile, error) {
	var b wire.BillResponse
	if err := c.do(ctx, http.MethodGet, path, q, nil, &b); err != nil {
		return channels.BillFile{}, err
	}
	return channels.BillFile{HashType: b.HashType, HashValue: b.HashValue, DownloadURL: b.DownloadURL}, nil
}

// SettlementAccount reads the sub-merchant's settlement account, its number masked to the first 6 and last 4
// digits (MASK_V2: enough to tell one account from another, and no more).
func (c *Client) SettlementAccount(ctx context.Context, subMchID string) (channels.SettlementAccount, error) {
	var a wire.SettlementAccount
	query := url.Values{"account_number_rule": {wire.AccountNumberMaskV2}}
	if err := c.do(ctx, http.MethodGet, wire.PathSubMerchants+url.PathEscape(subMchID)+"/settlement", query, nil, &a); err != nil {
		return channels.SettlementAccount{}, err
	}
	return channels.SettlementAccount{Type: a.AccountType, Bank: a.AccountBank, NumberMasked: a.AccountNumber,
		Verify: a.VerifyResult}, nil
}

// SettlementChange is a new settlement account for a sub-merchant (the number and name are sent encrypted).
type SettlementChange struct {
	AccountType, Bank, BankName, BranchID string
	Number, Name                          string
}

// ModifySettlementAccount asks WeChat Pay to change a sub-merchant's settlement account; the change is audited
// first (受理模式) and comes into force when SettlementApplication answers AUDIT_SUCCESS.
func (c *Client) ModifySettlementAccount(ctx context.Context, subMchID string, ch SettlementChange) (string, error) {
	req := &wire.ModifySettlementRequest{ModifyMode: wire.ModifyModeAsync, AccountType: ch.AccountType,
		AccountBank: ch.Bank, BankName: ch.BankName, BankBranchID: ch.BranchID, AccountNumber: ch.Number,
		AccountName: ch.Name}
	var out wire.ModifySettlementResponse
	err := c.do(ctx, http.MethodPost, wire.PathSubMerchants+url.PathEscape(subMchID)+"/modify-settlement", nil, req, &out)
	return out.ApplicationNo, err
}

// SettlementApplication answers a change's audit: AUDITING, AUDIT_SUCCESS or AUDIT_FAIL (with the reason).
func (c *Client) SettlementApplication(ctx context.Context, subMchID, applicationNo string) (wire.SettlementApplication, error) {
	var out wire.SettlementApplication
	err := c.do(ctx, http.MethodGet, wire.PathSubMerchants+url.PathEscape(subMchID)+"/application/"+
		url.PathEscape(applicationNo), url.Values{"account_number_rule": {wire.AccountNumberMaskV2}}, nil, &out)
	return out, err
}
