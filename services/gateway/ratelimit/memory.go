package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// sweepEvery is how often Memory forgets buckets that have filled up.
const sweepEvery = time.Minute

// Memory keeps the buckets in this process. It is safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu        sync.Mutex
	tats      map[string]time.Time // theoretical arrival time per bucket
	lastSweep time.Time
}

// NewMemory returns an empty in-memory Limiter.
func NewMemory() *Memory {
	return &Memory{now: time.Now, tats: make(map[string]time.Time)}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, buckets ...Bucket) (Decision, error) {
	if len(buckets) == 0 {
		return Decision{}, fmt.Errorf("ratelimit: Allow without buckets")
	}
	for _, b := range buckets {
		if !b.Limit.valid() {
			return Decision{}, fmt.Errorf("ratelimit: bucket %s: invalid limit %v", b.Key, b.Limit)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	ds := make([]Decision, len(buckets))
	next := make([]time.Time, len(buckets))
	allowed := true
	for i, b := range buckets {
		ds[i], next[i] = gcra(now, m.tats[b.Key], b)
		allowed = allowed && ds[i].Allowed
	}
	if allowed {
		for i, b := range buckets {
			m.tats[b.Key] = next[i]
		}
	}
	return decide(ds), nil
}

// sweep forgets the buckets that are full again, once per sweepEvery.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < sweepEvery {
		return
	}
	m.lastSweep = now
	for k, tat := range m.tats {
		if !tat.After(now) {
			delete(m.tats, k)
		}
	}
}

// gcra decides one request against a bucket whose theoretical arrival time
// is tat (zero for a new bucket), returning the decision and the bucket's
// new tat should the request be taken.
func gcra(now, tat time.Time, b Bucket) (Decision, time.Time) {
	interval := b.Limit.interval()
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(interval)
	allowAt := next.Add(-time.Duration(b.Limit.Burst) * interval)
	if now.Before(allowAt) {
		return Decision{Key: b.Key, Limit: b.Limit.Burst, Reset: tat.Sub(now), RetryAfter: allowAt.Sub(now)}, next
	}
	return Decision{
		Allowed:   true,
		Key:       b.Key,
		Limit:     b.Limit.Burst,
		Remaining: int(now.Sub(allowAt) / interval),
		Reset:     next.Sub(now),
	}, next
}
