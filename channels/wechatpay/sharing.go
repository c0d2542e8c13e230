package wechatpay

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
	"github.com/splitpay/splitpay/money"
)

// Share sends one sharing request (分账). The channel processes it asynchronously: the answer is usually
// PROCESSING, and QuerySharing tells the outcome.
func (c *Client) Share(ctx context.Context, r channels.SharingRequest) (channels.SharingState, error) {
	if n := len(r.Receivers); n == 0 || n > c.cfg.Limits.MaxReceiversPerSharing {
		return channels.SharingState{}, invalid(
			"receivers",
			fmt.Sprintf("%d receivers; 1..%d allowed per request", n, c.cfg.Limits.MaxReceiversPerSharing),
		)
	}
	req := wire.SharingRequest{
		AppID:         r.AppID,
		SubMchID:      r.SubMchID,
		TransactionID: r.TransactionID,
		OutOrderNo:    r.OutOrderNo,
		Finish:        r.Finish,
	}
	for i, rc := range r.Receivers {
		if rc.Amount <= 0 {
			return channels.SharingState{}, invalid(fmt.Sprintf("receivers[%d].amount", i), "must be positive")
		}
		if rc.Type == channels.ReceiverPersonal && req.AppID == "" {
			req.AppID = c.cfg.SpAppID // required whenever a person receives
		}
		req.Receivers = append(req.Receivers, wire.SharingReceiver{Type: rc.Type, ReceiverAccount: rc.Account,
			ReceiverName: rc.Name, Amount: rc.Amount.Fen(), Description: rc.Description})
	}
	var st wire.SharingState
	if err := c.do(ctx, http.MethodPost, wire.PathSharingOrders, nil, &req, &st); err != nil {
		return channels.SharingState{}, err
	}
	return sharingState(st), nil
}

// QuerySharing returns a sharing or finish request's state.
func (c *Client) QuerySharing(
	ctx context.Context,
	subMchID, transactionID, outOrderNo string,
) (channels.SharingState, error) {
	var st wire.SharingState
	q := url.Values{"sub_mchid": {subMchID}, "transaction_id": {transactionID}, "out_order_no": {outOrderNo}}
	if err := c.do(ctx, http.MethodGet, wire.PathSharingOrders, q, nil, &st); err != nil {
		return channels.SharingState{}, err
	}
	return sharingState(st), nil
}

func sharingState(st wire.SharingState) channels.SharingState {
	out := channels.SharingState{SubMchID: st.SubMchID, TransactionID: st.TransactionID, OutOrderNo: st.OutOrderNo,
		OrderID: st.OrderID, Status: st.Status, FinishAmount: money.Amount(st.FinishAmount)}
	for _, r := range st.Receivers {
		out.Receivers = append(out.Receivers, channels.SharingReceiverResult{Type: r.Type, Account: r.ReceiverAccount,
			Amount: money.Amount(r.Amount), Result: r.Result, FailReason: r.FailReason, DetailID: r.DetailID})
	}
	return out
}

// Finish unfreezes what was not shared (完结分账) under a new out_order_no.
func (c *Client) Finish(ctx context.Context, r channels.FinishRequest) (channels.SharingState, error) {
	req := wire.FinishRequest{
		SubMchID:      r.SubMchID,
		TransactionID: r.TransactionID,
		OutOrderNo:    r.OutOrderNo,
		Description:   r.Description,
	}
	var st wire.SharingState
	if err := c.do(ctx, http.MethodPost, wire.PathSharingFinish, nil, &req, &st); err != nil {
		return channels.SharingState{}, err
	}
	return sharingState(st), nil
}

// UnsplitAmount is what may still be shared or unfrozen of a sub-order.
func (c *Client) UnsplitAmount(ctx context.Context, transactionID string) (money.Amount, error) {
	var r wire.UnsplitAmount
	path := wire.PathSharingAmounts + url.PathEscape(transactionID) + "/amounts"
	if err := c.do(ctx, http.MethodGet, path, nil, nil, &r); err != nil {
		return 0, err
	}
	return money.Amount(r.UnsplitAmount), nil
}

func (c *Client) receiverRequest(r channels.ReceiverRegistration) *wire.ReceiverRequest {
	req := &wire.ReceiverRequest{AppID: r.AppID, Type: r.Type, Account: r.Account, RelationType: r.RelationType}
	if req.AppID == "" {
		req.AppID = c.cfg.SpAppID
	}
	if r.Type == channels.ReceiverPersonal {
		req.EncryptedName = r.Name // a person's name travels encrypted
	} else {
		req.Name = r.Name
	}
	return req
}

// AddReceiver registers a sharing receiver once at platform level; adding an existing one is harmless.
func (c *Client) AddReceiver(ctx context.Context, r channels.ReceiverRegistration) error {
	var resp wire.ReceiverResponse
	return c.do(ctx, http.MethodPost, wire.PathReceiverAdd, nil, c.receiverRequest(r), &resp)
}

// DeleteReceiver removes a sharing receiver.
func (c *Client) DeleteReceiver(ctx context.Context, r channels.ReceiverRegistration) error {
	req := c.receiverRequest(r)
	req.Name, req.EncryptedName, req.RelationType = "", "", ""
	var resp wire.ReceiverResponse
	return c.do(ctx, http.MethodPost, wire.PathReceiverDelete, nil, req, &resp)
}

// Return pulls shared money back from a merchant-type receiver (分账回退).
func (c *Client) Return(ctx context.Context, r channels.ReturnRequest) (channels.ReturnState, error) {
	if r.Amount <= 0 {
		return channels.ReturnState{}, invalid("amount", "must be positive")
	}
	req := wire.ReturnRequest{SubMchID: r.SubMchID, OutOrderNo: r.OutOrderNo, OutReturnNo: r.OutReturnNo,
		ReturnMchID: r.ReturnMchID, Amount: r.Amount.Fen(), Description: r.Description}
	var st wire.ReturnState
	if err := c.do(ctx, http.MethodPost, wire.PathReturnOrders, nil, &req, &st); err != nil {
		return channels.ReturnState{}, err
	}
	return returnState(st), nil
}

// QueryReturn returns a return's state.
func (c *Client) QueryReturn(
	ctx context.Context,
	subMchID, outOrderNo, outReturnNo string,
) (channels.ReturnState, error) {
	var st wire.ReturnState
	q := url.Values{"sub_mchid": {subMchID}, "out_order_no": {outOrderNo}, "out_return_no": {outReturnNo}}
	if err := c.do(ctx, http.MethodGet, wire.PathReturnOrders, q, nil, &st); err != nil {
		return channels.ReturnState{}, err
	}
	return returnState(st), nil
}

func returnState(st wire.ReturnState) channels.ReturnState {
	return channels.ReturnState{SubMchID: st.SubMchID, OutOrderNo: st.OutOrderNo, OutReturnNo: st.OutReturnNo,
		ReturnNo: st.ReturnNo, ReturnMchID: st.ReturnMchID, Amount: money.Amount(st.Amount), Result: st.Result,
		FailReason: st.FailReason}
}
