package customfields

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestValue(t *testing.T) {
	sel := Field{Type: "singleSelect", Options: []string{"gold", "silver"}}
	multi := Field{Type: "multiSelect", Options: []string{"a", "b"}}
	tests := []struct {
		name   string
		def    Field
		val    any
		wantOK bool
	}{
		{"text", Field{Type: "text"}, "hello", true},
		{"text not string", Field{Type: "text"}, 3.0, false},
		{"number", Field{Type: "number"}, 3.5, true},
		{"number as string", Field{Type: "number"}, "3.5", false},
		{"decimal", Field{Type: "decimal"}, "12.50", true},
		{"decimal malformed", Field{Type: "decimal"}, "12,50", false},
		{"date", Field{Type: "date"}, "2024-02-29", true},
		{"date invalid", Field{Type: "date"}, "2023-02-29", false},
		{"datetime", Field{Type: "datetime"}, "2024-01-02T03:04:05+08:00", true},
		{"datetime no zone", Field{Type: "datetime"}, "2024-01-02T03:04:05", false},
		{"boolean", Field{Type: "boolean"}, true, true},
		{"boolean string", Field{Type: "boolean"}, "true", false},
		{"single select", sel, "gold", true},
		{"single select other", sel, "bronze", false},
		{"multi select", multi, []any{"a", "b"}, true},
		{"multi select duplicate", multi, []any{"a", "a"}, false},
		{"multi select other", multi, []any{"c"}, false},
		{"currency", Field{Type: "currency"}, map[string]any{"amountMinor": 1999.0, "currency": "EUR"}, true},
		{"currency fraction", Field{Type: "currency"}, map[string]any{"amountMinor": 19.5, "currency": "EUR"}, false},
		{"currency bad code", Field{Type: "currency"}, map[string]any{"amountMinor": 1.0, "currency": "EURO"}, false},
		{"url", Field{Type: "url"}, "https://example.com/x", true},
		{"url ftp", Field{Type: "url"}, "ftp://example.com", false},
		{"email", Field{Type: "email"}, "A@Example.com", true},
		{"email invalid", Field{Type: "email"}, "not-an-email", false},
		{"phone", Field{Type: "phone"}, "+44 20 7946 0958", true},
		{"phone invalid", Field{Type: "phone"}, "12", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason := value(tt.def, tt.val, "US")
			if got := reason == ""; got != tt.wantOK {
				t.Errorf("value(%v) ok = %v (%s), want %v", tt.val, got, reason, tt.wantOK)
			}
		})
	}
}

// fieldErrors returns the field errors of err by field, or nil.
func fieldErrors(err error) map[string]string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return nil
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Reason
	}
	return out
}

func TestCheck(t *testing.T) {
	defs := map[string]Field{
		"budget":  {Key: "budget", Type: "decimal"},
		"tier":    {Key: "tier", Type: "singleSelect", Options: []string{"gold", "silver"}, Required: true},
		"mobile":  {Key: "mobile", Type: "phone"},
		"renewal": {Key: "renewal", Type: "datetime"},
	}
	values := map[string]any{
		"budget":  json.Number("12500.50"),
		"mobile":  "138 1234 5678",
		"renewal": "2026-01-02T08:00:00+08:00",
		"gone":    nil,
		"unknown": "x",
	}
	v := errs.NewValidator()
	Check(v, defs, values, "CN")
	want := map[string]any{"budget": "12500.5", "mobile": "+8613812345678", "renewal": "2026-01-02T00:00:00Z", "unknown": "x"}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("normalised values = %v, want %v", values, want)
	}
	got := fieldErrors(v.Err())
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, []string{"customFields/tier", "customFields/unknown"}) {
		t.Errorf("errors on %v, want customFields/tier (required) and customFields/unknown", got)
	}
	if got["customFields/tier"] != "is required" {
		t.Errorf("customFields/tier: %q, want is required", got["customFields/tier"])
	}
}

func TestVisible(t *testing.T) {
	defs := map[string]Field{"tier": {Key: "tier", Type: "singleSelect", Options: []string{"gold"}}, "n": {Key: "n", Type: "number"}}
	stored := map[string]any{"tier": "gold", "n": "not a number any more", "deleted": "kept in the row"}
	if got := Visible(defs, stored, ""); !reflect.DeepEqual(got, map[string]any{"tier": "gold"}) {
		t.Errorf("Visible = %v, want only tier", got)
	}
}

func TestValidate(t *testing.T) {
	entities := []string{"lead", "opportunity"}
	d := Field{Entity: "lead", Key: "budget_band", Label: " Budget ", Type: "singleSelect", Options: []string{"low", "high"}}
	if err := d.Validate(nil, entities...); err != nil || d.Label != "Budget" {
		t.Fatalf("Validate = %v, label %q", err, d.Label)
	}
	bad := Field{Entity: "contact", Key: "Budget", Label: "", Type: "money", Options: []string{"a"}}
	got := fieldErrors(bad.Validate(nil, entities...))
	for _, f := range []string{"entity", "key", "label", "type", "options"} {
		if got[f] == "" {
			t.Errorf("no error on %s: %v", f, got)
		}
	}
	if got["entity"] != "must be lead or opportunity" {
		t.Errorf("entity error %q", got["entity"])
	}
	next := d
	next.Key, next.Type, next.Options = "other", "multiSelect", []string{"high", "mid"}
	got = fieldErrors(next.Validate(&d, entities...))
	if got["key"] != "is immutable" || got["type"] != "is immutable" || got["options"] == "" {
		t.Errorf("an update changing key and type and dropping an option: %v", got)
	}
	dup := Field{Entity: "lead", Key: "k", Label: "K", Type: "multiSelect", Options: []string{"a", "a"}}
	if got := fieldErrors(dup.Validate(nil, entities...)); got["options/1"] == "" {
		t.Errorf("a repeated option: %v", got)
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{"EUR": true, "CNY": true, "eur": false, "EURO": false, "": false} {
		if got := ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
}
