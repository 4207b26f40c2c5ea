package customfields

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// The limits of a decimal custom field's value, in digits before and after
// the point once trailing zeros are dropped.
const (
	maxDecimalInteger  = 30
	maxDecimalFraction = 10
)

// decimalSyntax is what a decimal is written as: JSON's number syntax
// (leading zeros allowed, for values stored before it was enforced). NaN,
// infinities, hex and a sign other than a leading minus are not numbers.
var decimalSyntax = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// decimalReason is why a value is not a decimal, for field errors.
var decimalReason = fmt.Sprintf(`must be a decimal number, as a JSON number (12500.5) or a string ("12500.50"), `+
	`with at most %d digits before the point and %d after`, maxDecimalInteger, maxDecimalFraction)

// decimalText returns the canonical text of a decimal custom field value:
// plain notation without exponent, leading or trailing zeros, or a minus on
// zero ("12500.50", 12500.5 and 1.25005e4 are all "12500.5"). val is a JSON
// number (json.Number, as customFields decode, or float64, as stored
// numbers read) or a string holding one. The decimal is exact: apd parses
// the text, never a float.
func decimalText(val any) (string, bool) {
	var s string
	switch x := val.(type) {
	case string:
		s = x
	case json.Number:
		s = string(x)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return "", false
	}
	if !decimalSyntax.MatchString(s) {
		return "", false
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		return "", false
	}
	d.Reduce(d)
	if d.IsZero() {
		return "0", true
	}
	digits, exp := d.NumDigits(), int64(d.Exponent)
	if digits+exp > maxDecimalInteger || -exp > maxDecimalFraction {
		return "", false
	}
	return d.Text('f'), true
}

// Values are the custom field values of a record by key. They decode
// numbers as json.Number, so a decimal sent as a JSON number keeps every
// digit it was written with (decimalText).
type Values map[string]any

// UnmarshalJSON implements json.Unmarshaler. Values are a record's
// customFields, which its type errors name.
func (c *Values) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*c = nil
		return nil
	}
	var m map[string]any
	if len(data) == 0 || data[0] != '{' || DecodeNumbers(data, &m) != nil {
		e := kitx.ErrWrongType.WithDetail(`field "customFields" must be an object`)
		e.Fields = []errs.FieldError{{Field: "customFields", Reason: "must be an object"}}
		return e
	}
	*c = m
	return nil
}

// DecodeNumbers decodes JSON into v with numbers as json.Number.
func DecodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
