package proxy

import (
	"sync"
	"time"
)

// BreakerConfig configures the per-upstream circuit breakers.
type BreakerConfig struct {
	// Failures is the number of consecutive failures that opens a circuit
	// (default 5).
	Failures int
	// CoolDown is how long an open circuit refuses requests before it lets
	// one probe through (default 10 s).
	CoolDown time.Duration
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.Failures <= 0 {
		c.Failures = 5
	}
	if c.CoolDown <= 0 {
		c.CoolDown = 10 * time.Second
	}
	return c
}

// circuitState is the state of one upstream's circuit.
type circuitState int

const (
	closed   circuitState = iota // requests flow
	open                         // requests are refused until the cool-down ends
	halfOpen                     // one probe is in flight; others are refused
)

// circuit is the breaker state of one upstream.
type circuit struct {
	state    circuitState
	failures int       // consecutive, while closed
	openedAt time.Time // when it last opened
}

// breakers holds one circuit per upstream address. It is safe for
// concurrent use.
type breakers struct {
	cfg BreakerConfig
	now func() time.Time

	mu       sync.Mutex
	circuits map[string]*circuit
}

func newBreakers(cfg BreakerConfig) *breakers {
	return &breakers{cfg: cfg.withDefaults(), now: time.Now, circuits: make(map[string]*circuit)}
}

// allow reports whether a request may go to addr now. When it may not, wait
// is how long until the circuit lets a probe through. A true answer must be
// followed by exactly one call of done or release for addr.
func (b *breakers) allow(addr string) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[addr]
	if c == nil {
		return true, 0
	}
	switch c.state {
	case closed:
		return true, 0
	case open:
		left := c.openedAt.Add(b.cfg.CoolDown).Sub(b.now())
		if left > 0 {
			return false, left
		}
		c.state = halfOpen // this caller is the probe
		return true, 0
	default: // halfOpen: a probe is in flight
		return false, time.Second
	}
}

// done records the outcome of a request allowed to addr.
func (b *breakers) done(addr string, success bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[addr]
	if success {
		if c != nil {
			delete(b.circuits, addr) // closed with no failures is the absent state
		}
		return
	}
	if c == nil {
		c = &circuit{}
		b.circuits[addr] = c
	}
	switch c.state {
	case closed:
		c.failures++
		if c.failures >= b.cfg.Failures {
			c.state, c.openedAt = open, b.now()
		}
	default: // the probe failed, or a request from before the opening did
		c.state, c.openedAt = open, b.now()
	}
}

// release gives back an allowance whose outcome says nothing about addr
// (the client went away): a probe slot returns to open, so the next request
// probes again.
func (b *breakers) release(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.circuits[addr]; c != nil && c.state == halfOpen {
		c.state = open
		c.openedAt = b.now().Add(-b.cfg.CoolDown)
	}
}

// stateOf returns addr's circuit state, for tests.
func (b *breakers) stateOf(addr string) circuitState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.circuits[addr]; c != nil {
		return c.state
	}
	return closed
}
