package identity

import (
	"context"
	"sync"
	"time"
)

// LoginThrottle slows password guessing. Each key (an account, a client
// address) may fail a number of times free; every further failure locks the
// key for a window that doubles up to a maximum. A success clears the key.
type LoginThrottle interface {
	// Wait returns how long the longest-locked of keys remains locked
	// (zero when none is).
	Wait(ctx context.Context, keys ...string) (time.Duration, error)
	// Fail records a failure for every key.
	Fail(ctx context.Context, keys ...string) error
	// Succeed clears key.
	Succeed(ctx context.Context, key string) error
}

// LoginThrottles are the throttles of failed logins per account and per
// client address. The zero value means MemoryThrottles.
type LoginThrottles struct {
	Accounts, Addresses LoginThrottle
}

// MemoryThrottles are LoginThrottles kept in this process: each gateway
// replica counts the failures it sees.
func MemoryThrottles() LoginThrottles {
	return LoginThrottles{Accounts: NewThrottle(), Addresses: addressThrottle()}
}

// Throttle is a LoginThrottle in memory: each key may fail FreeAttempts
// times, then every failure locks it for a window doubling from BaseDelay up
// to MaxDelay. Entries idle for longer than MaxDelay are dropped.
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

// The login throttles' limits: an account may fail accountFreeAttempts
// times, a client address (which may sit in front of many users, an
// office's NAT) addressFreeAttempts; then each failure locks the key for
// throttleBaseDelay, doubling up to throttleMaxDelay.
const (
	accountFreeAttempts = 5
	addressFreeAttempts = 30
	throttleBaseDelay   = time.Second
	throttleMaxDelay    = 15 * time.Minute
)

// NewThrottle returns a Throttle allowing 5 free failures, then locking for
// 1 s, 2 s, 4 s, ... up to 15 minutes.
func NewThrottle() *Throttle {
	return &Throttle{FreeAttempts: accountFreeAttempts, BaseDelay: throttleBaseDelay, MaxDelay: throttleMaxDelay,
		entries: map[string]*throttleEntry{}, now: time.Now}
}

// addressThrottle is the Throttle for client addresses, which may sit in
// front of many users (an office's NAT): 30 free failures, then the same
// doubling lock.
func addressThrottle() *Throttle {
	t := NewThrottle()
	t.FreeAttempts = addressFreeAttempts
	return t
}

// Wait implements LoginThrottle.
func (t *Throttle) Wait(_ context.Context, keys ...string) (time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		if e := t.entries[k]; e != nil && e.lockedUntil.After(now) {
			wait = max(wait, e.lockedUntil.Sub(now))
		}
	}
	return wait, nil
}

// Fail implements LoginThrottle.
func (t *Throttle) Fail(_ context.Context, keys ...string) error {
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
	return nil
}

// Succeed implements LoginThrottle.
func (t *Throttle) Succeed(_ context.Context, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
	return nil
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
