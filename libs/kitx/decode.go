package kitx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
)

// DefaultBodyLimit is the largest request body Decode accepts when given no
// limit: 1 MiB.
const DefaultBodyLimit int64 = 1 << 20

// The errors Decode returns. Each is returned with a more specific detail.
var (
	ErrUnsupportedMediaType = errs.New(errs.UnsupportedMediaType, "unsupported-media-type", "the request body must be JSON")
	ErrEmptyBody            = errs.New(errs.Invalid, "empty-body", "the request body is empty")
	ErrMalformedJSON        = errs.New(errs.Invalid, "malformed-json", "the request body is not valid JSON")
	ErrUnknownField         = errs.New(errs.Invalid, "unknown-field", "the request body has an unknown field")
	ErrWrongType            = errs.New(errs.Invalid, "wrong-type", "a field of the request body has the wrong type")
	ErrTrailingData         = errs.New(errs.Invalid, "trailing-data", "the request body has data after the JSON value")
	ErrBodyTooLarge         = errs.New(errs.TooLarge, "body-too-large", "the request body is too large")
)

// Decode reads r's JSON body into dst strictly: the Content-Type must be
// application/json or a +json type (else ErrUnsupportedMediaType), unknown
// fields, malformed JSON, type mismatches, trailing data and an empty body are
// Invalid errors naming the field or byte offset, and a body over limit bytes
// (DefaultBodyLimit when limit <= 0) is ErrBodyTooLarge.
func Decode(r *http.Request, dst any, limit int64) error {
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return ErrEmptyBody
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, dec, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tooLarge(limit)
		}
		return ErrTrailingData.WithDetail("the request body has data after the JSON value at byte offset %d", dec.InputOffset())
	}
	return nil
}

// checkJSONContentType accepts application/json and any application/*+json.
func checkJSONContentType(header string) error {
	if header == "" {
		return ErrUnsupportedMediaType.WithDetail("the request has no Content-Type; send application/json")
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return ErrUnsupportedMediaType.WithDetail("Content-Type %q is not supported; send application/json", header)
	}
	return nil
}

// decodeError classifies an error of json.Decoder.Decode.
func decodeError(err error, dec *json.Decoder, limit int64) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(limit)
	}
	if e, ok := errs.As(err); ok {
		return e // a field's UnmarshalJSON already classified its error
	}
	if syn, ok := errors.AsType[*json.SyntaxError](err); ok {
		return ErrMalformedJSON.WithDetail("malformed JSON at byte offset %d: %s", syn.Offset, syn.Error())
	}
	if typ, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := strings.ReplaceAll(typ.Field, ".", "/")
		want := typ.Type.String()
		if field == "" {
			return ErrWrongType.WithDetail("the request body must be %s, not %s", jsonKind(want), typ.Value)
		}
		e := ErrWrongType.WithDetail("field %q must be %s, not %s", field, jsonKind(want), typ.Value)
		e.Fields = []errs.FieldError{{Field: field, Reason: "must be " + jsonKind(want)}}
		return e
	}
	if name, ok := unknownField(err); ok {
		e := ErrUnknownField.WithDetail("unknown field %q", name)
		e.Fields = []errs.FieldError{{Field: name, Reason: "unknown field"}}
		return e
	}
	switch {
	case errors.Is(err, io.EOF):
		return ErrEmptyBody
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ErrMalformedJSON.WithDetail("malformed JSON at byte offset %d: unexpected end of input", dec.InputOffset())
	}
	if _, ok := errors.AsType[*json.InvalidUnmarshalError](err); ok {
		return err // a programming error: dst is not a non-nil pointer
	}
	// Errors from UnmarshalJSON/UnmarshalText methods (time.Time, uuid.UUID, ...)
	// and from reading the body.
	return ErrMalformedJSON.WithDetail("invalid request body near byte offset %d: %s", dec.InputOffset(), err.Error())
}

// unknownField extracts the field name from encoding/json's unknown field
// error, which has no type of its own.
func unknownField(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(rest)
	if uerr != nil {
		return rest, true
	}
	return name, true
}

// jsonKind names the JSON shape a Go type expects, for error details.
func jsonKind(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "["):
		return "an array"
	default:
		return "an object"
	}
}

func tooLarge(limit int64) error {
	return ErrBodyTooLarge.WithDetail("the request body exceeds %s", fmtBytes(limit))
}

// fmtBytes renders n as bytes, KiB or MiB, whichever is exact.
func fmtBytes(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
