package tail

import "testing"

// TestCrmctlTailMatch checks what tail adds to events.TypeMatches: no
// --type keeps every type; otherwise a type must match one of them.
func TestCrmctlTailMatch(t *testing.T) {
	const typ = "dev.rapport.sales.opportunity.created.v1"
	for _, c := range []struct {
		patterns []string
		want     bool
	}{
		{nil, true},
		{[]string{"dev.rapport.contacts.*", "dev.rapport.sales.*"}, true},
		{[]string{"dev.rapport.contacts.*"}, false},
	} {
		if got := Match(c.patterns, typ); got != c.want {
			t.Errorf("Match(%q, %s) = %v, want %v", c.patterns, typ, got, c.want)
		}
	}
}
