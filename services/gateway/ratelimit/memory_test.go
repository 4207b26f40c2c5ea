package ratelimit

import (
	"testing"
	"time"
)

func TestMemoryGCRA(t *testing.T) {
	type step struct {
		advance       time.Duration
		buckets       []Bucket
		wantAllowed   bool
		wantKey       string
		wantRemaining int
		wantRetry     time.Duration // for refusals
	}
	tenant := Bucket{Key: "tenant:a", Limit: Limit{Rate: 10, Burst: 3}} // a token every 100ms
	key := Bucket{Key: "key:k", Limit: Limit{Rate: 1, Burst: 1}}
	tests := []struct {
		name  string
		steps []step
	}{
		{"burst then refusal", []step{
			{0, []Bucket{tenant}, true, "tenant:a", 2, 0},
			{0, []Bucket{tenant}, true, "tenant:a", 1, 0},
			{0, []Bucket{tenant}, true, "tenant:a", 0, 0},
			{0, []Bucket{tenant}, false, "tenant:a", 0, 100 * time.Millisecond},
			{40 * time.Millisecond, []Bucket{tenant}, false, "tenant:a", 0, 60 * time.Millisecond},
		}},
		{"refills at the rate", []step{
			{0, []Bucket{tenant}, true, "tenant:a", 2, 0},
			{0, []Bucket{tenant}, true, "tenant:a", 1, 0},
			{0, []Bucket{tenant}, true, "tenant:a", 0, 0},
			{100 * time.Millisecond, []Bucket{tenant}, true, "tenant:a", 0, 0},
			{250 * time.Millisecond, []Bucket{tenant}, true, "tenant:a", 1, 0},
			{time.Hour, []Bucket{tenant}, true, "tenant:a", 2, 0},
		}},
		{"a refused key does not charge its tenant", []step{
			{0, []Bucket{tenant, key}, true, "key:k", 0, 0},
			{0, []Bucket{tenant, key}, false, "key:k", 0, time.Second},
			{0, []Bucket{tenant, key}, false, "key:k", 0, time.Second},
			{0, []Bucket{tenant}, true, "tenant:a", 1, 0}, // the tenant gave one token, not three
		}},
		{"the tenant limit covers every key", []step{
			{0, []Bucket{tenant, {Key: "key:1", Limit: key.Limit}}, true, "key:1", 0, 0},
			{0, []Bucket{tenant, {Key: "key:2", Limit: key.Limit}}, true, "key:2", 0, 0},
			{0, []Bucket{tenant, {Key: "key:3", Limit: key.Limit}}, true, "key:3", 0, 0},
			{0, []Bucket{tenant, {Key: "key:4", Limit: key.Limit}}, false, "tenant:a", 0, 100 * time.Millisecond},
		}},
		{"buckets are independent", []step{
			{0, []Bucket{key}, true, "key:k", 0, 0},
			{0, []Bucket{{Key: "key:other", Limit: key.Limit}}, true, "key:other", 0, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			m := NewMemory()
			m.now = clock.Now
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				got, err := m.Allow(t.Context(), s.buckets...)
				if err != nil {
					t.Fatal(err)
				}
				if got.Allowed != s.wantAllowed || got.Key != s.wantKey || got.Remaining != s.wantRemaining {
					t.Fatalf("step %d: got allowed %v key %s remaining %d, want %v %s %d", i, got.Allowed, got.Key, got.Remaining, s.wantAllowed, s.wantKey, s.wantRemaining)
				}
				if !got.Allowed && got.RetryAfter != s.wantRetry {
					t.Errorf("step %d: retry after %v, want %v", i, got.RetryAfter, s.wantRetry)
				}
			}
		})
	}
}

func TestMemorySweepsFullBuckets(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	m := NewMemory()
	m.now = clock.Now
	for _, k := range []string{"a", "b", "c"} {
		if _, err := m.Allow(t.Context(), Bucket{Key: k, Limit: Limit{Rate: 1, Burst: 5}}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * sweepEvery)
	if _, err := m.Allow(t.Context(), Bucket{Key: "d", Limit: Limit{Rate: 1, Burst: 5}}); err != nil {
		t.Fatal(err)
	}
	if got := len(m.tats); got != 1 {
		t.Errorf("buckets kept = %d, want 1", got)
	}
}

func TestAllowRejectsBadCalls(t *testing.T) {
	limiters := map[string]Limiter{"memory": NewMemory(), "redis": NewRedis(newRedisClient(t), "unused:")}
	for name, l := range limiters {
		t.Run(name, func(t *testing.T) {
			if _, err := l.Allow(t.Context()); err == nil {
				t.Error("Allow() without buckets: nil error")
			}
			if _, err := l.Allow(t.Context(), Bucket{Key: "x", Limit: Limit{Rate: 0, Burst: 1}}); err == nil {
				t.Error("Allow with a zero rate: nil error")
			}
		})
	}
}
