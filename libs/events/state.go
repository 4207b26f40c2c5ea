package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// bookkeeping are the fields every change moves, which ChangedFields leaves
// out.
var bookkeeping = []string{"updatedAt", "version"}

// ChangedFields names the top-level JSON fields that differ between before
// and after, sorted, leaving out the bookkeeping fields updatedAt and
// version. Fields compare by their JSON encoding, so numbers compare
// exactly; with no change it returns an empty list, not nil.
func ChangedFields(before, after any) ([]string, error) {
	b, err := toRawMap(before)
	if err != nil {
		return nil, err
	}
	a, err := toRawMap(after)
	if err != nil {
		return nil, err
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			b[k] = nil
		}
	}
	changed := []string{}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if !slices.Contains(bookkeeping, k) && string(b[k]) != string(a[k]) {
			changed = append(changed, k)
		}
	}
	return changed, nil
}

// ToMap returns v's JSON object as a map, its numbers as json.Number so
// that they encode again exactly as they were.
func ToMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return m, nil
}

// toRawMap returns v's JSON object with each field's encoding.
func toRawMap(v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return m, nil
}
