package kitx

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-crm/rapport/libs/errs"
)

// DefaultBodyLimit is the largest request body Decode accepts when given no
// limit: 1 MiB.
const DefaultBodyLimit int64 = 1 << 20

// The errors Decode returns. Each is returned with a more specific detail
// and, where a field is at fault, the field's JSON path in Fields.
var (
	ErrUnsupportedMediaType = errs.New(errs.UnsupportedMediaType, "unsupported-media-type", "the request body must be JSON")
	ErrEmptyBody            = errs.New(errs.Invalid, "empty-body", "the request body is empty")
	ErrMalformedJSON        = errs.New(errs.Invalid, "malformed-json", "the request body is not valid JSON")
	ErrUnknownField         = errs.New(errs.Invalid, "unknown-field", "the request body has an unknown field")
	ErrDuplicateField       = errs.New(errs.Invalid, "duplicate-field", "a field of the request body appears twice")
	ErrInvalidText          = errs.New(errs.Invalid, "invalid-text", "a text of the request is not valid UTF-8 or holds a control character")
	ErrWrongType            = errs.New(errs.Invalid, "wrong-type", "a field of the request body has the wrong type")
	ErrTrailingData         = errs.New(errs.Invalid, "trailing-data", "the request body has data after the JSON value")
	ErrBodyTooLarge         = errs.New(errs.TooLarge, "body-too-large", "the request body is too large")
)

// Decode reads r's JSON body into dst strictly: the Content-Type must be
// application/json or a +json type (else ErrUnsupportedMediaType), a body
// over limit bytes (DefaultBodyLimit when limit <= 0) is ErrBodyTooLarge,
// and the rest is DecodeJSON's.
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
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return tooLarge(limit)
		}
		return ErrMalformedJSON.WithDetail("the request body could not be read: %s", err.Error())
	}
	return DecodeJSON(data, dst)
}

// DecodeJSON decodes one JSON value from data into dst strictly, as a
// request body must be. Every error is Invalid and names what is wrong in
// the words of the client's JSON:
//
//   - malformed JSON (ErrMalformedJSON) and data after the value
//     (ErrTrailingData) give the byte offset, an empty body is ErrEmptyBody;
//   - a member dst has no field for (ErrUnknownField; names match exactly),
//     a member that appears twice in an object (ErrDuplicateField), and a
//     value of the wrong JSON type (ErrWrongType, saying which type the field
//     takes) name the field by its JSON path ("emails/0/address");
//   - text that is not valid UTF-8, or a string or member name holding a
//     control character other than tab, line feed and carriage return
//     (PostgreSQL's text cannot hold U+0000, and exports could not carry the
//     rest), is ErrInvalidText naming the field.
//
// A field's UnmarshalJSON may return an *errs.Error of its own, which is
// returned as it is.
func DecodeJSON(data []byte, dst any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return ErrEmptyBody
	}
	if err := checkText(data); err != nil {
		return err
	}
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	if err := json.UnmarshalDecode(dec, dst, json.RejectUnknownMembers(true)); err != nil {
		return decodeError(err, data)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
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
