package attribution

import (
	"fmt"
	"testing"
)

// credited is the credits of one model as "campaign=minor@share".
func credited(credits []Credit, model string) []string {
	var out []string
	for _, c := range credits {
		if c.Model == model {
			out = append(out, fmt.Sprintf("%s=%d@%s", c.CampaignID, c.Minor, c.Share.Text('f')))
		}
	}
	return out
}

// TestCreditsSplitExactly: first and last touch give everything to one
// campaign; linear gives each touch an equal share, in whole minor units
// that add up to the amount (the cent left over to the largest
// remainder, the earlier campaign on a tie).
func TestCreditsSplitExactly(t *testing.T) {
	for _, tc := range []struct {
		name      string
		campaigns []string
		minor     int64
		first     string
		last      string
		linear    []string
	}{
		{"two of A then B", []string{"A", "A", "B"}, 100000, "A=100000@1", "B=100000@1", []string{"A=66667@0.666667", "B=33333@0.333333"}},
		{"three campaigns, one cent", []string{"A", "B", "C"}, 1, "A=1@1", "C=1@1", []string{"A=1@0.333333", "B=0@0.333333", "C=0@0.333333"}},
		{"three campaigns, 100.00", []string{"C", "B", "A"}, 10000, "C=10000@1", "A=10000@1", []string{"C=3334@0.333333", "B=3333@0.333333", "A=3333@0.333333"}},
		{"one touch", []string{"A"}, 12345, "A=12345@1", "A=12345@1", []string{"A=12345@1"}},
		{"four touches", []string{"A", "B", "A", "C"}, 999, "A=999@1", "C=999@1", []string{"A=499@0.5", "B=250@0.25", "C=250@0.25"}},
		{"nothing to split", []string{"A", "B"}, 0, "A=0@1", "B=0@1", []string{"A=0@0.5", "B=0@0.5"}},
		{"the largest amount", []string{"A", "B", "B"}, 1<<63 - 1, "A=9223372036854775807@1", "B=9223372036854775807@1",
			[]string{"A=3074457345618258602@0.333333", "B=6148914691236517205@0.666667"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			credits, err := Credits(tc.campaigns, tc.minor)
			if err != nil {
				t.Fatal(err)
			}
			if got := credited(credits, ModelFirstTouch); len(got) != 1 || got[0] != tc.first {
				t.Errorf("first touch %v, want %s", got, tc.first)
			}
			if got := credited(credits, ModelLastTouch); len(got) != 1 || got[0] != tc.last {
				t.Errorf("last touch %v, want %s", got, tc.last)
			}
			if got := credited(credits, ModelLinear); fmt.Sprint(got) != fmt.Sprint(tc.linear) {
				t.Errorf("linear %v, want %v", got, tc.linear)
			}
			for _, model := range Models {
				var sum int64
				for _, c := range credits {
					if c.Model == model {
						sum += c.Minor
					}
				}
				if sum != tc.minor {
					t.Errorf("%s adds up to %d, want %d", model, sum, tc.minor)
				}
			}
		})
	}
	if credits, err := Credits(nil, 100); err != nil || credits != nil {
		t.Errorf("no touches: %v, %v", credits, err)
	}
}
