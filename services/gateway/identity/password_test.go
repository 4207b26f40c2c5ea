package identity

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	fast := Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h, err := HashPassword("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("hash %q lacks its PHC parameters", h)
	}
	tests := []struct {
		name              string
		password, hash    string
		current           Argon2Params
		wantOK, wantStale bool
	}{
		{"match", "correct horse battery", h, fast, true, false},
		{"wrong password", "correct horse batterx", h, fast, false, false},
		{"params changed", "correct horse battery", h, DefaultArgon2Params, true, true},
		{"malformed", "correct horse battery", "$argon2id$v=19$m=x", fast, false, false},
		{"other algorithm", "correct horse battery", strings.Replace(h, "argon2id", "argon2i", 1), fast, false, false},
		{"absurd memory", "x", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", fast, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, stale := VerifyPassword(tt.password, tt.hash, tt.current)
			if ok != tt.wantOK || stale != tt.wantStale {
				t.Errorf("VerifyPassword = (%v, %v), want (%v, %v)", ok, stale, tt.wantOK, tt.wantStale)
			}
		})
	}
}

// TestArgon2Timing logs the time one hash takes with the default parameters
// on this machine (reported in the README).
func TestArgon2Timing(t *testing.T) {
	const n = 5
	start := time.Now()
	for range n {
		if _, err := HashPassword("a password of ordinary length", DefaultArgon2Params); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("argon2id %+v: %v per hash", DefaultArgon2Params, time.Since(start)/n)
}
