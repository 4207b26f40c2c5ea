package filter

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestCompile(t *testing.T) {
	ts := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	const owner = "0190c2b4-8a4c-7c9e-9c2e-3b1f4c6d8e01"
	tests := []struct {
		name     string
		src      string
		wantSQL  string
		wantArgs []any
	}{
		// String
		{"string eq", `{"field":"firstName","op":"eq","value":"Ann"}`, `first_name = $1`, []any{"Ann"}},
		{"string ne", `{"field":"firstName","op":"ne","value":"Ann"}`, `first_name IS DISTINCT FROM $1`, []any{"Ann"}},
		{"string in", `{"field":"firstName","op":"in","value":["Ann","Bo"]}`, `first_name IN ($1, $2)`, []any{"Ann", "Bo"}},
		{"string contains", `{"field":"email","op":"contains","value":"acme"}`, `email ILIKE $1`, []any{"%acme%"}},
		{"string contains escapes", `{"field":"email","op":"contains","value":"50%_a\\b"}`, `email ILIKE $1`, []any{`%50\%\_a\\b%`}},
		{"string startsWith", `{"field":"firstName","op":"startsWith","value":"张"}`, `first_name ILIKE $1`, []any{"张%"}},
		{"string isEmpty", `{"field":"email","op":"isEmpty"}`, `(email IS NULL OR email = '')`, nil},
		{"string isEmpty true", `{"field":"email","op":"isEmpty","value":true}`, `(email IS NULL OR email = '')`, nil},
		{"string isEmpty null", `{"field":"email","op":"isEmpty","value":null}`, `(email IS NULL OR email = '')`, nil},
		{"string isEmpty false", `{"field":"email","op":"isEmpty","value":false}`, `email <> ''`, nil},
		{"expression column", `{"field":"fullName","op":"eq","value":"Ann Lee"}`, `(first_name || ' ' || last_name) = $1`, []any{"Ann Lee"}},
		// Enum
		{"enum eq", `{"field":"lifecycleStage","op":"eq","value":"lead"}`, `lifecycle_stage = $1`, []any{"lead"}},
		{"enum ne", `{"field":"lifecycleStage","op":"ne","value":"customer"}`, `lifecycle_stage IS DISTINCT FROM $1`, []any{"customer"}},
		{"enum in", `{"field":"lifecycleStage","op":"in","value":["lead","prospect"]}`, `lifecycle_stage IN ($1, $2)`, []any{"lead", "prospect"}},
		{"enum isEmpty", `{"field":"lifecycleStage","op":"isEmpty"}`, `lifecycle_stage IS NULL`, nil},
		{"enum isEmpty false", `{"field":"lifecycleStage","op":"isEmpty","value":false}`, `lifecycle_stage IS NOT NULL`, nil},
		// Number
		{"number eq", `{"field":"score","op":"eq","value":7}`, `score = $1`, []any{int64(7)}},
		{"number ne", `{"field":"score","op":"ne","value":-7}`, `score IS DISTINCT FROM $1`, []any{int64(-7)}},
		{"number lt", `{"field":"score","op":"lt","value":7}`, `score < $1`, []any{int64(7)}},
		{"number lte", `{"field":"score","op":"lte","value":7}`, `score <= $1`, []any{int64(7)}},
		{"number gt", `{"field":"score","op":"gt","value":7}`, `score > $1`, []any{int64(7)}},
		{"number gte exponent", `{"field":"score","op":"gte","value":1e3}`, `score >= $1`, []any{int64(1000)}},
		{"number in", `{"field":"score","op":"in","value":[1,2,3]}`, `score IN ($1, $2, $3)`, []any{int64(1), int64(2), int64(3)}},
		{"number isEmpty", `{"field":"score","op":"isEmpty"}`, `score IS NULL`, nil},
		// Decimal
		{"decimal eq", `{"field":"revenue","op":"eq","value":12.50}`, `revenue = $1`, []any{"12.50"}},
		{"decimal lt", `{"field":"revenue","op":"lt","value":100}`, `revenue < $1`, []any{"100"}},
		{"decimal gte precise", `{"field":"revenue","op":"gte","value":12345678901234567890.123456789}`, `revenue >= $1`, []any{"12345678901234567890.123456789"}},
		{"decimal in", `{"field":"revenue","op":"in","value":[1.5,2]}`, `revenue IN ($1, $2)`, []any{"1.5", "2"}},
		{"decimal string", `{"field":"revenue","op":"gte","value":"10000"}`, `revenue >= $1`, []any{"10000"}},
		{"decimal string precise", `{"field":"revenue","op":"eq","value":"12345678901234567890.123456789"}`, `revenue = $1`, []any{"12345678901234567890.123456789"}},
		{"decimal strings in", `{"field":"revenue","op":"in","value":["1.5",2,"-2e3"]}`, `revenue IN ($1, $2, $3)`, []any{"1.5", "2", "-2e3"}},
		// Bool
		{"bool eq", `{"field":"vip","op":"eq","value":true}`, `vip = $1`, []any{true}},
		{"bool ne", `{"field":"vip","op":"ne","value":true}`, `vip IS DISTINCT FROM $1`, []any{true}},
		{"bool isEmpty", `{"field":"vip","op":"isEmpty"}`, `vip IS NULL`, nil},
		// Time
		{"time eq", `{"field":"createdAt","op":"eq","value":"2026-05-01T09:30:00Z"}`, `created_at = $1`, []any{ts}},
		{"time lt offset", `{"field":"createdAt","op":"lt","value":"2026-05-01T11:30:00+02:00"}`, `created_at < $1`, []any{ts}},
		{"time gte date only", `{"field":"createdAt","op":"gte","value":"2026-05-01"}`, `created_at >= $1`, []any{ts.Truncate(24 * time.Hour)}},
		{"time within days", `{"field":"lastActivityAt","op":"within","value":"90d"}`, `(last_activity_at >= now() - $1::interval AND last_activity_at <= now())`, []any{"90 days"}},
		{"time within hours", `{"field":"lastActivityAt","op":"within","value":"12h"}`, `(last_activity_at >= now() - $1::interval AND last_activity_at <= now())`, []any{"12 hours"}},
		{"time within weeks", `{"field":"lastActivityAt","op":"within","value":"2w"}`, `(last_activity_at >= now() - $1::interval AND last_activity_at <= now())`, []any{"2 weeks"}},
		{"time within months", `{"field":"lastActivityAt","op":"within","value":"3m"}`, `(last_activity_at >= now() - $1::interval AND last_activity_at <= now())`, []any{"3 months"}},
		{"time within years", `{"field":"lastActivityAt","op":"within","value":"1y"}`, `(last_activity_at >= now() - $1::interval AND last_activity_at <= now())`, []any{"1 years"}},
		{"time isEmpty", `{"field":"lastActivityAt","op":"isEmpty"}`, `last_activity_at IS NULL`, nil},
		// Date
		{"date eq", `{"field":"birthday","op":"eq","value":"1990-02-28"}`, `birthday = $1`, []any{"1990-02-28"}},
		{"date gt", `{"field":"birthday","op":"gt","value":"1990-02-28"}`, `birthday > $1`, []any{"1990-02-28"}},
		{"date within", `{"field":"birthday","op":"within","value":"30d"}`, `(birthday >= (current_date - $1::interval)::date AND birthday <= current_date)`, []any{"30 days"}},
		// UUID
		{"uuid eq", `{"field":"ownerId","op":"eq","value":"` + owner + `"}`, `owner_id = $1`, []any{owner}},
		{"uuid eq normalised", `{"field":"ownerId","op":"eq","value":"0190C2B4-8A4C-7C9E-9C2E-3B1F4C6D8E01"}`, `owner_id = $1`, []any{owner}},
		{"uuid in", `{"field":"ownerId","op":"in","value":["` + owner + `"]}`, `owner_id IN ($1)`, []any{owner}},
		{"uuid isEmpty", `{"field":"ownerId","op":"isEmpty"}`, `owner_id IS NULL`, nil},
		// StringArray
		{"tags contains", `{"field":"tags","op":"contains","value":"vip"}`, `tags @> ARRAY[$1::text]`, []any{"vip"}},
		{"tags contains all", `{"field":"tags","op":"contains","value":["vip","eu"]}`, `tags @> ARRAY[$1::text, $2::text]`, []any{"vip", "eu"}},
		{"tags in", `{"field":"tags","op":"in","value":["vip","eu"]}`, `tags && ARRAY[$1::text, $2::text]`, []any{"vip", "eu"}},
		{"tags isEmpty", `{"field":"tags","op":"isEmpty"}`, `(tags IS NULL OR cardinality(tags) = 0)`, nil},
		{"tags isEmpty false", `{"field":"tags","op":"isEmpty","value":false}`, `cardinality(tags) > 0`, nil},
		// Custom fields
		{"custom string", `{"field":"custom.industry","op":"eq","value":"retail"}`,
			`(custom_fields->>$1::text) = $2`, []any{"industry", "retail"}},
		{"custom string isEmpty", `{"field":"custom.industry","op":"isEmpty"}`,
			`((custom_fields->>$1::text) IS NULL OR (custom_fields->>$1::text) = '')`, []any{"industry"}},
		{"custom decimal", `{"field":"custom.budget","op":"gte","value":1000}`,
			`(CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'number' THEN (custom_fields->>$2::text)::numeric END) >= $3`,
			[]any{"budget", "budget", "1000"}},
		{"custom number", `{"field":"custom.seats","op":"lt","value":10}`,
			`(CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'number' THEN (custom_fields->>$2::text)::numeric END) < $3`,
			[]any{"seats", "seats", int64(10)}},
		{"custom bool", `{"field":"custom.trial","op":"eq","value":false}`,
			`(CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'boolean' THEN (custom_fields->>$2::text)::boolean END) = $3`,
			[]any{"trial", "trial", false}},
		{"custom date within", `{"field":"custom.renewal","op":"within","value":"1m"}`,
			`((CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'string' THEN (custom_fields->>$2::text)::date END) >= (current_date - $3::interval)::date AND (CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'string' THEN (custom_fields->>$2::text)::date END) <= current_date)`,
			[]any{"renewal", "renewal", "1 months"}},
		{"custom array", `{"field":"custom.regions","op":"contains","value":"emea"}`,
			`(CASE WHEN jsonb_typeof(custom_fields->$1::text) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(custom_fields->$2::text)) END) @> ARRAY[$3::text]`,
			[]any{"regions", "regions", "emea"}},
		{"custom enum", `{"field":"custom.tier","op":"in","value":["gold"]}`,
			`(custom_fields->>$1::text) IN ($2)`, []any{"tier", "gold"}},
		// Groups
		{"and", `{"and":[{"field":"vip","op":"eq","value":true},{"field":"score","op":"gt","value":1}]}`,
			`(vip = $1 AND score > $2)`, []any{true, int64(1)}},
		{"or", `{"or":[{"field":"vip","op":"eq","value":true},{"field":"score","op":"gt","value":1}]}`,
			`(vip = $1 OR score > $2)`, []any{true, int64(1)}},
		{"not", `{"not":{"field":"lifecycleStage","op":"eq","value":"lead"}}`,
			`(lifecycle_stage = $1) IS NOT TRUE`, []any{"lead"}},
		{"nested", `{"or":[{"and":[{"field":"vip","op":"eq","value":true},{"not":{"field":"tags","op":"isEmpty"}}]},{"field":"score","op":"gte","value":90}]}`,
			`((vip = $1 AND ((tags IS NULL OR cardinality(tags) = 0)) IS NOT TRUE) OR score >= $2)`, []any{true, int64(90)}},
		{"issue example",
			`{"and":[{"field":"tags","op":"contains","value":"purchase-intent"},{"field":"lastActivityAt","op":"within","value":"90d"},{"field":"lifecycleStage","op":"ne","value":"customer"}]}`,
			`(tags @> ARRAY[$1::text] AND (last_activity_at >= now() - $2::interval AND last_activity_at <= now()) AND lifecycle_stage IS DISTINCT FROM $3)`,
			[]any{"purchase-intent", "90 days", "customer"}},
		{"null filter", `null`, `TRUE`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustParse(t, tt.src)
			gotSQL, gotArgs, err := Compile(n, testSchema(), 1)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if gotSQL != tt.wantSQL {
				t.Errorf("got SQL\n\t%s\nwant\n\t%s", gotSQL, tt.wantSQL)
			}
			if !reflect.DeepEqual(gotArgs, tt.wantArgs) {
				t.Errorf("got args %#v, want %#v", gotArgs, tt.wantArgs)
			}
		})
	}
}

