package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/money"
	"github.com/splitpay/splitpay/workflows"
)

// printLinks prints where the orders and their sub-orders open in the Temporal UI.
func (d *demoRun) printLinks(cfg *config, orderNos ...string) {
	fmt.Fprintf(d.out, "\nTemporal UI:\n")
	for _, no := range orderNos {
		fmt.Fprintf(d.out, "  order %s  %s\n", no, cfg.workflowURL(workflows.OrderWorkflowID(no)))
		for n := 1; n <= 2; n++ {
			fmt.Fprintf(d.out, "    sub-order %d %s\n", n, cfg.workflowURL(workflows.SubOrderWorkflowID(no, n)))
		}
	}
	fmt.Fprintf(d.out, "  every order %s\n", cfg.listURL(`WorkflowType = "Checkout"`))
	fmt.Fprintf(d.out, "  the saved views of the stuck cases: ./bin/splitpay views\n")
	for _, no := range d.applications {
		for _, ch := range channels.Names {
			fmt.Fprintf(d.out, "  onboarding %s on %s %s\n", no, ch, cfg.workflowURL(workflows.OnboardingWorkflowID(no, ch)))
		}
	}
}

func (d *demoRun) printTimeline(v api.OrderView) {
	type line struct {
		at        time.Time
		who, what string
	}
	var lines []line
	for _, e := range v.Timeline {
		lines = append(lines, line{e.At, "order", e.What})
	}
	for _, s := range v.SubOrders {
		for _, e := range s.Timeline {
			lines = append(lines, line{e.At, fmt.Sprintf("sub-order %d", s.N), e.What})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	fmt.Fprintf(d.out, "\nTimeline of %s on %s (workflow time):\n", v.OrderNo, v.Channel)
	for _, l := range lines {
		fmt.Fprintf(d.out, "  %s  %-11s %s\n", l.at.Local().Format("15:04:05.000"), l.who, l.what)
	}
	fmt.Fprintf(d.out, "\nSharing:\n")
	for _, s := range v.SubOrders {
		for _, b := range s.Batches {
			var parts []string
			for _, sh := range b.Shares {
				parts = append(parts, fmt.Sprintf("%s %s", sh.ReceiverID, sh.Amount))
			}
			fmt.Fprintf(d.out, "  %-28s %-8s %s\n", b.OutOrderNo, b.Status, strings.Join(parts, ", "))
		}
		fmt.Fprintf(d.out, "  sub-order %d: paid %s + subsidy %s → shared %s, settled %s to %s (confirmed by %s)\n",
			s.N, s.Amount, s.Subsidy, s.Shared, s.Settled, s.MerchantID, s.ConfirmedBy)
	}
}

func (d *demoRun) ledgerBalances() (map[string]money.Amount, error) {
	out := map[string]money.Amount{}
	for _, p := range d.parties() {
		b, err := d.st.Ledger.Balance(d.ctx, p.account)
		if err != nil {
			return nil, err
		}
		out[p.account.Key()] = b
	}
	return out, nil
}

// printBalances prints what this run moved for every party in the ledger beside the simulator's balances, and
// says whether they agree; then the ledger's own checks.
func (d *demoRun) printBalances(orders ...api.OrderView) (bool, error) {
	after, err := d.ledgerBalances()
	if err != nil {
		return false, err
	}
	agree := true
	fmt.Fprintf(d.out, "\nBalances moved by this run (yuan)               ledger   simulator\n")
	for _, p := range d.parties() {
		moved := after[p.account.Key()] - d.before[p.account.Key()]
		on := p.account.Channel
		if on == "" {
			on = "-"
		}
		if p.sim == nil {
			fmt.Fprintf(d.out, "  %-9s %-14s %-10s %12s   %s\n", on, p.name, p.bucket, moved, p.note)
			continue
		}
		channelFen := p.sim(d.st)
		mark := "="
		if moved.Fen() != channelFen {
			mark, agree = "≠", false
		}
		fmt.Fprintf(d.out, "  %-9s %-14s %-10s %12s %s %10s %s\n", on, p.name, p.bucket, moved, mark,
			money.Amount(channelFen), p.note)
	}
	l := d.st.Ledger
	diffs, trial, err := l.Check(d.ctx)
	if err != nil {
		return false, err
	}
	for _, v := range orders {
		for _, s := range v.SubOrders {
			t, err := l.SubOrderTotals(d.ctx, v.OrderNo, s.SubOrderNo)
			if err != nil {
				return false, err
			}
			if err := t.Conserved(); err != nil {
				fmt.Fprintf(d.out, "  %s does not conserve money: %v\n", s.SubOrderNo, err)
				agree = false
			}
		}
	}
	if len(diffs) > 0 || trial != 0 {
		agree = false
	}
	fmt.Fprintf(
		d.out,
		"\nLedger check: %d discrepancies, trial balance %s; "+
			"each sub-order conserves money (paid + subsidy = shared + settled).\n",
		len(diffs),
		trial,
	)
	if agree {
		fmt.Fprintln(d.out, "The ledger and the simulator agree to the fen.")
	}
	return agree, nil
}
