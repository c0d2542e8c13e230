package codec

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

type application struct {
	IDNumber string
	Phone    string
}

// A payload sealed by the converter holds none of its plaintext, opens to the same value, names its key, and
// still opens after rotation (new active key, old key kept); without the old key it does not.
func TestSealOpenAndRotate(t *testing.T) {
	oldSpec := NewKey("k1")
	old, err := ParseKeys(oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	in := application{IDNumber: "11010519491231002X", Phone: "13800138000"}
	p, err := old.DataConverter().ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("11010519491231002X")) || bytes.Contains(p.Data, []byte("13800138000")) ||
		string(p.Metadata[MetadataKeyID]) != "k1" {
		t.Fatalf("sealed payload leaks or lacks its key id: %q %v", p.Data, p.Metadata)
	}
	rotated, err := ParseKeys(NewKey("k2") + "," + oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	var out application
	if err := rotated.DataConverter().FromPayload(p, &out); err != nil || out != in {
		t.Fatalf("after rotation: %+v %v", out, err)
	}
	if p2, _ := rotated.DataConverter().ToPayload(in); string(p2.Metadata[MetadataKeyID]) != "k2" {
		t.Errorf("new payloads must use the active key: %v", p2.Metadata)
	}
	withoutOld, _ := ParseKeys(NewKey("k2"))
	if err := withoutOld.DataConverter().FromPayload(p, &out); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("a dropped key must not open: %v", err)
	}
	// Tampering, or claiming another key, fails authentication.
	p.Data[len(p.Data)-1] ^= 1
	if err := rotated.DataConverter().FromPayload(p, &out); err == nil {
		t.Error("a tampered payload opened")
	}
	// Payloads written before the codec pass through.
	plain, _ := converter.GetDefaultDataConverter().ToPayload(in)
	if err := rotated.DataConverter().FromPayload(plain, &out); err != nil || out != in {
		t.Errorf("plain payload: %v", err)
	}
}

func TestParseKeysNamesTheProblem(t *testing.T) {
	for spec, want := range map[string]string{
		"":              "payload key 1",
		"k1":            "payload key 1",
		"k1:notbase64!": `payload key "k1"`,
		"k1:AAAA":       `payload key "k1"`,
		NewKey("k1") + ",k1:" + strings.Repeat("A", 43) + "=": `"k1" appears twice`,
	} {
		if _, err := ParseKeys(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeys(%.20q): %v, want %q", spec, err, want)
		}
	}
}

// A failure's message and stack trace leave the process sealed: the history shows "Encoded failure", its
// encoded attributes carry our key id and none of the text, and the worker side reads the message back.
func TestFailureMessagesAreSealed(t *testing.T) {
	k, err := ParseKeys(NewKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	fc := k.FailureConverter()
	f := fc.ErrorToFailure(temporal.NewApplicationError("receiver 王五 13800138000 refused", "ChannelRejected.NO_AUTH"))
	if f.GetMessage() == "" || strings.Contains(f.GetMessage(), "13800138000") || f.GetEncodedAttributes() == nil ||
		string(f.GetEncodedAttributes().GetMetadata()[MetadataKeyID]) != "k1" ||
		bytes.Contains(f.GetEncodedAttributes().GetData(), []byte("13800138000")) {
		t.Fatalf("failure as stored: message %q, attributes %v", f.GetMessage(), f.GetEncodedAttributes())
	}
	var ae *temporal.ApplicationError
	if back := fc.FailureToError(f); !errors.As(back, &ae) || !strings.Contains(ae.Error(), "13800138000") ||
		ae.Type() != "ChannelRejected.NO_AUTH" {
		t.Errorf("read back: %v", back)
	}
}

// What the UI shows at a glance stays readable — a bare string (a summary, current details) and the workflow
// metadata a query answers — while every struct, and any other protobuf, is sealed.
func TestSummariesStayReadable(t *testing.T) {
	k, err := ParseKeys(NewKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	dc := k.DataConverter()
	summary, _ := dc.ToPayload("order O1 · 268.00 yuan · 2 shops · wechatpay")
	meta, _ := dc.ToPayload(&sdkpb.WorkflowMetadata{CurrentDetails: "**AWAITING_RECEIPT**"})
	other, _ := dc.ToPayload(&sdkpb.UserMetadata{})
	object, _ := dc.ToPayload(application{IDNumber: "11010519491231002X"})
	number, _ := dc.ToPayload(42)
	for name, c := range map[string]struct {
		p     *commonpb.Payload
		plain bool
	}{"summary": {summary, true}, "workflow metadata": {meta, true}, "another protobuf": {other, false},
		"a struct": {object, false}, "a number": {number, false}} {
		if sealed := string(c.p.Metadata[converter.MetadataEncoding]) == Encoding; sealed == c.plain {
			t.Errorf("%s: sealed %v, want plain %v", name, sealed, c.plain)
		}
	}
	var s string
	if err := dc.FromPayload(summary, &s); err != nil || !strings.HasPrefix(s, "order O1") {
		t.Errorf("summary reads %q %v", s, err)
	}
}
