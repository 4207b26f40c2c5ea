package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// nest wraps inner in depth "not" groups.
func nest(depth int, inner string) string {
	return strings.Repeat(`{"not":`, depth) + inner + strings.Repeat(`}`, depth)
}

// conds returns an "and" group of n conditions.
func conds(n int) string {
	c := make([]string, n)
	for i := range c {
		c[i] = `{"field":"vip","op":"eq","value":true}`
	}
	return `{"and":[` + strings.Join(c, ",") + `]}`
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, wantPath, wantReason string
	}{
		{"empty input", ``, "filter", "empty filter"},
		{"malformed", `{"and":[`, "filter", "malformed JSON"},
		{"trailing data", `{"field":"vip","op":"eq","value":true} {}`, "filter", "malformed JSON"},
		{"not an object", `[1]`, "filter", "must be an object"},
		{"empty node", `{}`, "filter", "empty node"},
		{"unknown key", `{"field":"vip","op":"eq","value":true,"colour":"red"}`, "filter/colour", `unknown key "colour"`},
		{"unknown key nested", `{"and":[{"field":"vip","op":"eq","value":true},{"or":[{"feild":"x"}]}]}`, "filter/and/1/or/0/feild", `unknown key "feild"`},
		{"quoted key", `{"fie\"ld":"x"}`, `filter/fie"ld`, `unknown key "fie\"ld"`},
		{"duplicate key", `{"field":"vip","field":"score","op":"eq","value":1}`, "filter/field", `duplicate key "field"`},
		{"and with field", `{"and":[{"field":"vip","op":"eq","value":true}],"field":"vip"}`, "filter/field", `"and" group may not also hold "field"`},
		{"field with and", `{"field":"vip","and":[]}`, "filter/field", `"and" group may not also hold "field"`},
		{"and with or", `{"and":[],"or":[]}`, "filter/or", `only one of "and" and "or"`},
		{"empty and", `{"and":[]}`, "filter/and", `empty "and" group`},
		{"empty or nested", `{"and":[{"or":[]}]}`, "filter/and/0/or", `empty "or" group`},
		{"and not array", `{"and":{"field":"vip"}}`, "filter/and", "must be an array"},
		{"and null", `{"and":null}`, "filter/and", "must be an array"},
		{"not null", `{"not":null}`, "filter/not", "must be an object"},
		{"not array", `{"not":[]}`, "filter/not", "must be an object"},
		{"child not object", `{"or":[1]}`, "filter/or/0", "must be an object"},
		{"missing field", `{"op":"eq","value":1}`, "filter/field", "missing field"},
		{"field not string", `{"field":1,"op":"eq"}`, "filter/field", "non-empty string"},
		{"field empty", `{"field":"","op":"eq"}`, "filter/field", "non-empty string"},
		{"missing op", `{"field":"vip","value":true}`, "filter/op", "missing op"},
		{"op not string", `{"field":"vip","op":true}`, "filter/op", "op must be a string"},
		{"unknown op", `{"and":[{"field":"vip","op":"eq","value":true},{"field":"vip","op":"like","value":"x"}]}`, "filter/and/1/op", `unknown operator "like"`},
		{"too deep", nest(11, `{"field":"vip","op":"eq","value":true}`), "filter" + strings.Repeat("/not", 11), "deeper than 10"},
		{"too many conditions", conds(201), "filter/and/200", "more than 200 conditions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			checkInvalid(t, err, "invalid-filter", tt.wantPath, tt.wantReason)
		})
	}
}

