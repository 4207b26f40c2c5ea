package kitx

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-crm/rapport/libs/errs"
)

// decodeError turns an error of json.UnmarshalDecode over data into one of
// Decode's errors.
func decodeError(err error, data []byte) error {
	if e, ok := errs.As(err); ok {
		return e // a field's UnmarshalJSON already classified its error
	}
	if syn, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		return syntaxError(syn, data)
	}
	if sem, ok := errors.AsType[*json.SemanticError](err); ok {
		return semanticError(sem)
	}
	return ErrMalformedJSON.WithDetail("invalid request body: %s", err.Error())
}

// syntaxError classifies an error of the JSON grammar.
func syntaxError(syn *jsontext.SyntacticError, data []byte) error {
	field := fieldPath(syn.JSONPointer)
	switch {
	case errors.Is(syn.Err, jsontext.ErrDuplicateName):
		return fieldError(ErrDuplicateField, field, "appears more than once in its object",
			subject(field)+" appears more than once in its object")
	case !utf8.Valid(data) || strings.Contains(syn.Err.Error(), "surrogate"):
		return fieldError(ErrInvalidText, field, "is not valid UTF-8",
			fmt.Sprintf("%s is not valid UTF-8 (near byte offset %d)", subject(field), syn.ByteOffset))
	case errors.Is(syn.Err, io.ErrUnexpectedEOF):
		return fieldError(ErrMalformedJSON, field, "the body ends inside this value",
			fmt.Sprintf("malformed JSON: the request body ends unexpectedly at byte offset %d", syn.ByteOffset))
	}
	return fieldError(ErrMalformedJSON, field, "malformed JSON",
		fmt.Sprintf("malformed JSON at byte offset %d: %s", syn.ByteOffset, syn.Err.Error()))
}

// semanticError classifies an error of mapping JSON onto the Go value.
func semanticError(sem *json.SemanticError) error {
	field := fieldPath(sem.JSONPointer)
	if errors.Is(sem.Err, json.ErrUnknownName) {
		return fieldError(ErrUnknownField, field, "unknown field", fmt.Sprintf("unknown field %q", field))
	}
	want := expectedKind(sem.GoType)
	got := foundKind(sem.JSONKind, sem.JSONValue)
	detail := fmt.Sprintf("%s must be %s, not %s", subject(field), want, got)
	if sem.Err != nil && wantsKind(want, sem.JSONKind) {
		// The right JSON type with a value the field cannot hold: a time
		// that does not parse, a number out of range, a bad UUID.
		detail = fmt.Sprintf("%s must be %s; %s is not one", subject(field), want, got)
	}
	return fieldError(ErrWrongType, field, "must be "+want, detail)
}

// subject names field in a detail: `field "emails/0"`, or the request body.
func subject(field string) string {
	if field == "" {
		return "the request body"
	}
	return fmt.Sprintf("field %q", field)
}

// fieldError returns base with detail and, when field is not the whole
// body, the field and reason in Fields.
func fieldError(base *errs.Error, field, reason, detail string) *errs.Error {
	e := base.WithDetail("%s", detail)
	if field != "" {
		e.Fields = []errs.FieldError{{Field: field, Reason: reason}}
	}
	return e
}

// fieldPath turns a JSON pointer ("/emails/0/address") into the path
// FieldError uses ("emails/0/address"); the whole body is "".
func fieldPath(p jsontext.Pointer) string {
	return strings.TrimPrefix(string(p), "/")
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()
)

// expectedKind names the JSON a Go type takes, for error details.
func expectedKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
		return "a valid value"
	case t == timeType:
		return "a date-time string (RFC 3339, such as 2026-01-02T15:04:05Z)"
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return "a valid value"
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a valid value"
}

// wantsKind reports whether want (of expectedKind) is the JSON kind k.
func wantsKind(want string, k jsontext.Kind) bool {
	switch k {
	case '"':
		return strings.Contains(want, "string")
	case '0':
		return want == "an integer" || want == "a number"
	}
	return false
}

// foundKind names the JSON value a client sent, for error details: a
// number or a short string itself when the decoder kept it, else its kind.
func foundKind(k jsontext.Kind, v jsontext.Value) string {
	switch k {
	case '"':
		if len(v) > 0 && len(v) <= 40 {
			return "the string " + string(v)
		}
		return "a string"
	case '0':
		if len(v) > 0 && len(v) <= 40 {
			return string(v)
		}
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "another JSON type"
}

// checkText returns ErrInvalidText for the first string or member name of
// data holding a control character other than tab, line feed and carriage
// return. JSON carries them only as \u escapes, so a body without "\u00"
// is not read twice.
func checkText(data []byte) error {
	if !bytes.Contains(data, []byte(`\u00`)) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil // malformed JSON: the decode that follows says where
		}
		if tok.Kind() != '"' {
			continue
		}
		if r, bad := controlChar(tok.String()); bad {
			field := fieldPath(dec.StackPointer())
			return fieldError(ErrInvalidText, field, fmt.Sprintf("holds the control character U+%04X", r),
				fmt.Sprintf("%s holds the control character U+%04X, which text may not contain", subject(field), r))
		}
	}
}

// controlChar returns the first C0 control character of s other than tab,
// line feed and carriage return.
func controlChar(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return r, true
		}
	}
	return 0, false
}
