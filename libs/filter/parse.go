package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// Root is the path of the top node in error paths.
const Root = "filter"

// Parse decodes a filter from JSON strictly: every node is an object with
// exactly one of "and", "or", "not" or a condition ("field", "op", optional
// "value"); unknown or repeated keys, empty groups, unknown operators,
// nesting deeper than MaxDepth and more than MaxConditions conditions are
// errors. The JSON literal null parses to a nil Node, meaning "no filter".
//
// Numbers in values become json.Number, arrays []any. Parse does not know
// the fields; Compile checks them against a Schema. Every error is an
// ErrInvalidFilter copy whose FieldError names the path of the offending
// node, such as "filter/or/1/op".
func Parse(data []byte) (*Node, error) {
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		return nil, nil
	}
	if len(trimmed) == 0 {
		return nil, invalid(Root, "empty filter")
	}
	if !json.Valid(trimmed) {
		return nil, invalid(Root, "malformed JSON")
	}
	p := parser{}
	return p.node(trimmed, Root, 0)
}

// parser carries the running condition count.
type parser struct {
	conditions int
}

// node parses one node, known to be syntactically valid JSON.
func (p *parser) node(raw json.RawMessage, path string, depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, invalid(path, "nested deeper than %d groups", MaxDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalid(path, "a node must be an object")
	}
	members := map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid(path, "malformed JSON")
		}
		key, _ := tok.(string)
		if _, dup := members[key]; dup {
			return nil, invalid(path+"/"+key, "duplicate key %s", quote(key))
		}
		switch key {
		case "and", "or", "not", "field", "op", "value":
		default:
			return nil, invalid(path+"/"+key, "unknown key %s", quote(key))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, invalid(path+"/"+key, "malformed JSON")
		}
		members[key] = v
		order = append(order, key)
	}
	var groups, conds []string
	for _, k := range order {
		switch k {
		case "and", "or", "not":
			groups = append(groups, k)
		default:
			conds = append(conds, k)
		}
	}
	switch {
	case len(groups) == 0 && len(conds) == 0:
		return nil, invalid(path, `empty node: want "and", "or", "not" or "field"`)
	case len(groups) > 1:
		return nil, invalid(path+"/"+groups[1], "a node may hold only one of %q and %q", groups[0], groups[1])
	case len(groups) == 1 && len(conds) > 0:
		return nil, invalid(path+"/"+conds[0], "a %q group may not also hold %q", groups[0], conds[0])
	case len(groups) == 1:
		return p.group(groups[0], members[groups[0]], path+"/"+groups[0], depth)
	}
	return p.cond(members, path)
}

// group parses the member of an and, or or not group.
func (p *parser) group(kind string, raw json.RawMessage, path string, depth int) (*Node, error) {
	if kind == "not" {
		child, err := p.node(raw, path, depth+1)
		if err != nil {
			return nil, err
		}
		return &Node{Not: child}, nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, invalid(path, "%q must be an array of nodes", kind)
	}
	if len(items) == 0 {
		return nil, invalid(path, "empty %q group", kind)
	}
	children := make([]*Node, len(items))
	for i, item := range items {
		child, err := p.node(item, path+"/"+strconv.Itoa(i), depth+1)
		if err != nil {
			return nil, err
		}
		children[i] = child
	}
	if kind == "and" {
		return &Node{And: children}, nil
	}
	return &Node{Or: children}, nil
}

// cond parses a condition's members.
func (p *parser) cond(members map[string]json.RawMessage, path string) (*Node, error) {
	p.conditions++
	if p.conditions > MaxConditions {
		return nil, invalid(path, "more than %d conditions", MaxConditions)
	}
	n := &Node{}
	raw, ok := members["field"]
	if !ok {
		return nil, invalid(path+"/field", "missing field")
	}
	if raw[0] != '"' || json.Unmarshal(raw, &n.Field) != nil || n.Field == "" {
		return nil, invalid(path+"/field", "field must be a non-empty string")
	}
	raw, ok = members["op"]
	if !ok {
		return nil, invalid(path+"/op", "missing op")
	}
	var op string
	if raw[0] != '"' || json.Unmarshal(raw, &op) != nil {
		return nil, invalid(path+"/op", "op must be a string")
	}
	n.Op = Op(op)
	if !ops[n.Op] {
		return nil, invalid(path+"/op", "unknown operator %s", quote(op))
	}
	if raw, ok := members["value"]; ok {
		v, err := decodeValue(raw)
		if err != nil {
			return nil, invalid(path+"/value", "malformed value")
		}
		n.Value = v
	}
	return n, nil
}

// decodeValue decodes a value with numbers kept as json.Number.
func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	return v, nil
}
