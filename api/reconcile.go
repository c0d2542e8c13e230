package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/registry"
	"github.com/splitpay/splitpay/starter"
	"github.com/splitpay/splitpay/workflows"
)

// ReconciliationView is a channel's day as reconciliation left it.
type ReconciliationView struct {
	Channel       string            `json:"channel"`
	Date          string            `json:"date"`
	Status        string            `json:"status"` // RUNNING | BALANCED | DISCREPANCIES
	Lines         int64             `json:"lines"`
	Events        int64             `json:"events"`
	Matched       int64             `json:"matched"`
	Fees          money.Amount      `json:"fees"`
	StartedAt     time.Time         `json:"started_at"`
	FinishedAt    *time.Time        `json:"finished_at,omitempty"`
	Totals        []MerchantTotal   `json:"totals"`
	Discrepancies []DiscrepancyView `json:"discrepancies"`
}

// MerchantTotal is what a merchant's matched events of a kind moved on its accounts (fen, signed).
type MerchantTotal struct {
	MerchantID string       `json:"merchant_id"`
	Kind       string       `json:"kind"`
	Events     int64        `json:"events"`
	Amount     money.Amount `json:"amount"`
}

// DiscrepancyView is one event the bills and the ledger do not tell alike, with both sides.
type DiscrepancyView struct {
	ID            int64         `json:"id"`
	Class         string        `json:"class"`
	Kind          string        `json:"kind"`
	PostingKey    string        `json:"posting_key"`
	OutNo         string        `json:"out_no,omitempty"`
	SubMchID      string        `json:"sub_mchid,omitempty"`
	OrderNo       string        `json:"order_no,omitempty"`
	ChannelAmount *money.Amount `json:"channel_amount,omitempty"`
	LedgerAmount  *money.Amount `json:"ledger_amount,omitempty"`
	ChannelStatus string        `json:"channel_status,omitempty"`
	State         string        `json:"state"`
	Note          string        `json:"note,omitempty"`
	ResolvedBy    string        `json:"resolved_by,omitempty"`
	ResolvedAt    *time.Time    `json:"resolved_at,omitempty"`
}

func reconciliationViewOf(rep registry.ReconReport) ReconciliationView {
	v := ReconciliationView{Channel: rep.Run.Channel, Date: rep.Run.Day, Status: rep.Run.Status, Lines: rep.Run.Lines,
		Events: rep.Run.Events, Matched: rep.Run.Matched, Fees: rep.Run.Fees, StartedAt: rep.Run.StartedAt,
		FinishedAt: rep.Run.FinishedAt, Totals: []MerchantTotal{}, Discrepancies: []DiscrepancyView{}}
	for _, t := range rep.Totals {
		v.Totals = append(v.Totals, MerchantTotal{MerchantID: t.Merchant, Kind: t.Kind, Events: t.Events, Amount: t.Amount})
	}
	for _, d := range rep.Discrepancies {
		v.Discrepancies = append(v.Discrepancies, discrepancyViewOf(d))
	}
	return v
}

func discrepancyViewOf(d registry.ReconDiscrepancy) DiscrepancyView {
	return DiscrepancyView{ID: d.ID, Class: d.Class, Kind: d.Kind, PostingKey: d.PostingKey, OutNo: d.OutNo,
		SubMchID: d.SubMchID, OrderNo: d.OrderNo, ChannelAmount: d.ChannelAmount, LedgerAmount: d.LedgerAmount,
		ChannelStatus: d.ChannelStatus, State: d.State, Note: d.Note, ResolvedBy: d.ResolvedBy, ResolvedAt: d.ResolvedAt}
}

// reconcile starts reconciling a channel's days (a backfill when from and to differ).
func (s *Server) reconcile(w http.ResponseWriter, r *http.Request) {
	var req starter.ReconcileRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.Starter.Reconcile(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"workflow_ids": ids})
}

// getReconciliation answers a channel's day: JSON, or with format=csv the discrepancies for finance.
func (s *Server) getReconciliation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rep, err := s.Registry.ReconReport(r.Context(), q.Get("channel"), q.Get("date"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if q.Get("format") != "csv" {
		writeJSON(w, http.StatusOK, reconciliationViewOf(rep))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition",
		fmt.Sprintf(`attachment; filename="reconciliation-%s-%s.csv"`, rep.Run.Channel, rep.Run.Day))
	writeDiscrepancyCSV(w, rep)
}

// writeDiscrepancyCSV writes one row per discrepancy, amounts in yuan.
func writeDiscrepancyCSV(w http.ResponseWriter, rep registry.ReconReport) {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"channel", "date", "id", "class", "kind", "posting_key", "out_no", "sub_mchid", "order_no",
		"channel_amount", "ledger_amount", "channel_status", "state", "note", "resolved_by"})
	yuan := func(a *money.Amount) string {
		if a == nil {
			return ""
		}
		return a.String()
	}
	for _, d := range rep.Discrepancies {
		_ = cw.Write([]string{rep.Run.Channel, rep.Run.Day, strconv.FormatInt(d.ID, 10), d.Class, d.Kind, d.PostingKey,
			d.OutNo, d.SubMchID, d.OrderNo, yuan(d.ChannelAmount), yuan(d.LedgerAmount), d.ChannelStatus, d.State,
			d.Note, d.ResolvedBy})
	}
	cw.Flush()
}

type resolveRequest struct {
	By     string `json:"by"     maxlen:"64"`
	Reason string `json:"reason" maxlen:"256" text:"free"`
}

// resolveDiscrepancy closes a discrepancy with a recorded reason, and tells the day's run to match again.
func (s *Server) resolveDiscrepancy(w http.ResponseWriter, r *http.Request) {
	var req resolveRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &starter.InputError{Field: "id", Reason: "a discrepancy's number"})
		return
	}
	d, run, err := s.Registry.ResolveDiscrepancy(r.Context(), id, req.By, req.Reason)
	if err == nil {
		err = s.Starter.Recheck(r.Context(), run.Channel, run.Day, workflows.ResumeRequest{By: req.By, Reason: req.Reason})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, discrepancyViewOf(d))
}
