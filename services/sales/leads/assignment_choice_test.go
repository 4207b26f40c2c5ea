package leads

import "testing"

// TestChooseWithoutRule: a lead no rule takes keeps its owner, and a lead
// without one (from marketing's events) is said to be left unassigned.
func TestChooseWithoutRule(t *testing.T) {
	c := &chooser{rotations: map[string]*rotation{}, open: map[string]int{}}
	for owner, want := range map[string]string{
		"u1": "no assignment rule matched; kept by u1",
		"":   "no assignment rule matched; left unassigned",
	} {
		if got := c.choose(nil, owner, false); got.rule != nil || got.userID != "" || got.reason != want {
			t.Errorf("owner %q: got %+v, want reason %q and no assignee", owner, got, want)
		}
	}
}
