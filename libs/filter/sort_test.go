package filter

import (
	"reflect"
	"testing"
)

func TestSort(t *testing.T) {
	tests := []struct {
		name, spec string
		first      int
		wantSQL    string
		wantArgs   []any
	}{
		{"empty", "", 1, "", nil},
		{"one", "firstName", 1, "first_name ASC", nil},
		{"desc", "-createdAt", 1, "created_at DESC", nil},
		{"three", "score, -createdAt ,firstName", 1, "score ASC, created_at DESC, first_name ASC", nil},
		{"expression", "-fullName", 1, "(first_name || ' ' || last_name) DESC", nil},
		{"custom", "-custom.budget,id", 4,
			"(CASE WHEN jsonb_typeof(custom_fields->$4::text) = 'number' THEN (custom_fields->>$5::text)::numeric END) DESC, id ASC",
			[]any{"budget", "budget"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotSQL, gotArgs, err := Sort(tt.spec, testSchema(), tt.first)
			if err != nil {
				t.Fatal(err)
			}
			if gotSQL != tt.wantSQL {
				t.Errorf("got %q, want %q", gotSQL, tt.wantSQL)
			}
			if !reflect.DeepEqual(gotArgs, tt.wantArgs) {
				t.Errorf("got args %#v, want %#v", gotArgs, tt.wantArgs)
			}
		})
	}
}

func TestSortErrors(t *testing.T) {
	tests := []struct{ name, spec, want string }{
		{"unknown", "nope", `unknown field "nope"`},
		{"not sortable", "-email", `field "email" is not sortable`},
		{"custom not sortable", "custom.seats", `field "custom.seats" is not sortable`},
		{"too many", "id,score,createdAt,firstName", "more than 3"},
		{"empty key", "id,,score", "empty sort field"},
		{"only minus", "-", "empty sort field"},
		{"repeated", "id,-id", `field "id" named twice`},
		{"injection", "id; DROP TABLE x", `unknown field "id; DROP TABLE x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Sort(tt.spec, testSchema(), 1)
			checkInvalid(t, err, "invalid-sort", "sort", tt.want)
		})
	}
}
