package tail

import "testing"

// TestCrmctlTailMatch checks the type patterns: exact, "*", and a prefix
// ending in ".*" that needs one more segment at least.
func TestCrmctlTailMatch(t *testing.T) {
	const typ = "dev.rapport.sales.opportunity.created.v1"
	for _, c := range []struct {
		patterns []string
		want     bool
	}{
		{nil, true},
		{[]string{"*"}, true},
		{[]string{typ}, true},
		{[]string{"dev.rapport.sales.*"}, true},
		{[]string{"dev.rapport.sales.opportunity.*"}, true},
		{[]string{"dev.rapport.contacts.*", "dev.rapport.sales.*"}, true},
		{[]string{"dev.rapport.contacts.*"}, false},
		{[]string{"dev.rapport.sales"}, false},
		{[]string{"dev.rapport.sal*"}, false},
		{[]string{typ + ".*"}, false},
	} {
		if got := Match(c.patterns, typ); got != c.want {
			t.Errorf("Match(%q, %s) = %v, want %v", c.patterns, typ, got, c.want)
		}
	}
}
