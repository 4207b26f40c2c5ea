package ids_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/ids"
)

func TestNew(t *testing.T) {
	a, b := ids.New(), ids.New()
	for _, id := range []string{a, b} {
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 7 || len(id) != 36 {
			t.Errorf("New() = %q (%v), want a UUIDv7 in its 36-character form", id, err)
		}
	}
	if a >= b {
		t.Errorf("New() gave %s then %s, want them in time order", a, b)
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"0190d6e4-7b1c-7c5e-9f3a-1b2c3d4e5f60":          true,
		"{0190d6e4-7b1c-7c5e-9f3a-1b2c3d4e5f60}":        true,
		"urn:uuid:0190d6e4-7b1c-7c5e-9f3a-1b2c3d4e5f60": true,
		"0190d6e4-7b1c-7c5e-9f3a-1b2c3d4e5f6":           false,
		"not-a-uuid":                                    false,
		"":                                              false,
	} {
		if got := ids.Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
