package sla

import "time"

// Pause is an interval during which a clock does not run, [From, To); To
// is zero while the clock is still paused.
type Pause struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
}

// Clock is the arithmetic of one SLA target: Target of business time
// from Start, not counting its pauses (in order, not overlapping, none
// before Start, only the last one open).
type Clock struct {
	Start  time.Time
	Target time.Duration
	Pauses []Pause
}

// Paused reports whether the clock's last pause is still open.
func (k Clock) Paused() bool {
	return len(k.Pauses) > 0 && k.Pauses[len(k.Pauses)-1].To.IsZero()
}

// Due returns the instant the target's business time has run out on c;
// false when the clock was paused before that and is still paused.
func (k Clock) Due(c *Calendar) (time.Time, bool) {
	at, left := k.Start, k.Target
	for _, p := range k.Pauses {
		if due := c.Add(at, left); !due.After(p.From) {
			return due, true
		}
		left -= c.Between(at, p.From)
		if p.To.IsZero() {
			return time.Time{}, false
		}
		at = p.To
	}
	return c.Add(at, left), true
}

// Elapsed returns the business time the clock has run by now.
func (k Clock) Elapsed(c *Calendar, now time.Time) time.Duration {
	if !now.After(k.Start) {
		return 0
	}
	run := c.Between(k.Start, now)
	for _, p := range k.Pauses {
		if !p.From.Before(now) {
			break
		}
		to := p.To
		if to.IsZero() || to.After(now) {
			to = now
		}
		run -= c.Between(p.From, to)
	}
	return run
}

// Remaining returns the business time left at now; negative once breached.
func (k Clock) Remaining(c *Calendar, now time.Time) time.Duration {
	return k.Target - k.Elapsed(c, now)
}
