package identity

import (
	"testing"
	"time"
)

func TestRevocationSet(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := t0
	s := newRevocationSet(func() time.Time { return clock })
	user := revocation{ID: 1, TenantID: "t1", Kind: revokesUser, Subject: "u1", At: t0, Expires: t0.Add(userMarkTTL)}
	if got := s.apply([]revocation{user, user}); len(got) != 1 {
		t.Fatalf("apply of one row twice = %d new, want 1", len(got))
	}
	if got := s.apply([]revocation{user}); len(got) != 0 {
		t.Fatalf("apply of a row seen before = %d new, want 0", len(got))
	}
	clock = t0.Add(time.Second)
	s.apply([]revocation{
		{ID: 2, TenantID: "t2", Kind: revokesTenant, Subject: "t2", At: t0, Expires: t0.Add(userMarkTTL)},
		{ID: 3, TenantID: "t1", Kind: revokesSession, Subject: "jti-1", At: t0, Expires: t0.Add(time.Minute)},
		{ID: 4, TenantID: "t1", Kind: revokesAPIKey, Subject: "k1", At: t0, Expires: t0.Add(apiKeyMarkTTL)},
	})
	arrivedU1, arrivedT2 := t0, t0.Add(time.Second)

	stale := []struct {
		name           string
		tenant, user   string
		iat, reloaded  time.Time
		want           bool
		wantInternally bool // marked: internal tokens of the user are checked
	}{
		{"a token of the user issued before the mark", "t1", "u1", t0.Add(-time.Minute), time.Time{}, true, true},
		{"issued within the skew after it", "t1", "u1", t0.Add(revocationSkew), time.Time{}, true, true},
		{"issued after the skew", "t1", "u1", t0.Add(revocationSkew + time.Second), time.Time{}, false, true},
		{"read again before the mark arrived", "t1", "u1", t0.Add(-time.Minute), arrivedU1.Add(-time.Millisecond), true, true},
		{"read again as it arrived", "t1", "u1", t0.Add(-time.Minute), arrivedU1, true, true},
		{"read again after it arrived", "t1", "u1", t0.Add(-time.Minute), arrivedU1.Add(time.Millisecond), false, true},
		{"another user of the tenant", "t1", "u2", t0.Add(-time.Minute), time.Time{}, false, false},
		{"a user of a marked tenant", "t2", "u9", t0.Add(-time.Minute), time.Time{}, true, false},
		{"read again after the tenant's mark arrived", "t2", "u9", t0.Add(-time.Minute), arrivedT2.Add(time.Millisecond), false, false},
	}
	for _, tt := range stale {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.stale(tt.tenant, tt.user, tt.iat, tt.reloaded); got != tt.want {
				t.Errorf("stale = %v, want %v", got, tt.want)
			}
			if got := s.marked(tt.user); got != tt.wantInternally {
				t.Errorf("marked = %v, want %v", got, tt.wantInternally)
			}
		})
	}

	if !s.sessionRevoked("jti-1") || s.sessionRevoked("jti-2") || s.sessionRevoked("") {
		t.Error("sessionRevoked: want jti-1 only")
	}
	since := []struct {
		name              string
		tenant, user, key string
		since             time.Time
		want              bool
	}{
		{"the key, read before its mark arrived", "t1", "u5", "k1", arrivedT2, true},
		{"the key, read after", "t1", "u5", "k1", arrivedT2.Add(time.Nanosecond), false},
		{"another key of a marked owner", "t1", "u1", "k2", arrivedU1, true},
		{"another key of a marked tenant", "t2", "u5", "k2", arrivedT2, true},
		{"another key", "t1", "u5", "k2", t0.Add(-time.Hour), false},
	}
	for _, tt := range since {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.arrivedSince(tt.tenant, tt.user, tt.key, tt.since); got != tt.want {
				t.Errorf("arrivedSince = %v, want %v", got, tt.want)
			}
		})
	}

	clock = t0.Add(apiKeyMarkTTL + time.Second)
	s.prune()
	if s.sessionRevoked("jti-1") || s.arrivedSince("t1", "u5", "k1", time.Time{}) {
		t.Error("the session's and the key's marks outlived their expiry")
	}
	if !s.stale("t1", "u1", t0, time.Time{}) {
		t.Error("the user's mark was pruned before its expiry")
	}
	clock = t0.Add(userMarkTTL + time.Second)
	s.prune()
	if len(s.marks) != 0 || len(s.seen) != 0 {
		t.Errorf("after every expiry: %d marks, %d rows remembered, want none", len(s.marks), len(s.seen))
	}
}
