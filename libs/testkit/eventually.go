package testkit

import (
	"testing"
	"time"
)

// pollEvery is how often Eventually asks again.
const pollEvery = 50 * time.Millisecond

// Eventually waits on a condition instead of sleeping: it calls cond every
// 50 ms until cond reports ok, and fails t when timeout has passed with
// what it waited for and the state cond last described ("" for none).
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if state == "" {
				t.Fatalf("%s: not within %v", what, timeout)
			}
			t.Fatalf("%s: not within %v; last: %s", what, timeout, state)
		}
		time.Sleep(pollEvery)
	}
}
