// Package codec encrypts every Temporal payload SplitPay writes — workflow and activity inputs and results,
// signals, updates, queries — with AES-256-GCM, so personal data (ID numbers, bank accounts, phones, names)
// never sits in plain text in a workflow history. Each payload names the key that sealed it, so keys rotate:
// a new active key seals new payloads, and older keys stay on the keyring to open older ones.
//
// The client and the worker use the same data converter (DataConverter); the Temporal UI can show payloads
// through the codec endpoint (HTTPHandler), which the API serves behind its bearer keys.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of a sealed payload.
const (
	Encoding       = "binary/splitpay-aes256gcm"
	MetadataKeyID  = "encryption-key-id"
	keyBytes       = 32
	maxKeyIDLength = 32
)

// Keyring holds the keys payloads are sealed with: the active one seals, all of them open.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
}

// ParseKeys reads a keyring from "id:base64key[,id:base64key…]" (standard base64 of 32 random bytes). The
// first key is the active one; list the previous keys after it while old histories may still be read.
func ParseKeys(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || len(id) > maxKeyIDLength {
			return nil, fmt.Errorf(
				"payload key %d: want id:base64key with an id of 1..%d characters",
				i+1,
				maxKeyIDLength,
			)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != keyBytes {
			return nil, fmt.Errorf("payload key %q: want the standard base64 of %d bytes", id, keyBytes)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("payload key %q appears twice", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		if k.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
		if i == 0 {
			k.active = id
		}
	}
	return k, nil
}

// NewKey makes a fresh key spec entry "id:base64key".
func NewKey(id string) string {
	raw := make([]byte, keyBytes)
	_, _ = rand.Read(raw)
	return id + ":" + base64.StdEncoding.EncodeToString(raw)
}

// ActiveKeyID is the id new payloads are sealed with.
func (k *Keyring) ActiveKeyID() string { return k.active }

// Encode seals each payload (its whole protobuf, metadata included) with the active key, but what the Temporal
// UI shows at a glance (readableInUI). The key id is authenticated as associated data, so a payload cannot be
// passed off as sealed by another key.
func (k *Keyring) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := k.aeads[k.active]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if readableInUI(p) {
			out[i] = p
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, err
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte(k.active)},
			Data:     aead.Seal(nonce, nonce, plain, []byte(k.active)),
		}
	}
	return out, nil
}

// readableInUI says whether a payload is one the Temporal UI shows at a glance, left unsealed so that ops read it
// without the codec: a bare JSON string (the SDK's form of workflow and activity summaries and of current
// details, which SplitPay writes without personal data: workflows/summaries.go), or the workflow metadata a query
// answers (the current details, and the names of the queries and signals). Everything SplitPay itself sends is a
// JSON object — every activity, workflow, signal, update and query takes and answers a struct (the contract test
// checks the activities') — so no business data is ever a bare string.
func readableInUI(p *commonpb.Payload) bool {
	switch string(p.GetMetadata()[converter.MetadataEncoding]) {
	case converter.MetadataEncodingJSON:
		return len(p.Data) > 0 && p.Data[0] == '"'
	case converter.MetadataEncodingProtoJSON:
		return string(p.GetMetadata()[converter.MetadataMessageType]) == "temporal.api.sdk.v1.WorkflowMetadata"
	}
	return false
}

// ErrUnknownKey: a payload was sealed with a key this keyring does not hold.
var ErrUnknownKey = errors.New("codec: payload sealed with a key not on the keyring")

// Decode opens sealed payloads and passes others through (histories written before the codec).
func (k *Keyring) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.Metadata[MetadataKeyID])
		aead, ok := k.aeads[id]
		if !ok {
			return payloads, fmt.Errorf("%w: %q", ErrUnknownKey, id)
		}
		if len(p.Data) < aead.NonceSize() {
			return payloads, errors.New("codec: sealed payload too short")
		}
		nonce, sealed := p.Data[:aead.NonceSize()], p.Data[aead.NonceSize():]
		plain, err := aead.Open(nil, nonce, sealed, []byte(id))
		if err != nil {
			return payloads, fmt.Errorf("codec: payload under key %q does not open: %w", id, err)
		}
		out[i] = &commonpb.Payload{}
		if err := proto.Unmarshal(plain, out[i]); err != nil {
			return payloads, err
		}
	}
	return out, nil
}

// DataConverter is the SDK's default converter with every payload sealed by the keyring. Give it to the
// client (client.Options.DataConverter); workers built from that client use it too.
func (k *Keyring) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), k)
}

// FailureConverter keeps failure messages and stack traces out of histories in clear text: the SDK moves them
// into an encoded attributes payload, which the keyring seals like any other. Histories then say only
// "Encoded failure"; the UI and CLI read the message through the codec endpoint.
func (k *Keyring) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(
		temporal.DefaultFailureConverterOptions{DataConverter: k.DataConverter(), EncodeCommonAttributes: true},
	)
}

// Sealed sets both converters on a client's options: what a client or worker of SplitPay dials with.
func (k *Keyring) Sealed(opts client.Options) client.Options {
	opts.DataConverter, opts.FailureConverter = k.DataConverter(), k.FailureConverter()
	return opts
}

// HTTPHandler is the Temporal codec-server protocol (POST /encode, /decode) for the UI and CLI; mount it
// behind authentication — whoever reaches it can read every payload.
func (k *Keyring) HTTPHandler() http.Handler { return converter.NewPayloadCodecHTTPHandler(k) }
