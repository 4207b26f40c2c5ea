package filter

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// fuzzSchema is testSchema whose resolver also accepts any custom key as a
// string field, so hostile keys reach the compiler.
func fuzzSchema() Schema {
	s := testSchema()
	s.CustomField = func(name string) (Field, bool) {
		if f, ok := customFields(name); ok {
			return f, true
		}
		return anyCustom(name)
	}
	return s
}

// columnPatterns match the rendered column expressions of fuzzSchema,
// longest first: static columns and the JSONBField shapes of every type.
func columnPatterns() []*regexp.Regexp {
	var templates []string
	for _, f := range testSchema().Fields {
		templates = append(templates, f.Column)
	}
	for _, typ := range []Type{String, Number, Bool, Time, Date, UUID, StringArray} {
		templates = append(templates, JSONBField("x", "custom_fields", "k", typ).Column)
	}
	sort.Slice(templates, func(i, j int) bool { return len(templates[i]) > len(templates[j]) })
	var res []*regexp.Regexp
	for _, tpl := range templates {
		expr := strings.ReplaceAll(regexp.QuoteMeta(tpl), regexp.QuoteMeta(ArgMarker), `\$\d+`)
		if plainIdent.MatchString(tpl) {
			expr = `\b` + expr + `\b`
		}
		res = append(res, regexp.MustCompile(expr))
	}
	return res
}

var (
	fuzzColumns = columnPatterns()
	sqlToken    = regexp.MustCompile(`^(\$\d+|[A-Za-z_]+|::|<>|<=|>=|&&|@>|''|[()\[\],=<>-]|0|\s+)`)
	placeholder = regexp.MustCompile(`\$(\d+)`)
	vocabulary  = map[string]bool{
		"AND": true, "OR": true, "IS": true, "NOT": true, "TRUE": true, "NULL": true,
		"DISTINCT": true, "FROM": true, "IN": true, "ILIKE": true, "ARRAY": true,
		"text": true, "interval": true, "date": true, "now": true, "current_date": true,
		"cardinality": true, "COL": true,
	}
)

// collectStrings collects every string in a decoded JSON value, keys included, and
// the key part of "custom." names.
func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
		if k, ok := strings.CutPrefix(x, "custom."); ok {
			*out = append(*out, k)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			collectStrings(e, out)
		}
	}
}

