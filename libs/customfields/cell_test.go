package customfields

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// TestFromCell checks what a cell gives each type, and that Check takes
// the good values and refuses the bad ones as for any write.
func TestFromCell(t *testing.T) {
	defs := map[string]Field{"n": {Key: "n", Type: "number"}, "b": {Key: "b", Type: "boolean"},
		"m": {Key: "m", Type: "multiSelect", Options: []string{"a", "b"}}, "c": {Key: "c", Type: "currency"}, "t": {Key: "t", Type: "text"}}
	tests := []struct {
		key, cell string
		want      any
		ok        bool
	}{
		{"n", "3.5", json.Number("3.5"), true},
		{"n", "many", json.Number("many"), false},
		{"b", "Yes", true, true},
		{"b", "否", false, true},
		{"b", "maybe", "maybe", false},
		{"m", "a; b;", []any{"a", "b"}, true},
		{"c", `{"amountMinor": 1999, "currency": "EUR"}`, map[string]any{"amountMinor": json.Number("1999"), "currency": "EUR"}, true},
		{"t", "=1+1", "=1+1", true},
	}
	for _, tt := range tests {
		got := FromCell(defs[tt.key], tt.cell)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %q: %#v, want %#v", tt.key, tt.cell, got, tt.want)
		}
		v := errs.NewValidator()
		Check(v, map[string]Field{tt.key: defs[tt.key]}, Values{tt.key: got}, "")
		if ok := v.Err() == nil; ok != tt.ok {
			t.Errorf("%s %q: checked %v (%v), want %v", tt.key, tt.cell, ok, v.Err(), tt.ok)
		}
	}
}
