package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	notFound := New(NotFound, "thing-not-found", "thing not found")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"sentinel", notFound, NotFound},
		{"wrapped with fmt", fmt.Errorf("load: %w", notFound), NotFound},
		{"with detail", notFound.WithDetail("thing %s not found", "x"), NotFound},
		{"plain error", errors.New("boom"), Internal},
		{"nil-free invalid", Invalidf([]FieldError{{Field: "name", Reason: "required"}}, "bad"), Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf() got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsMatchesSentinelAfterDecoration(t *testing.T) {
	sentinel := New(Conflict, "duplicate", "duplicate")
	decorated := sentinel.WithDetail("duplicate email %q", "a@b.c").Wrap(errors.New("pq: unique"))
	if !errors.Is(decorated, sentinel) {
		t.Fatalf("errors.Is(decorated, sentinel) got false, want true")
	}
	other := New(Conflict, "other", "other")
	if errors.Is(decorated, other) {
		t.Fatalf("errors.Is(decorated, other) got true, want false")
	}
	if got, want := decorated.Error(), `duplicate email "a@b.c": pq: unique`; got != want {
		t.Errorf("Error() got %q, want %q", got, want)
	}
}

func TestKindString(t *testing.T) {
	if got, want := NotFound.String(), "not-found"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
