package ergonomics

import (
	"bytes"
	"encoding/json"
)

// sparse keeps, in each item of the list body, only the members names lists
// and "id". known are the items' member names when the OpenAPI document
// tells them (already checked); nil makes the names the page's items carry
// the known ones, and a name none of them has is refused.
func sparse(body []byte, names []string, known map[string]bool) ([]byte, error) {
	var list map[string]json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, notAList()
	}
	var items []map[string]json.RawMessage
	if raw, ok := list["items"]; !ok || json.Unmarshal(raw, &items) != nil {
		return nil, notAList()
	}
	if known == nil {
		known = map[string]bool{}
		for _, it := range items {
			for k := range it {
				known[k] = true
			}
		}
		for _, n := range names {
			if !known[n] && n != "id" {
				return nil, unknownField(n)
			}
		}
	}
	keep := map[string]bool{"id": true}
	for _, n := range names {
		keep[n] = true
	}
	for _, it := range items {
		for k := range it {
			if !keep[k] {
				delete(it, k)
			}
		}
	}
	raw, err := marshal(items)
	if err != nil {
		return nil, err
	}
	list["items"] = raw
	return marshal(list)
}

// marshal encodes v without escaping HTML characters, as the services do.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
