package load

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Stats keeps every try the load sent, for the figures: errors seen by
// clients, recovery after a fault, latency percentiles per minute.
type Stats struct {
	mu       sync.Mutex
	attempts []Attempt
}

// Observe records a; it is a Client's Observe.
func (s *Stats) Observe(a Attempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, a)
}

// Failed reports a try a client saw fail: no answer or a 5xx.
func (a Attempt) Failed() bool { return a.Status == 0 || a.Status >= 500 }

// Between returns the tries sent in [from, to), in the order sent.
func (s *Stats) Between(from, to time.Time) []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Attempt
	for _, a := range s.attempts {
		if !a.At.Before(from) && a.At.Before(to) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Attempt) int { return a.At.Compare(b.At) })
	return out
}

// Recovery is how the load fared around a fault injected at At.
type Recovery struct {
	// Errors are the tries that failed (no answer or 5xx) in the window.
	Errors int
	// Tries are all the tries in the window.
	Tries int
	// FirstSuccess is the time from the fault to the first 2xx sent
	// after it.
	FirstSuccess time.Duration
	// Clear is the time from the fault to the end of the last failed try
	// (0 when none failed): the clients saw no error after it.
	Clear time.Duration
	// Failures counts the failed tries by kind and status ("contact.create
	// 503", "form.submit 0" for no answer).
	Failures map[string]int
}

// RecoveryAfter measures the load's tries in [at, to).
func (s *Stats) RecoveryAfter(at, to time.Time) Recovery {
	var r Recovery
	first := time.Time{}
	for _, a := range s.Between(at, to) {
		r.Tries++
		if a.Failed() {
			r.Errors++
			if r.Failures == nil {
				r.Failures = map[string]int{}
			}
			r.Failures[fmt.Sprintf("%s %d", a.Kind, a.Status)]++
			if end := a.At.Add(a.Latency).Sub(at); end > r.Clear {
				r.Clear = end
			}
		} else if a.Status < 300 && first.IsZero() {
			first = a.At.Add(a.Latency)
		}
	}
	if !first.IsZero() {
		r.FirstSuccess = first.Sub(at)
	}
	return r
}

// Minute is the latency of one minute's answered tries.
type Minute struct {
	Start         time.Time
	Tries, Errors int
	P50, P99      time.Duration
}

// PerMinute returns the whole minutes of [from, to) with their
// percentiles (a shorter run is one partial minute).
func (s *Stats) PerMinute(from, to time.Time) []Minute {
	var out []Minute
	for m := from; m.Before(to); m = m.Add(time.Minute) {
		end := m.Add(time.Minute)
		if end.After(to) && len(out) > 0 {
			break // a tail shorter than a minute is no minute
		}
		if end.After(to) {
			end = to
		}
		var lat []time.Duration
		mi := Minute{Start: m}
		for _, a := range s.Between(m, end) {
			if a.Kind == "read" || a.Kind == "login" {
				continue
			}
			mi.Tries++
			if a.Failed() {
				mi.Errors++
				continue
			}
			lat = append(lat, a.Latency)
		}
		mi.P50, mi.P99 = Percentile(lat, 0.50), Percentile(lat, 0.99)
		out = append(out, mi)
	}
	return out
}

// Percentile returns the p-th percentile of d (nearest rank), 0 for none.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}
