package filter

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/rapport-crm/rapport/libs/testkit"
)

const (
	ownerA = "0190c2b4-8a4c-7c9e-9c2e-3b1f4c6d8e01"
	ownerB = "0190c2b4-8a4c-7c9e-9c2e-3b1f4c6d8e02"
)

// contactsDB creates and fills the contacts table testSchema describes.
func contactsDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := testkit.Open(t, testkit.Postgres(t).AdminURL)
	db.MustExec(`CREATE TABLE contacts (
		id int PRIMARY KEY,
		first_name text, last_name text, email text,
		lifecycle_stage text,
		score int, revenue numeric(12,2), vip bool,
		created_at timestamptz, birthday date, owner_id uuid,
		last_activity_at timestamptz,
		tags text[],
		custom_fields jsonb NOT NULL DEFAULT '{}'
	)`)
	db.MustExec(`INSERT INTO contacts VALUES
		(1, 'Ann', 'Lee', 'ann@acme.com', 'lead', 10, 100.50, true,
		 '2026-01-10T08:00:00Z', '1990-02-28', '` + ownerA + `', now() - interval '10 days',
		 '{purchase-intent,vip}',
		 jsonb_build_object('budget', 5000, 'industry', 'retail', 'trial', true, 'regions', jsonb_build_array('emea'),
		                    'renewal', (current_date - 5)::text, 'partner', '` + ownerB + `', 'tier', 'gold',
		                    'signedAt', '2025-12-01T00:00:00Z')),
		(2, '张伟', 'Zhang', 'zhang@example.cn', 'prospect', 50, 2000, false,
		 '2025-06-01T12:00:00Z', '1985-07-04', '` + ownerB + `', now() - interval '100 days',
		 '{purchase-intent}', '{"budget": "lots", "industry": "manufacturing", "regions": "emea"}'),
		(3, '张三', 'Zhang', NULL, 'customer', 90, NULL, NULL,
		 '2026-03-01T00:00:00Z', NULL, NULL, now() - interval '1 day',
		 '{purchase-intent}', '{}'),
		(4, 'Bob', 'Stone', '', NULL, NULL, 99.99, true,
		 '2024-01-01T00:00:00Z', '2000-01-01', '` + ownerA + `', now() - interval '30 days',
		 '{purchase-intent,newsletter}', '{"budget": 20000.75, "seats": 12, "industry": "Retail 50%", "trial": false}'),
		(5, 'Zoe', 'Park', 'zoe_x@acme.com', 'prospect', 70, 0, false,
		 NULL, NULL, NULL, NULL,
		 NULL, '{"weird''key": "x", "a\"b": "y"}'),
		(6, 'Åsa', 'Berg', 'asa@ACME.com', 'lead', 20, 10, false,
		 '2026-02-01T00:00:00Z', NULL, NULL, now() + interval '1 day',
		 '{purchase-intent}', '{"seats": 3}')`)
	return db
}

// selectIDs runs the compiled filter after a leading parameter of our own.
func selectIDs(t *testing.T, db *sqlx.DB, s Schema, n *Node) []int {
	t.Helper()
	where, args, err := Compile(n, s, 2)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	ids := []int{}
	q := "SELECT id FROM contacts WHERE id > $1 AND " + where + " ORDER BY id"
	if err := db.Select(&ids, q, append([]any{0}, args...)...); err != nil {
		t.Fatalf("%s %v: %v", q, args, err)
	}
	return ids
}

