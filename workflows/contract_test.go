package workflows

import (
	"encoding/json"
	"testing"
)

// Two activities answered bare values before the typed contract; their outputs still read the old form, so
// histories recorded before it replay (testdata/histories/merchant-onboarding.json, netting-sub1.json).
func TestOutputsReadTheirFormerBareForm(t *testing.T) {
	var a ApplymentSubmitted
	if err := json.Unmarshal([]byte(`2000000001`), &a); err != nil || a.ApplymentID != "2000000001" {
		t.Errorf("bare number: %+v, %v", a, err)
	}
	if err := json.Unmarshal([]byte(`{"ApplymentID":7}`), &a); err != nil || a.ApplymentID != "7" {
		t.Errorf("struct: %+v, %v", a, err)
	}
	var d DebtNettings
	if err := json.Unmarshal([]byte(`[{"ReceiverID":"d1","NettingID":"n","Amount":5}]`), &d); err != nil ||
		len(d.Nettings) != 1 || d.Nettings[0].Amount != 5 {
		t.Errorf("bare list: %+v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil {
		t.Errorf("null: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"Nettings":[{"ReceiverID":"d2","Amount":3}]}`), &d); err != nil ||
		len(d.Nettings) != 1 || d.Nettings[0].ReceiverID != "d2" {
		t.Errorf("struct: %+v, %v", d, err)
	}
}