func FuzzCompile(f *testing.F) {
	seeds := []string{
		`{"and":[{"field":"tags","op":"contains","value":"purchase-intent"},{"field":"lastActivityAt","op":"within","value":"90d"},{"field":"lifecycleStage","op":"ne","value":"customer"}]}`,
		`{"or":[{"field":"firstName","op":"startsWith","value":"张"},{"not":{"field":"email","op":"isEmpty"}}]}`,
		`{"field":"email","op":"contains","value":"'; DROP TABLE contacts; --"}`,
		`{"field":"custom.a'b\"c; DROP TABLE x; --","op":"eq","value":"x"}`,
		`{"field":"custom.budget","op":"gte","value":1e3}`,
		`{"field":"custom.regions","op":"in","value":["emea","apac"]}`,
		`{"field":"score","op":"in","value":[1,2,3]}`,
		`{"field":"revenue","op":"lt","value":12.50}`,
		`{"field":"createdAt","op":"gte","value":"2026-05-01T09:30:00+02:00"}`,
		`{"field":"birthday","op":"within","value":"3m"}`,
		`{"field":"ownerId","op":"eq","value":"0190c2b4-8a4c-7c9e-9c2e-3b1f4c6d8e01"}`,
		`{"field":"vip","op":"eq","value":true}`,
		`{"field":"tags","op":"isEmpty","value":false}`,
		`{"field":"fullName","op":"eq","value":"$1"}`,
		`{"and":[]}`,
		`{"and":[{"field":"x"}],"field":"y"}`,
		`{"field":"vip","op":"lt","value":true}`,
		`{"field":"score","op":"eq","value":"7"}`,
		`{"not":{"not":{"not":{"field":"vip","op":"eq","value":true}}}}`,
		`{"field":"email","op":"eq","value":"a\u0000b"}`,
		`null`, `[]`, `{`, ``, `{"colour":1}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	schema := fuzzSchema()
	f.Fuzz(func(t *testing.T, data []byte, firstByte uint8) {
		first := int(firstByte)%8 + 1
		n, err := Parse(data)
		if err == nil {
			var sql string
			var args []any
			sql, args, err = Compile(n, schema, first)
			if err == nil {
				checkCompiled(t.Fatalf, data, sql, args, first)
				return
			}
		}
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.Invalid || len(e.Fields) != 1 || !strings.HasPrefix(e.Fields[0].Field, "filter") {
			t.Fatalf("input %q: got error %#v, want one Invalid *errs.Error with a path", data, err)
		}
	})
}

// checkCompiled reports through fatalf, and returns false, unless sql holds
// nothing but the compiler's vocabulary, schema columns and placeholders, no
// string of the input data appears in it, and its placeholders are exactly
// $first..$first+len(args)-1 with no nil arg.
func checkCompiled(fatalf func(string, ...any), data []byte, sql string, args []any, first int) bool {
	seen := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		k, _ := strconv.Atoi(m[1])
		if k < first || k >= first+len(args) {
			fatalf("input %q: placeholder $%d outside $%d..$%d in %s", data, k, first, first+len(args)-1, sql)
			return false
		}
		seen[k] = true
	}
	if len(seen) != len(args) {
		fatalf("input %q: %d distinct placeholders, %d args, in %s", data, len(seen), len(args), sql)
		return false
	}
	for i, a := range args {
		if a == nil {
			fatalf("input %q: arg %d is nil", data, i)
			return false
		}
	}

	stripped := sql
	for _, re := range fuzzColumns {
		stripped = re.ReplaceAllString(stripped, " COL ")
	}
	for rest := stripped; rest != ""; {
		tok := sqlToken.FindString(rest)
		if tok == "" {
			fatalf("input %q: unexpected SQL text %q in %s", data, rest, sql)
			return false
		}
		if w := strings.TrimSpace(tok); w != "" && isWord(w) && !vocabulary[w] {
			fatalf("input %q: unexpected word %q in %s", data, w, sql)
			return false
		}
		rest = rest[len(tok):]
	}

	var values []string
	var decoded any
	if json.Unmarshal(data, &decoded) == nil {
		collectStrings(decoded, &values)
	}
	for _, v := range values {
		if len(v) >= 3 && strings.ContainsAny(v, ";\"\\%.{}*/#!?") && strings.Contains(stripped, v) {
			fatalf("input %q: value %q appears in %s", data, v, sql)
			return false
		}
	}
	return true
}

// isWord reports whether tok is an identifier-like token.
func isWord(tok string) bool {
	c := tok[0]
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// TestCheckCompiledRejects proves the fuzz oracle notices leaked values.
func TestCheckCompiledRejects(t *testing.T) {
	tests := []struct {
		name, data, sql string
		args            []any
	}{
		{"literal", `{"field":"email","op":"eq","value":"x"}`, `email = 'x'`, nil},
		{"payload", `{"field":"email","op":"eq","value":"'; DROP TABLE t; --"}`, `email = ''; DROP TABLE t; --'`, nil},
		{"word", `{"field":"email","op":"eq","value":"evil"}`, `email = evil`, nil},
		{"missing arg", `{}`, `email = $1 AND vip = $2`, []any{"a"}},
		{"extra arg", `{}`, `email = $1`, []any{"a", "b"}},
		{"out of range", `{}`, `email = $3`, []any{"a"}},
		{"nil arg", `{}`, `email = $1`, []any{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if checkCompiled(func(string, ...any) {}, []byte(tt.data), tt.sql, tt.args, 1) {
				t.Errorf("checkCompiled accepted %s", tt.sql)
			}
		})
	}
	if !checkCompiled(t.Fatalf, nil, `((custom_fields->>$1::text) IS NULL OR (custom_fields->>$1::text) = '') AND email ILIKE $2`, []any{"k", "%a%"}, 1) {
		t.Error("checkCompiled rejected good SQL")
	}
}
