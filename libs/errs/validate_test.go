package errs_test

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestValidator(t *testing.T) {
	type check struct {
		ok            bool
		field, reason string
	}
	tests := []struct {
		name       string
		checks     []check
		wantFields []errs.FieldError // nil means no error
		wantDetail string
	}{
		{"all pass", []check{{true, "a", "x"}, {true, "b", "y"}}, nil, ""},
		{"no checks", nil, nil, ""},
		{"two fail", []check{{false, "a", "x"}, {true, "b", "y"}, {false, "c", "z"}},
			[]errs.FieldError{{Field: "a", Reason: "x"}, {Field: "c", Reason: "z"}}, "invalid fields: a, c"},
		{"one field twice", []check{{false, "a", "x"}, {false, "a", "y"}},
			[]errs.FieldError{{Field: "a", Reason: "x"}, {Field: "a", Reason: "y"}}, "invalid fields: a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := errs.NewValidator()
			for _, c := range tt.checks {
				v.Check(c.ok, c.field, c.reason)
			}
			err := v.Err()
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("err got %v, want nil", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Invalid {
				t.Fatalf("err got %v, want an Invalid *errs.Error", err)
			}
			if !slices.Equal(e.Fields, tt.wantFields) {
				t.Errorf("fields got %v, want %v", e.Fields, tt.wantFields)
			}
			if e.Message != tt.wantDetail {
				t.Errorf("message got %q, want %q", e.Message, tt.wantDetail)
			}
		})
	}
}