func TestPostgresSelects(t *testing.T) {
	db := contactsDB(t)
	tests := []struct {
		name string
		src  string
		want []int
	}{
		{"issue example", `{"and":[{"field":"tags","op":"contains","value":"purchase-intent"},{"field":"lastActivityAt","op":"within","value":"90d"},{"field":"lifecycleStage","op":"ne","value":"customer"}]}`, []int{1, 4}},
		{"startsWith chinese", `{"field":"firstName","op":"startsWith","value":"张"}`, []int{2, 3}},
		{"startsWith chinese two", `{"field":"firstName","op":"startsWith","value":"张伟"}`, []int{2}},
		{"startsWith case-insensitive", `{"field":"firstName","op":"startsWith","value":"åS"}`, []int{6}},
		{"contains case-insensitive", `{"field":"email","op":"contains","value":"acme.COM"}`, []int{1, 5, 6}},
		{"contains underscore literal", `{"field":"email","op":"contains","value":"_"}`, []int{5}},
		{"contains percent literal", `{"field":"custom.industry","op":"contains","value":"50%"}`, []int{4}},
		{"eq case-sensitive", `{"field":"firstName","op":"eq","value":"ann"}`, []int{}},
		{"string in", `{"field":"firstName","op":"in","value":["Ann","Bob","nobody"]}`, []int{1, 4}},
		{"string isEmpty", `{"field":"email","op":"isEmpty"}`, []int{3, 4}},
		{"string not empty", `{"field":"email","op":"isEmpty","value":false}`, []int{1, 2, 5, 6}},
		{"enum ne includes missing", `{"field":"lifecycleStage","op":"ne","value":"lead"}`, []int{2, 3, 4, 5}},
		{"not eq same as ne", `{"not":{"field":"lifecycleStage","op":"eq","value":"lead"}}`, []int{2, 3, 4, 5}},
		{"enum isEmpty", `{"field":"lifecycleStage","op":"isEmpty"}`, []int{4}},
		{"number gt", `{"field":"score","op":"gt","value":50}`, []int{3, 5}},
		{"number in", `{"field":"score","op":"in","value":[10,90]}`, []int{1, 3}},
		{"not number lt includes missing", `{"not":{"field":"score","op":"lt","value":60}}`, []int{3, 4, 5}},
		{"decimal lte", `{"field":"revenue","op":"lte","value":100.5}`, []int{1, 4, 5, 6}},
		{"decimal eq", `{"field":"revenue","op":"eq","value":99.99}`, []int{4}},
		{"bool eq", `{"field":"vip","op":"eq","value":true}`, []int{1, 4}},
		{"bool ne", `{"field":"vip","op":"ne","value":true}`, []int{2, 3, 5, 6}},
		{"time lt", `{"field":"createdAt","op":"lt","value":"2026-01-10T08:00:00Z"}`, []int{2, 4}},
		{"time lte offset", `{"field":"createdAt","op":"lte","value":"2026-01-10T09:00:00+01:00"}`, []int{1, 2, 4}},
		{"time gte date only", `{"field":"createdAt","op":"gte","value":"2026-02-01"}`, []int{3, 6}},
		{"time within excludes future", `{"field":"lastActivityAt","op":"within","value":"2d"}`, []int{3}},
		{"time within hours", `{"field":"lastActivityAt","op":"within","value":"36h"}`, []int{3}},
		{"time within months", `{"field":"lastActivityAt","op":"within","value":"4m"}`, []int{1, 2, 3, 4}},
		{"time within weeks", `{"field":"lastActivityAt","op":"within","value":"2w"}`, []int{1, 3}},
		{"time within years", `{"field":"createdAt","op":"within","value":"100y"}`, []int{1, 2, 3, 4, 6}},
		{"time isEmpty", `{"field":"lastActivityAt","op":"isEmpty"}`, []int{5}},
		{"date eq", `{"field":"birthday","op":"eq","value":"1990-02-28"}`, []int{1}},
		{"date gt", `{"field":"birthday","op":"gt","value":"1989-12-31"}`, []int{1, 4}},
		{"uuid eq", `{"field":"ownerId","op":"eq","value":"` + ownerA + `"}`, []int{1, 4}},
		{"uuid in", `{"field":"ownerId","op":"in","value":["` + ownerB + `"]}`, []int{2}},
		{"uuid ne", `{"field":"ownerId","op":"ne","value":"` + ownerA + `"}`, []int{2, 3, 5, 6}},
		{"tags contains all", `{"field":"tags","op":"contains","value":["purchase-intent","vip"]}`, []int{1}},
		{"tags in overlap", `{"field":"tags","op":"in","value":["vip","newsletter"]}`, []int{1, 4}},
		{"tags isEmpty", `{"field":"tags","op":"isEmpty"}`, []int{5}},
		{"tags not contains", `{"not":{"field":"tags","op":"contains","value":"vip"}}`, []int{2, 3, 4, 5, 6}},
		{"custom decimal skips wrong type", `{"field":"custom.budget","op":"gte","value":1000}`, []int{1, 4}},
		{"custom number", `{"field":"custom.seats","op":"lt","value":10}`, []int{6}},
		{"custom string", `{"field":"custom.industry","op":"eq","value":"retail"}`, []int{1}},
		{"custom string isEmpty", `{"field":"custom.industry","op":"isEmpty"}`, []int{3, 5, 6}},
		{"custom bool", `{"field":"custom.trial","op":"eq","value":false}`, []int{4}},
		{"custom bool not true", `{"not":{"field":"custom.trial","op":"eq","value":true}}`, []int{2, 3, 4, 5, 6}},
		{"custom array skips wrong type", `{"field":"custom.regions","op":"contains","value":"emea"}`, []int{1}},
		{"custom date within", `{"field":"custom.renewal","op":"within","value":"7d"}`, []int{1}},
		{"custom time", `{"field":"custom.signedAt","op":"lt","value":"2026-01-01T00:00:00Z"}`, []int{1}},
		{"custom uuid", `{"field":"custom.partner","op":"eq","value":"` + ownerB + `"}`, []int{1}},
		{"custom enum", `{"field":"custom.tier","op":"in","value":["gold","silver"]}`, []int{1}},
		{"or and not", `{"or":[{"and":[{"field":"vip","op":"eq","value":true},{"not":{"field":"email","op":"isEmpty"}}]},{"field":"score","op":"gte","value":90}]}`, []int{1, 3}},
		{"null filter", `null`, []int{1, 2, 3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := selectIDs(t, db, testSchema(), mustParse(t, tt.src))
			want := tt.want
			if want == nil {
				want = []int{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got ids %v, want %v", got, want)
			}
		})
	}
}

// sampleValues are values of each type that PostgreSQL must accept.
var sampleValues = map[Type][]any{
	String:      {"Ann", []any{"Ann", "Bo"}},
	Enum:        {"lead", []any{"lead", "customer"}},
	UUID:        {ownerA, []any{ownerA, ownerB}},
	Bool:        {true},
	Number:      {int64(7), []any{int64(1), int64(2)}},
	Decimal:     {"12.5", []any{"1.5", "-2e3"}},
	Time:        {"2026-05-01T09:30:00.123456Z", "2026-05-01"},
	Date:        {"2026-05-01"},
	StringArray: {"vip", []any{"vip", "eu"}},
}

// TestPostgresAcceptsEveryForm runs every operator of every field, plain and
// negated, so each SQL form the compiler emits is known to type-check.
func TestPostgresAcceptsEveryForm(t *testing.T) {
	db := contactsDB(t)
	s := testSchema()
	names := []string{}
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	for k := range customTypes {
		names = append(names, "custom."+k)
	}
	forms := 0
	for _, name := range names {
		f, _, _ := s.Lookup(name)
		for _, op := range allowed[f.Type] {
			var values []any
			switch op {
			case IsEmpty:
				values = []any{nil, true, false}
			case Within:
				values = []any{"90d", "1y"}
			default:
				for _, v := range sampleValues[f.Type] {
					_, isList := v.([]any)
					if (op == In) == isList || (op == Contains && f.Type == StringArray) {
						values = append(values, v)
					}
				}
			}
			if f.Type == Enum && op != IsEmpty { // values of this enum
				values = []any{f.Values[0], []any{f.Values[0]}}
				if op != In {
					values = values[:1]
				} else {
					values = values[1:]
				}
			}
			if f.Type == Decimal { // Decimal values as JSON numbers
				for i, v := range values {
					values[i] = toNumber(v)
				}
			}
			for _, v := range values {
				for _, n := range []*Node{Cond(name, op, v), Not(Cond(name, op, v))} {
					selectIDs(t, db, s, n)
					forms++
				}
			}
		}
	}
	if forms < 150 {
		t.Errorf("ran %d forms, want at least 150", forms)
	}
}

// toNumber turns decimal text (or a list of it) into json-like numbers.
func toNumber(v any) any {
	switch x := v.(type) {
	case string:
		return jsonNumber(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = toNumber(x[i])
		}
		return out
	}
	return v
}

func TestPostgresSort(t *testing.T) {
	db := contactsDB(t)
	orderBy, args, err := Sort("-custom.budget,-score", testSchema(), 2)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{}
	q := "SELECT id FROM contacts WHERE id > $1 ORDER BY " + orderBy + ", id"
	if err := db.Select(&ids, q, append([]any{0}, args...)...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	// Budgets: 4 has 20000.75, 1 has 5000, the rest none (NULLs first when
	// descending), ordered by score descending with NULLs first.
	if want := []int{3, 5, 2, 6, 4, 1}; !reflect.DeepEqual(ids, want) {
		t.Errorf("got %v, want %v", ids, want)
	}
}

func TestPostgresInjection(t *testing.T) {
	db := contactsDB(t)
	payloads := []string{
		`'; DROP TABLE contacts; --`,
		`x' OR '1'='1`,
		`"); DELETE FROM contacts; --`,
		`$1; TRUNCATE contacts`,
		`\'; DROP TABLE contacts; --`,
		`%' OR 1=1 --`,
	}
	s := testSchema()
	s.CustomField = anyCustom
	for _, p := range payloads {
		quoted := strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `"`, `\"`)
		for _, src := range []string{
			`{"field":"firstName","op":"eq","value":"` + quoted + `"}`,
			`{"field":"email","op":"contains","value":"` + quoted + `"}`,
			`{"field":"firstName","op":"startsWith","value":"` + quoted + `"}`,
			`{"field":"firstName","op":"in","value":["Ann","` + quoted + `"]}`,
			`{"field":"tags","op":"in","value":["` + quoted + `"]}`,
			`{"field":"custom.` + quoted + `","op":"eq","value":"` + quoted + `"}`,
			`{"not":{"field":"custom.` + quoted + `","op":"isEmpty"}}`,
		} {
			n := mustParse(t, src)
			where, args, err := Compile(n, s, 2)
			if err != nil {
				t.Fatalf("Compile(%s): %v", src, err)
			}
			if strings.Contains(where, p) || strings.Contains(where, "DROP") || strings.Contains(where, "--") {
				t.Errorf("SQL %q carries the payload %q", where, p)
			}
			bound := false
			for _, a := range args {
				if str, ok := a.(string); ok && strings.Contains(str, escapeLike(p)) || a == p {
					bound = true
				}
			}
			if !bound {
				t.Errorf("%s: payload not among args %q", src, args)
			}
			if got := selectIDs(t, db, s, n); len(got) != 0 && !strings.HasPrefix(src, `{"field":"firstName","op":"in"`) {
				t.Errorf("%s: got ids %v, want none", src, got)
			}
		}
		for _, field := range []string{p, "custom"} {
			_, _, err := Compile(Cond(field, Eq, "x"), testSchema(), 1)
			checkInvalid(t, err, "invalid-filter", "filter/field", "unknown field")
		}
	}
	// Keys with quotes reach the jsonb operators as parameters and still work.
	for key, want := range map[string][]int{`weird'key`: {5}, `a"b`: {5}} {
		n := Cond("custom."+key, IsEmpty, false)
		if got := selectIDs(t, db, s, n); !reflect.DeepEqual(got, want) {
			t.Errorf("key %q: got %v, want %v", key, got, want)
		}
	}
	var count int
	if err := db.Get(&count, "SELECT count(*) FROM contacts"); err != nil || count != 6 {
		t.Fatalf("contacts after injection attempts: count %d, err %v; want 6 rows", count, err)
	}
}