func TestParseLimitsAllowed(t *testing.T) {
	for _, src := range []string{nest(10, `{"field":"vip","op":"eq","value":true}`), conds(200)} {
		n := mustParse(t, src)
		if _, _, err := Compile(n, testSchema(), 1); err != nil {
			t.Errorf("Compile: %v", err)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, src, wantPath, wantReason string
	}{
		{"unknown field", `{"and":[{"field":"vip","op":"eq","value":true},{"field":"vip","op":"eq","value":true},{"field":"foo","op":"eq","value":1}]}`, "filter/and/2/field", `unknown field "foo"`},
		{"unknown custom field", `{"field":"custom.nope","op":"eq","value":1}`, "filter/field", `unknown field "custom.nope"`},
		{"field with quotes", `{"field":"x'; DROP TABLE t; --","op":"eq","value":1}`, "filter/field", `unknown field "x'; DROP TABLE t; --"`},
		{"lt on bool", `{"field":"vip","op":"lt","value":true}`, "filter/op", `operator "lt" does not apply to bool field "vip"`},
		{"startsWith on number", `{"field":"score","op":"startsWith","value":"1"}`, "filter/op", `operator "startsWith" does not apply to number field "score"`},
		{"startsWith on enum", `{"field":"lifecycleStage","op":"startsWith","value":"le"}`, "filter/op", `does not apply to enum`},
		{"within on string", `{"field":"email","op":"within","value":"90d"}`, "filter/op", `operator "within" does not apply to string field "email"`},
		{"contains on uuid", `{"field":"ownerId","op":"contains","value":"a"}`, "filter/op", `does not apply to uuid`},
		{"eq on tags", `{"field":"tags","op":"eq","value":"a"}`, "filter/op", `does not apply to string array`},
		{"lt on string", `{"field":"email","op":"lt","value":"a"}`, "filter/op", `operator "lt" does not apply to string`},
		{"string for number", `{"not":{"field":"score","op":"eq","value":"7"}}`, "filter/not/value", `field "score" wants a whole number, got a string`},
		{"fraction for number", `{"field":"score","op":"eq","value":7.5}`, "filter/value", `wants a whole number, got a number`},
		{"huge number", `{"field":"score","op":"eq","value":1e30}`, "filter/value", `wants a whole number`},
		{"text for decimal", `{"field":"revenue","op":"gt","value":"12,5"}`, "filter/value", `field "revenue" wants a number or a string holding one, got "12,5"`},
		{"NaN string for decimal", `{"field":"revenue","op":"gt","value":"NaN"}`, "filter/value", `got "NaN"`},
		{"Infinity string for decimal", `{"field":"revenue","op":"gt","value":"Infinity"}`, "filter/value", `got "Infinity"`},
		{"hex string for decimal", `{"field":"revenue","op":"gt","value":"0x10"}`, "filter/value", `got "0x10"`},
		{"bare exponent for decimal", `{"field":"revenue","op":"gt","value":"1e"}`, "filter/value", `got "1e"`},
		{"decimal string overflow", `{"field":"revenue","op":"gt","value":"1e999"}`, "filter/value", `got "1e999"`},
		{"bool for decimal", `{"field":"revenue","op":"gt","value":true}`, "filter/value", `wants a number or a string holding one, got a boolean`},
		{"decimal overflow", `{"field":"revenue","op":"gt","value":1e999}`, "filter/value", `wants a number`},
		{"number for string", `{"field":"email","op":"eq","value":1}`, "filter/value", `wants a string, got a number`},
		{"object value", `{"field":"email","op":"eq","value":{"a":1}}`, "filter/value", `got an object`},
		{"array for eq", `{"field":"email","op":"eq","value":["a"]}`, "filter/value", `got an array`},
		{"string for bool", `{"field":"vip","op":"eq","value":"true"}`, "filter/value", `wants true or false, got a string`},
		{"enum member", `{"field":"lifecycleStage","op":"eq","value":"churned"}`, "filter/value", `"churned" is not a value of field "lifecycleStage"`},
		{"enum member in list", `{"field":"lifecycleStage","op":"in","value":["lead","churned"]}`, "filter/value/1", `"churned" is not a value`},
		{"bad uuid", `{"field":"ownerId","op":"eq","value":"nope"}`, "filter/value", `wants a UUID, got "nope"`},
		{"bad uuid in list", `{"field":"ownerId","op":"in","value":["0190c2b4-8a4c-7c9e-9c2e-3b1f4c6d8e01", 3]}`, "filter/value/1", `wants a UUID string, got a number`},
		{"bad time", `{"field":"createdAt","op":"lt","value":"yesterday"}`, "filter/value", `wants an RFC 3339 time, got "yesterday"`},
		{"year zero time", `{"field":"createdAt","op":"lt","value":"0000-01-01T00:00:00Z"}`, "filter/value", `wants an RFC 3339 time`},
		{"bad date", `{"field":"birthday","op":"eq","value":"1990-02-30"}`, "filter/value", `wants a date YYYY-MM-DD, got "1990-02-30"`},
		{"year zero date", `{"field":"birthday","op":"eq","value":"0000-01-01"}`, "filter/value", `wants a date`},
		{"missing value", `{"field":"email","op":"eq"}`, "filter/value", `missing value`},
		{"null value", `{"field":"email","op":"eq","value":null}`, "filter/value", `missing value`},
		{"null in list", `{"field":"email","op":"in","value":["a",null]}`, "filter/value/1", `missing value`},
		{"in not array", `{"field":"email","op":"in","value":"a"}`, "filter/value", `want an array, got a string`},
		{"in empty", `{"field":"email","op":"in","value":[]}`, "filter/value", `empty array`},
		{"in too long", `{"field":"score","op":"in","value":[` + strings.Repeat("1,", 500) + `1]}`, "filter/value", `more than 500 values`},
		{"tags contains empty", `{"field":"tags","op":"contains","value":[]}`, "filter/value", `empty array`},
		{"tags contains number", `{"field":"tags","op":"contains","value":[1]}`, "filter/value/0", `wants a string`},
		{"isEmpty string", `{"field":"email","op":"isEmpty","value":"yes"}`, "filter/value", `isEmpty wants true or false`},
		{"within bad", `{"field":"lastActivityAt","op":"within","value":"90"}`, "filter/value", `within wants a duration`},
		{"within minutes", `{"field":"lastActivityAt","op":"within","value":"90min"}`, "filter/value", `within wants a duration`},
		{"within negative", `{"field":"lastActivityAt","op":"within","value":"-90d"}`, "filter/value", `within wants a duration`},
		{"within zero", `{"field":"lastActivityAt","op":"within","value":"0d"}`, "filter/value", `within wants a duration`},
		{"within number", `{"field":"lastActivityAt","op":"within","value":90}`, "filter/value", `got a number`},
		{"within too long", `{"field":"lastActivityAt","op":"within","value":"101y"}`, "filter/value", `longer than 100 years`},
		{"within hours on date", `{"field":"birthday","op":"within","value":"12h"}`, "filter/value", `no duration in hours`},
		{"string too long", `{"field":"email","op":"contains","value":"` + strings.Repeat("a", 1001) + `"}`, "filter/value", `longer than 1000 bytes`},
		{"NUL in string", `{"field":"email","op":"eq","value":"a\u0000b"}`, "filter/value", `NUL`},
		{"custom wrong type", `{"field":"custom.budget","op":"gt","value":"lots"}`, "filter/value", `field "custom.budget" wants a number`},
		{"custom op", `{"field":"custom.trial","op":"gt","value":true}`, "filter/op", `operator "gt" does not apply to bool field "custom.trial"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustParse(t, tt.src)
			_, _, err := Compile(n, testSchema(), 1)
			checkInvalid(t, err, "invalid-filter", tt.wantPath, tt.wantReason)
		})
	}
}

func TestCompileNodeErrors(t *testing.T) {
	deep := Cond("vip", Eq, true)
	for range 11 {
		deep = Not(deep)
	}
	many := make([]*Node, 201)
	for i := range many {
		many[i] = Cond("vip", Eq, true)
	}
	tests := []struct {
		name               string
		node               *Node
		wantPath, wantText string
	}{
		{"zero node", &Node{}, "filter", "empty node"},
		{"nil child", And(Cond("vip", Eq, true), nil), "filter/and/1", "missing node"},
		{"group and cond", &Node{And: []*Node{Cond("vip", Eq, true)}, Field: "vip"}, "filter", "may not also hold a condition"},
		{"and and or", &Node{And: []*Node{}, Or: []*Node{}}, "filter", `only one of "and", "or" and "not"`},
		{"empty and", And(), "filter/and", `empty "and" group`},
		{"missing op", Cond("vip", "", true), "filter/op", "missing op"},
		{"missing field", Cond("", Eq, true), "filter/field", "missing field"},
		{"unknown op", Or(Cond("vip", "like", true)), "filter/or/0/op", `unknown operator "like"`},
		{"too deep", deep, "filter" + strings.Repeat("/not", 11), "deeper than 10"},
		{"too many", And(many...), "filter/and/200", "more than 200"},
		{"invalid utf8", Cond("email", Eq, "a\xffb"), "filter/value", "not valid UTF-8"},
		{"go NaN", Cond("revenue", Eq, nanValue()), "filter/value", "wants a number"},
		{"go uint overflow", Cond("score", Eq, uint64(1<<63)), "filter/value", "wants a whole number"},
		{"go struct", Cond("email", Eq, struct{}{}), "filter/value", "Go type struct {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Compile(tt.node, testSchema(), 1)
			checkInvalid(t, err, "invalid-filter", tt.wantPath, tt.wantText)
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		name   string
		schema Schema
		want   string
	}{
		{"no column", Schema{Fields: []Field{{Name: "a", Type: String}}}, `field "a" has no column`},
		{"no type", Schema{Fields: []Field{{Name: "a", Column: "a"}}}, `unknown type 0`},
		{"enum without values", Schema{Fields: []Field{{Name: "a", Column: "a", Type: Enum}}}, `no values`},
		{"marker mismatch", Schema{Fields: []Field{{Name: "a", Column: "x->>{?}", Type: String}}}, `1 argument markers and 0 arguments`},
		{"bad custom", Schema{CustomField: func(string) (Field, bool) { return Field{Type: String}, true }}, `has no column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Compile(Cond("a", IsEmpty, nil), tt.schema, 1)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Internal || !errors.Is(err, ErrSchema) {
				t.Fatalf("got %v, want an internal ErrSchema", err)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("got %q, want it to contain %q", e.Message, tt.want)
			}
		})
	}
	if err := testSchema().Validate(); err != nil {
		t.Errorf("testSchema: %v", err)
	}
	dup := Schema{Fields: []Field{{Name: "a", Column: "a", Type: String}, {Name: "a", Column: "b", Type: String}}}
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), "declared twice") {
		t.Errorf("got %v, want declared twice", err)
	}
	if _, _, err := Compile(nil, testSchema(), 0); !errors.Is(err, ErrSchema) {
		t.Errorf("firstParam 0: got %v, want ErrSchema", err)
	}
}

func TestErrorIsSentinel(t *testing.T) {
	_, _, err := Compile(Cond("nope", Eq, 1), testSchema(), 1)
	if !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("got %v, want errors.Is ErrInvalidFilter", err)
	}
	if errs.KindOf(err) != errs.Invalid {
		t.Errorf("got kind %v, want invalid", errs.KindOf(err))
	}
	if want := `invalid filter: unknown field "nope" at filter/field`; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}
