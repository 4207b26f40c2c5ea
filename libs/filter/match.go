package filter

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Match evaluates n over doc in Go, with the result Compile's SQL gives on
// a row whose fields are read as JSONBField reads a jsonb column: the value
// of a field is doc's member named by the field's Name, or, when no member
// has the whole name, the member reached by its dot-separated segments
// ("data.amount" is doc["data"]["amount"]). A value of the wrong JSON type
// for the field (a string where a number is wanted, a time that does not
// parse) counts as missing, as does an absent or null one; a condition on a
// missing value is false, but for ne and isEmpty, and "not" negates to
// true, as Compile's IS NOT TRUE does. Numbers compare exactly (decode doc
// with json.Decoder.UseNumber to keep their precision). A nil n matches
// every doc.
//
// n is checked as Compile checks it (the same errors, an ErrInvalidFilter
// copy naming the path for the user's mistakes), so a filter is accepted by
// one exactly when it is accepted by the other.
func Match(n *Node, s Schema, doc map[string]any) (bool, error) {
	if _, _, err := Compile(n, s, 1); err != nil {
		return false, err
	}
	if n == nil {
		return true, nil
	}
	return matchNode(n, s, doc, time.Now())
}

// matchNode evaluates a node Compile accepted, its unknown (NULL) results
// counted false: Compile's only negation is IS NOT TRUE, so an AND or OR
// with an unknown member is true exactly when it is with false instead.
func matchNode(n *Node, s Schema, doc map[string]any, now time.Time) (bool, error) {
	switch {
	case n.Not != nil:
		ok, err := matchNode(n.Not, s, doc, now)
		return !ok, err
	case n.And != nil:
		for _, c := range n.And {
			if ok, err := matchNode(c, s, doc, now); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case n.Or != nil:
		for _, c := range n.Or {
			if ok, err := matchNode(c, s, doc, now); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	f, _, err := s.Lookup(n.Field)
	if err != nil {
		return false, err
	}
	return matchCond(n, f, lookupDoc(doc, f.Name), now)
}

// lookupDoc returns doc's member called name, else the one its
// dot-separated segments reach; nil when there is none.
func lookupDoc(doc map[string]any, name string) any {
	if v, ok := doc[name]; ok {
		return v
	}
	var cur any = doc
	for _, seg := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[seg]
	}
	return cur
}

// matchCond evaluates a condition Compile accepted on raw, the document's
// value of f.
func matchCond(n *Node, f Field, raw any, now time.Time) (bool, error) {
	v, present := typed(raw, f)
	if n.Op == IsEmpty {
		empty := true
		if b, ok := n.Value.(bool); ok {
			empty = b
		}
		isEmpty := !present
		switch f.Type {
		case String:
			isEmpty = !present || v.(string) == ""
		case StringArray:
			isEmpty = !present || len(v.([]string)) == 0
		}
		return isEmpty == empty, nil
	}
	if n.Op == Ne {
		if !present {
			return true, nil
		}
		want, err := scalar(n.Value, f, "")
		if err != nil {
			return false, err
		}
		return compare(v, want, f) != 0, nil
	}
	if !present {
		return false, nil
	}
	switch n.Op {
	case Within:
		return matchWithin(v, n.Value, f, now)
	case In:
		items, _ := asList(n.Value)
		for _, it := range items {
			want, err := scalar(it, f, "")
			if err != nil {
				return false, err
			}
			if f.Type == StringArray {
				if contains(v.([]string), want.(string)) {
					return true, nil
				}
				continue
			}
			if compare(v, want, f) == 0 {
				return true, nil
			}
		}
		return false, nil
	case Contains:
		if f.Type == StringArray {
			items, isList := asList(n.Value)
			if !isList {
				items = []any{n.Value}
			}
			for _, it := range items {
				want, err := scalar(it, f, "")
				if err != nil {
					return false, err
				}
				if !contains(v.([]string), want.(string)) {
					return false, nil
				}
			}
			return true, nil
		}
		want, _ := n.Value.(string)
		return strings.Contains(strings.ToLower(v.(string)), strings.ToLower(want)), nil
	case StartsWith:
		want, _ := n.Value.(string)
		return strings.HasPrefix(strings.ToLower(v.(string)), strings.ToLower(want)), nil
	}
	want, err := scalar(n.Value, f, "")
	if err != nil {
		return false, err
	}
	c := compare(v, want, f)
	switch n.Op {
	case Eq:
		return c == 0, nil
	case Lt:
		return c < 0, nil
	case Lte:
		return c <= 0, nil
	case Gt:
		return c > 0, nil
	case Gte:
		return c >= 0, nil
	}
	return false, schemaErr("operator %q has no evaluation", n.Op)
}

// typed converts raw, a JSON value, to f's Go form (string, *big.Rat, bool,
// time.Time, a "YYYY-MM-DD" string, a uuid.UUID or []string) and reports
// whether it has one: false for a missing value or one of the wrong type.
func typed(raw any, f Field) (any, bool) {
	if raw == nil {
		return nil, false
	}
	switch f.Type {
	case String, Enum:
		return text(raw), true
	case Number, Decimal:
		return rat(raw)
	case Bool:
		b, ok := raw.(bool)
		return b, ok
	case Time:
		s, ok := raw.(string)
		if !ok {
			return nil, false
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	case Date:
		s, ok := raw.(string)
		if !ok {
			return nil, false
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format(time.DateOnly), true
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.Format(time.DateOnly), err == nil
	case UUID:
		s, ok := raw.(string)
		if !ok {
			return nil, false
		}
		id, err := uuid.Parse(s)
		return id, err == nil
	case StringArray:
		items, ok := raw.([]any)
		if !ok {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			if it != nil {
				out = append(out, text(it))
			}
		}
		return out, true
	}
	return nil, false
}

// text renders a JSON value as PostgreSQL's ->> does: a string as itself,
// anything else as its JSON text.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// rat converts a JSON number (json.Number or a Go number) to an exact
// rational; false for anything else.
func rat(v any) (*big.Rat, bool) {
	if _, isString := v.(string); isString {
		return nil, false
	}
	d, ok := decimal(v)
	if !ok {
		return nil, false
	}
	return new(big.Rat).SetString(d)
}

// compare orders v (typed's form) against want (scalar's form) for f:
// negative, zero or positive; for types without an order, zero means equal.
func compare(v, want any, f Field) int {
	switch f.Type {
	case Number, Decimal:
		var w *big.Rat
		switch x := want.(type) {
		case int64:
			w = new(big.Rat).SetInt64(x)
		case string:
			w, _ = new(big.Rat).SetString(x)
		}
		if w == nil {
			return 1
		}
		return v.(*big.Rat).Cmp(w)
	case Time:
		return v.(time.Time).Compare(want.(time.Time))
	case Date:
		return strings.Compare(v.(string), want.(string))
	case UUID:
		return strings.Compare(v.(uuid.UUID).String(), want.(string))
	case Bool:
		if v.(bool) == want.(bool) {
			return 0
		}
		return 1
	}
	return strings.Compare(v.(string), want.(string))
}

// matchWithin evaluates a within condition (its duration checked by Compile)
// on v, a Time or Date value: it lies between now less the duration and now.
func matchWithin(v any, d any, f Field, now time.Time) (bool, error) {
	s, _ := d.(string)
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return false, schemaErr("within %q not checked", s)
	}
	k, _ := strconv.Atoi(m[1])
	var from time.Time
	switch m[2] {
	case "h":
		from = now.Add(-time.Duration(k) * time.Hour)
	case "d":
		from = now.AddDate(0, 0, -k)
	case "w":
		from = now.AddDate(0, 0, -7*k)
	case "m":
		from = now.AddDate(0, -k, 0)
	default:
		from = now.AddDate(-k, 0, 0)
	}
	if f.Type == Date {
		day := v.(string)
		return day >= from.Format(time.DateOnly) && day <= now.Format(time.DateOnly), nil
	}
	t := v.(time.Time)
	return !t.Before(from) && !t.After(now), nil
}
