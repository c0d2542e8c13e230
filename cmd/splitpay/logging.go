package main

import (
	"context"
	"log/slog"
	"os"
	"regexp"
)

// logger writes to stderr at the configured level: JSON lines for the production processes (`worker`, `api`),
// or with SPLITPAY_LOG_FORMAT=json anywhere; text for people otherwise.
func (c *config) logger(command string) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := c.LogFormat
	if format == "" && (command == "worker" || command == "api") {
		format = "json"
	}
	if format == "json" {
		return slog.New(orderFields{slog.NewJSONHandler(os.Stderr, opts)})
	}
	return slog.New(orderFields{slog.NewTextHandler(os.Stderr, opts)})
}

// orderFields adds order_no and sub_order to every log line about an order — the SDK's and SplitPay's lines carry
// its workflow id (order/<no> or order/<no>/sub<n>) — so logs filter by order without parsing ids. The fields are
// numbers only, never personal data.
type orderFields struct{ slog.Handler }

var orderWorkflowID = regexp.MustCompile(`^order/([^/]+)(?:/sub(\d+))?$`)

// fields are the order's fields an attribute names, if it is a workflow id.
func fields(a slog.Attr) []slog.Attr {
	if a.Key != "WorkflowID" && a.Key != "workflow_id" {
		return nil
	}
	m := orderWorkflowID.FindStringSubmatch(a.Value.String())
	if m == nil {
		return nil
	}
	out := []slog.Attr{slog.String("order_no", m[1])}
	if m[2] != "" {
		out = append(out, slog.String("sub_order", m[1]+"-sub"+m[2]))
	}
	return out
}

func (h orderFields) Handle(ctx context.Context, r slog.Record) error {
	var add []slog.Attr
	r.Attrs(func(a slog.Attr) bool { add = append(add, fields(a)...); return true })
	if len(add) > 0 {
		r = r.Clone()
		r.AddAttrs(add...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h orderFields) WithAttrs(attrs []slog.Attr) slog.Handler {
	all := append([]slog.Attr(nil), attrs...) // the caller's slice stays as it was
	for _, a := range attrs {
		all = append(all, fields(a)...)
	}
	return orderFields{h.Handler.WithAttrs(all)}
}

func (h orderFields) WithGroup(name string) slog.Handler {
	return orderFields{h.Handler.WithGroup(name)}
}