func TestCompileFirstParam(t *testing.T) {
	n := mustParse(t, `{"and":[{"field":"custom.industry","op":"eq","value":"retail"},{"field":"score","op":"in","value":[1,2]}]}`)
	gotSQL, gotArgs, err := Compile(n, testSchema(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := `((custom_fields->>$3::text) = $4 AND score IN ($5, $6))`; gotSQL != want {
		t.Errorf("got %s, want %s", gotSQL, want)
	}
	if want := []any{"industry", "retail", int64(1), int64(2)}; !reflect.DeepEqual(gotArgs, want) {
		t.Errorf("got args %#v, want %#v", gotArgs, want)
	}
}

func TestCompileGoValues(t *testing.T) {
	ts := time.Date(2026, 5, 1, 9, 30, 0, 0, time.FixedZone("x", 3600))
	n := And(
		Cond("score", In, []int{1, 2}),
		Cond("revenue", Gt, 2.5),
		Cond("createdAt", Lt, ts),
		Cond("tags", Contains, []string{"a", "b"}),
		Not(Cond("vip", Eq, true)),
	)
	gotSQL, gotArgs, err := Compile(n, testSchema(), 1)
	if err != nil {
		t.Fatal(err)
	}
	wantSQL := `(score IN ($1, $2) AND revenue > $3 AND created_at < $4 AND tags @> ARRAY[$5::text, $6::text] AND (vip = $7) IS NOT TRUE)`
	if gotSQL != wantSQL {
		t.Errorf("got %s, want %s", gotSQL, wantSQL)
	}
	wantArgs := []any{int64(1), int64(2), "2.5", ts.UTC(), "a", "b", true}
	if !reflect.DeepEqual(gotArgs, wantArgs) {
		t.Errorf("got args %#v, want %#v", gotArgs, wantArgs)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	src := `{"and":[{"field":"tags","op":"contains","value":"purchase-intent"},{"not":{"field":"email","op":"isEmpty"}},{"or":[{"field":"score","op":"gt","value":1.5}]}]}`
	n := mustParse(t, src)
	got, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != src {
		t.Errorf("got %s, want %s", got, src)
	}
	var back struct{ Filter *Node }
	if err := json.Unmarshal([]byte(`{"filter":`+src+`}`), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Filter, n) {
		t.Errorf("got %#v, want %#v", back.Filter, n)
	}
}

func TestUnmarshalError(t *testing.T) {
	var v struct{ Filter *Node }
	err := json.Unmarshal([]byte(`{"filter":{"and":[{"field":"x","op":"eq","colour":1}]}}`), &v)
	checkInvalid(t, err, "invalid-filter", "filter/and/0/colour", `unknown key "colour"`)
}

func TestMarshalIsEmptyFalse(t *testing.T) {
	src := `{"field":"email","op":"isEmpty","value":false}`
	got, err := json.Marshal(mustParse(t, src))
	if err != nil || string(got) != src {
		t.Errorf("got %s %v, want %s", got, err, src)
	}
}
