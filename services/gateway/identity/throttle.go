package identity

import (
	"sync"
	"time"
)

// Throttle slows password guessing. Each key (an account, a client address)
// may fail FreeAttempts times; every further failure locks the key for a
// window that doubles from BaseDelay up to MaxDelay. A success clears the
// key. State is in memory, per gateway replica; entries idle for longer than
// MaxDelay are dropped.
type Throttle struct {
	FreeAttempts int
	BaseDelay    time.Duration
	MaxDelay     time.Duration

	mu      sync.Mutex
	entries map[string]*throttleEntry
	now     func() time.Time
	sweep   time.Time
}

type throttleEntry struct {
	failures    int
	lockedUntil time.Time
	last        time.Time
}

// NewThrottle returns a Throttle allowing 5 free failures, then locking for
// 1 s, 2 s, 4 s, ... up to 15 minutes.
func NewThrottle() *Throttle {
	return &Throttle{FreeAttempts: 5, BaseDelay: time.Second, MaxDelay: 15 * time.Minute,
		entries: map[string]*throttleEntry{}, now: time.Now}
}

// addressThrottle is the Throttle for client addresses, which may sit in
// front of many users (an office's NAT): 30 free failures, then the same
// doubling lock.
func addressThrottle() *Throttle {
	t := NewThrottle()
	t.FreeAttempts = 30
	return t
}

// Wait returns how long the longest-locked of keys remains locked (zero when
// none is).
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		if e := t.entries[k]; e != nil && e.lockedUntil.After(now) {
			wait = max(wait, e.lockedUntil.Sub(now))
		}
	}
	return wait
}

// Fail records a failure for every key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweepLocked(now)
	for _, k := range keys {
		e := t.entries[k]
		if e == nil {
			e = &throttleEntry{}
			t.entries[k] = e
		}
		e.failures++
		e.last = now
		if over := e.failures - t.FreeAttempts; over > 0 {
			d := t.BaseDelay << min(over-1, 20)
			e.lockedUntil = now.Add(min(d, t.MaxDelay))
		}
	}
}

// Succeed clears key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// sweepLocked drops idle entries at most once a minute.
func (t *Throttle) sweepLocked(now time.Time) {
	if now.Sub(t.sweep) < time.Minute {
		return
	}
	t.sweep = now
	for k, e := range t.entries {
		if now.Sub(e.last) > t.MaxDelay && now.After(e.lockedUntil) {
			delete(t.entries, k)
		}
	}
}
