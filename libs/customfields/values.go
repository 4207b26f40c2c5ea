package customfields

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/currency"

	"github.com/rapport-crm/rapport/libs/email"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/phone"
)

// Length limits of custom field values, in characters.
const (
	maxText     = 1000
	maxLongText = 65535
)

// Check validates values against the definitions defs (by key) and
// normalises them in place, reading phone numbers in region
// (phone.Normalize): unknown keys, wrong types, options outside the
// definition and missing required values are recorded in v as
// customFields/<key>; null values are dropped (a merge patch's way of
// removing a value).
func Check(v *errs.Validator, defs map[string]Field, values map[string]any, region string) {
	for _, key := range slices.Sorted(maps.Keys(values)) {
		val, path := values[key], "customFields/"+key
		if val == nil {
			delete(values, key)
			continue
		}
		d, ok := defs[key]
		if !ok {
			v.Check(false, path, "no custom field is defined with this key")
			continue
		}
		norm, reason := value(d, val, region)
		v.Check(reason == "", path, reason)
		values[key] = norm
	}
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		if _, ok := values[key]; defs[key].Required && !ok {
			v.Check(false, "customFields/"+key, "is required")
		}
	}
}

// Visible returns the values of stored that have a definition
// they are valid for; the others (deleted or retyped definitions) are hidden.
func Visible(defs map[string]Field, stored map[string]any, region string) map[string]any {
	out := map[string]any{}
	for key, val := range stored {
		if d, ok := defs[key]; ok {
			if norm, reason := value(d, val, region); reason == "" {
				out[key] = norm
			}
		}
	}
	return out
}

// value checks val against d and returns its normalised form, or the
// reason it is invalid.
func value(d Field, val any, region string) (any, string) {
	switch d.Type {
	case "text", "longText":
		s, ok := val.(string)
		limit := map[string]int{"text": maxText, "longText": maxLongText}[d.Type]
		if !ok || utf8.RuneCountInString(s) > limit {
			return nil, fmt.Sprintf("must be a string of at most %d characters", limit)
		}
		return s, ""
	case "number":
		f, ok := jsonNumber(val)
		if !ok {
			return nil, "must be a number"
		}
		return f, ""
	case "decimal":
		s, ok := decimalText(val)
		if !ok {
			return nil, decimalReason
		}
		return s, ""
	case "date":
		s, ok := val.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return nil, "must be a date such as 2024-12-31"
		}
		return s, ""
	case "datetime":
		s, ok := val.(string)
		t, err := time.Parse(time.RFC3339, s)
		if !ok || err != nil {
			return nil, "must be an RFC 3339 time such as 2024-12-31T23:59:00Z"
		}
		return t.UTC().Format(time.RFC3339Nano), ""
	case "boolean":
		if _, ok := val.(bool); !ok {
			return nil, "must be true or false"
		}
		return val, ""
	case "singleSelect":
		s, ok := val.(string)
		if !ok || !slices.Contains(d.Options, s) {
			return nil, "must be one of the options: " + strings.Join(d.Options, ", ")
		}
		return s, ""
	case "multiSelect":
		return multiSelectValue(d, val)
	case "currency":
		return currencyValue(val)
	case "url":
		s, ok := val.(string)
		u, err := url.Parse(s)
		if !ok || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2048 {
			return nil, "must be an http or https URL"
		}
		return s, ""
	case "email":
		s, ok := val.(string)
		s = strings.ToLower(strings.TrimSpace(s))
		if !ok || !email.Valid(s) {
			return nil, "must be an email address"
		}
		return s, ""
	case "phone":
		s, ok := val.(string)
		if !ok {
			return nil, "must be a phone number in a string"
		}
		e164, err := phone.Normalize(s, region)
		if err != nil {
			return nil, "phone number " + err.Error()
		}
		return e164, ""
	}
	return nil, "has a definition of unknown type " + d.Type
}

// multiSelectValue checks a list of distinct options.
func multiSelectValue(d Field, val any) (any, string) {
	list, ok := val.([]any)
	reason := "must be a list of distinct options from: " + strings.Join(d.Options, ", ")
	if !ok {
		return nil, reason
	}
	seen := map[string]bool{}
	for _, item := range list {
		s, ok := item.(string)
		if !ok || seen[s] || !slices.Contains(d.Options, s) {
			return nil, reason
		}
		seen[s] = true
	}
	return list, ""
}

// currencyValue checks an amount in minor units with its currency.
func currencyValue(val any) (any, string) {
	const reason = `must be {"amountMinor": integer, "currency": ISO 4217 code}`
	obj, ok := val.(map[string]any)
	if !ok || len(obj) != 2 {
		return nil, reason
	}
	amount, ok := jsonNumber(obj["amountMinor"])
	code, ok2 := obj["currency"].(string)
	if !ok || !ok2 || amount != math.Trunc(amount) || math.Abs(amount) > 1<<53 || !ValidCurrency(code) {
		return nil, reason
	}
	return map[string]any{"amountMinor": amount, "currency": code}, ""
}

// jsonNumber returns a finite JSON number as a float64: val decoded as
// json.Number (customFields) or float64 (stored values).
func jsonNumber(val any) (float64, bool) {
	f, ok := val.(float64)
	if n, isNumber := val.(json.Number); isNumber {
		var err error
		f, err = n.Float64()
		ok = err == nil
	}
	return f, ok && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// ValidCurrency reports whether s is an ISO 4217 code, as a currency
// field's value holds.
func ValidCurrency(s string) bool {
	u, err := currency.ParseISO(s)
	return err == nil && u.String() == s
}
