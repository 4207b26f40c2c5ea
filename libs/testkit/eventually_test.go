package testkit_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// eventually runs testkit.Eventually with a recorder of its failure and
// returns the failure ("" when it returned) and how often cond was called.
func eventually(t *testing.T, timeout time.Duration, holdsAt int, state string) (msg string, calls int) {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.Eventually(rec, timeout, "the thing", func() (bool, string) {
			calls++
			return calls == holdsAt, state
		})
	}()
	<-done
	return rec.msg, calls
}

func TestEventuallyWaitsUntilTheConditionHolds(t *testing.T) {
	if msg, calls := eventually(t, time.Minute, 3, "x"); msg != "" || calls != 3 {
		t.Errorf("failed %q after %d calls, want to return at the third", msg, calls)
	}
}

func TestEventuallyFailsWithTheLastState(t *testing.T) {
	for _, tt := range []struct{ state, want string }{
		{"3 rows", "the thing: not within 200ms; last: 3 rows"},
		{"", "the thing: not within 200ms"},
	} {
		msg, calls := eventually(t, 200*time.Millisecond, -1, tt.state)
		if msg != tt.want || calls < 2 {
			t.Errorf("failed %q after %d calls, want %q after asking again", msg, calls, tt.want)
		}
	}
}
