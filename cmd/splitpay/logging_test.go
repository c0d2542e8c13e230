package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
)

// A line about an order carries its number and sub-order, whether the workflow id is bound to the logger (as the
// SDK binds it) or passed with the line; other lines are as they were.
func TestOrderFieldsOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(orderFields{slog.NewJSONHandler(&buf, nil)})
	log.With("WorkflowID", "order/DEMO1/sub2").Info("activity error")
	log.Info("step failed", "WorkflowID", "order/DEMO1")
	log.Info("other", "WorkflowID", "withdrawal/m1/WD0001")
	var lines []map[string]any
	for _, raw := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if lines[0]["order_no"] != "DEMO1" || lines[0]["sub_order"] != "DEMO1-sub2" || lines[1]["order_no"] != "DEMO1" ||
		lines[1]["sub_order"] != nil || lines[2]["order_no"] != nil {
		t.Errorf("lines %v", lines)
	}
}
