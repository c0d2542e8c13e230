package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/splitpay/splitpay/starter"
)

// Every text a caller sends is checked here, once, before any handler runs: well-formed UTF-8, no control
// characters (PostgreSQL refuses NUL outright, which used to surface as a 503), and a bounded length. A field
// may set its own bound with the struct tag `maxlen:"N"` (bytes); others get defaultMaxText.
const defaultMaxText = 1024

// badText says what is wrong with s as caller text, or "" when nothing is. Free text may hold tabs and newlines.
func badText(s string, maxLen int, freeText bool) string {
	if !utf8.ValidString(s) {
		return "not well-formed UTF-8"
	}
	if len(s) > maxLen {
		return fmt.Sprintf("at most %d bytes", maxLen)
	}
	for _, c := range s {
		if freeText && (c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if unicode.IsControl(c) {
			return fmt.Sprintf("control character %U not allowed", c)
		}
	}
	return ""
}

// checkText walks a decoded request and answers the first string field with bad text, named by its JSON path
// (sub_orders[0].description).
func checkText(v any) error {
	return walkText(reflect.ValueOf(v), "")
}

func walkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = "" // embedded: its fields sit at this level
			}
			if f.Type.Kind() == reflect.String {
				if err := textField(v.Field(i).String(), join(path, name), f.Tag); err != nil {
					return err
				}
				continue
			}
			if err := walkText(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if k.Kind() == reflect.String {
				if err := textField(k.String(), path, ""); err != nil {
					return err
				}
			}
			if err := walkText(v.MapIndex(k), fmt.Sprintf("%s.%v", path, k)); err != nil {
				return err
			}
		}
	case reflect.String:
		return textField(v.String(), path, "")
	}
	return nil
}

func textField(s, path string, tag reflect.StructTag) error {
	maxLen := defaultMaxText
	if n := tag.Get("maxlen"); n != "" {
		_, _ = fmt.Sscan(n, &maxLen)
	}
	if reason := badText(s, maxLen, tag.Get("text") == "free"); reason != "" {
		return &starter.InputError{Field: path, Reason: reason}
	}
	return nil
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// wellFormed refuses, before routing, a path or Idempotency-Key that no handler could use: not UTF-8, or
// holding control characters. Such input will always fail, so it is a 400, never a 5xx.
func wellFormed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reason := badText(r.URL.Path, 2048, false); reason != "" {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", reason, "path")
			return
		}
		if key := r.Header.Get("Idempotency-Key"); key != "" {
			for i := 0; i < len(key); i++ {
				if key[i] < 0x21 || key[i] > 0x7e {
					writeError(
						w,
						http.StatusBadRequest,
						"INVALID_ARGUMENT",
						"visible ASCII characters only",
						"Idempotency-Key",
					)
					return
				}
			}
			if len(key) > maxIdempotencyKey {
				writeError(
					w,
					http.StatusBadRequest,
					"INVALID_ARGUMENT",
					fmt.Sprintf("at most %d characters", maxIdempotencyKey),
					"Idempotency-Key",
				)
				return
			}
		}
		for k, vs := range r.URL.Query() {
			for _, v := range vs {
				if reason := badText(v, 256, false); reason != "" {
					writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", reason, k)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// decode reads a JSON body of at most maxRequestBytes into v, refusing unknown fields and trailing data, and
// names the field at fault.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return &starter.InputError{Field: "body", Reason: "not well-formed UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil:
		if dec.More() {
			return &starter.InputError{Field: "body", Reason: "one JSON object expected"}
		}
		return checkText(v)
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		return &starter.InputError{Field: te.Field, Reason: "must be a JSON " + te.Type.Kind().String()}
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &starter.InputError{Field: "body", Reason: "malformed JSON"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &starter.InputError{
			Field:  strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`),
			Reason: "unknown field",
		}
	}
	return &starter.InputError{Field: "body", Reason: err.Error()}
}

// intParam reads the whole-number query parameter name, def when absent; one outside [lo, hi] is the caller's
// error, naming it.
func intParam(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &starter.InputError{Field: name, Reason: fmt.Sprintf("a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}
