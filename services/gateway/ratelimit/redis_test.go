package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiters returns a fresh Limiter of each kind.
func limiters(t *testing.T) map[string]Limiter {
	c := newRedisClient(t)
	return map[string]Limiter{"memory": NewMemory(), "redis": NewRedis(c, testPrefix(t, c))}
}

func TestLimitersAgree(t *testing.T) {
	slow := Limit{Rate: 1, Burst: 4} // nothing refills within a test step
	tests := []struct {
		name          string
		calls         [][]Bucket
		wantAllowed   []bool
		wantRemaining []int
	}{
		{
			name:          "burst then refusal",
			calls:         [][]Bucket{{{"t", slow}}, {{"t", slow}}, {{"t", slow}}, {{"t", slow}}, {{"t", slow}}},
			wantAllowed:   []bool{true, true, true, true, false},
			wantRemaining: []int{3, 2, 1, 0, 0},
		},
		{
			name: "all or nothing",
			calls: [][]Bucket{
				{{"t", slow}, {"k", Limit{Rate: 1, Burst: 1}}},
				{{"t", slow}, {"k", Limit{Rate: 1, Burst: 1}}},
				{{"t", slow}},
			},
			wantAllowed:   []bool{true, false, true},
			wantRemaining: []int{0, 0, 2},
		},
	}
	for name, l := range limiters(t) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				prefix := name + tt.name
				for i, call := range tt.calls {
					bs := make([]Bucket, len(call))
					for j, b := range call {
						bs[j] = Bucket{Key: prefix + b.Key, Limit: b.Limit}
					}
					got, err := l.Allow(t.Context(), bs...)
					if err != nil {
						t.Fatal(err)
					}
					if got.Allowed != tt.wantAllowed[i] || got.Remaining != tt.wantRemaining[i] {
						t.Fatalf("call %d: allowed %v remaining %d, want %v %d", i, got.Allowed, got.Remaining, tt.wantAllowed[i], tt.wantRemaining[i])
					}
					if got.Allowed {
						if got.Reset <= 0 || got.Reset > 4*time.Second {
							t.Errorf("call %d: reset %v, want in (0, 4s]", i, got.Reset)
						}
					} else if got.RetryAfter <= 0 || got.RetryAfter > time.Second {
						t.Errorf("call %d: retry after %v, want in (0, 1s]", i, got.RetryAfter)
					}
				}
			})
		}
	}
}

func TestRedisKeysExpireWhenFull(t *testing.T) {
	c := newRedisClient(t)
	prefix := testPrefix(t, c)
	l := NewRedis(c, prefix)
	if _, err := l.Allow(t.Context(), Bucket{Key: "t", Limit: Limit{Rate: 10, Burst: 5}}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.PTTL(t.Context(), prefix+"t").Result()
	if err != nil {
		t.Fatal(err)
	}
	// One token taken at 10/s: full again after 100 ms, plus a millisecond.
	if ttl <= 0 || ttl > 102*time.Millisecond {
		t.Errorf("key TTL = %v, want about 100ms", ttl)
	}
}

// countAccepted sends requests to l from workers goroutines for d and
// returns how many were allowed.
func countAccepted(ctx context.Context, l Limiter, b Bucket, workers int, d time.Duration) (accepted, refused int64, err error) {
	var a, r atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				dec, err := l.Allow(ctx, b)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if dec.Allowed {
					a.Add(1)
				} else {
					r.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return 0, 0, e
	}
	return a.Load(), r.Load(), nil
}

func TestRedisLimitHeldAcrossLimiterInstances(t *testing.T) {
	// Two limiters with their own Redis connections stand for two gateway
	// replicas; together they must accept no more than one limit allows.
	limit := Limit{Rate: 20, Burst: 10}
	window := 1500 * time.Millisecond
	first := newRedisClient(t)
	prefix := testPrefix(t, first)
	opts, _ := redis.ParseURL(testRedisURL())
	second := redis.NewClient(opts)
	t.Cleanup(func() { second.Close() })

	b := Bucket{Key: "tenant:shared", Limit: limit}
	var wg sync.WaitGroup
	results := make([][2]int64, 2)
	errs := make([]error, 2)
	for i, c := range []*redis.Client{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, r, err := countAccepted(t.Context(), NewRedis(c, prefix), b, 4, window)
			results[i], errs[i] = [2]int64{a, r}, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	total := results[0][0] + results[1][0]
	max := int64(limit.Burst) + int64(limit.Rate*window.Seconds()) + 1
	t.Logf("accepted %d + %d = %d of %d requests (one limit allows at most %d; two unshared limits would allow %d)",
		results[0][0], results[1][0], total, total+results[0][1]+results[1][1], max, 2*max)
	if total > max {
		t.Errorf("accepted %d, want at most %d", total, max)
	}
	if total < int64(limit.Burst) {
		t.Errorf("accepted %d, want at least the burst %d", total, limit.Burst)
	}
	if results[0][1] == 0 || results[1][1] == 0 {
		t.Error("one replica never refused: the limit was not shared")
	}
}
