package sla

import (
	"time"
)

// CaseClock is a case's clock of one target as GET /v1/cases/{id}/sla
// shows it: Minutes of business time from StartedAt on its calendar, not
// counting Pauses, with what happened to it (History).
type CaseClock struct {
	Target   string `json:"target"`
	PolicyID string `json:"policyId"`
	// CalendarID is the business calendar the clock runs on: its
	// contract's coverage hours when the case's contract has them (kept
	// as the clock started), else "" and its policy's, which the API
	// shows.
	CalendarID string `json:"calendarId,omitempty"`
	// ContractID is the service contract the case was under when the
	// clock started, "" for none.
	ContractID string     `json:"contractId,omitempty"`
	Minutes    int        `json:"minutes"`
	StartedAt  time.Time  `json:"startedAt"`
	Pauses     []Pause    `json:"pauses"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	MetAt      *time.Time `json:"metAt,omitempty"`
	StoppedAt  *time.Time `json:"stoppedAt,omitempty"`
	WarnedAt   *time.Time `json:"warnedAt,omitempty"`
	// BreachedAt is when the sweep found it breached.
	BreachedAt *time.Time `json:"breachedAt,omitempty"`
	// Status is running, paused, met, stopped or breached (running past its
	// due time), RemainingSeconds the business time left (negative when
	// past due); both computed when read.
	Status           string  `json:"status"`
	RemainingSeconds int64   `json:"remainingSeconds"`
	History          []Event `json:"history"`

	warnAt, nextAt *time.Time
}

// Event is a step of a clock's history: started, paused, resumed, met,
// stopped, retargeted, recomputed, warned, breached or escalated (Detail
// says to what).
type Event struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

// The statuses of a clock.
const (
	StatusRunning  = "running"
	StatusPaused   = "paused"
	StatusMet      = "met"
	StatusStopped  = "stopped"
	StatusBreached = "breached"
)

// running reports whether k still counts (not met nor stopped).
func (k *CaseClock) running() bool { return k.MetAt == nil && k.StoppedAt == nil }

// clock is k's arithmetic.
func (k *CaseClock) clock() Clock {
	return Clock{Start: k.StartedAt, Target: time.Duration(k.Minutes) * time.Minute, Pauses: k.Pauses}
}

// calendar is the calendar of cals k runs on: its own when cals has it
// (one deleted since falls back), else its policy p's; nil for neither.
func (k *CaseClock) calendar(p *Policy, cals map[string]*Calendar) *Calendar {
	if c := cals[k.CalendarID]; c != nil {
		return c
	}
	if p == nil {
		return nil
	}
	return cals[p.CalendarID]
}

// log appends an event to k's history.
func (k *CaseClock) log(at time.Time, event, detail string) {
	k.History = append(k.History, Event{At: at.UTC(), Event: event, Detail: detail})
}

// schedule sets k's due time on cal and when the sweep next has work on
// it: the warning warnBefore minutes before the due time (none for 0),
// then the breach. A clock met, stopped or paused has none.
func (k *CaseClock) schedule(cal *Calendar, warnBefore int) {
	k.DueAt, k.warnAt, k.nextAt = nil, nil, nil
	if !k.running() {
		return
	}
	due, ok := k.clock().Due(cal)
	if !ok {
		return
	}
	due = due.UTC()
	k.DueAt = &due
	if warnBefore > 0 {
		w := due.Add(-time.Duration(warnBefore) * time.Minute)
		k.warnAt = &w
	}
	switch {
	case k.WarnedAt == nil && k.BreachedAt == nil && k.warnAt != nil:
		k.nextAt = k.warnAt
	case k.BreachedAt == nil:
		k.nextAt = k.DueAt
	}
}

// pause pauses k at at unless it is paused or no longer running.
func (k *CaseClock) pause(at time.Time) bool {
	if !k.running() || k.clock().Paused() {
		return false
	}
	at = later(at, k.StartedAt)
	k.Pauses = append(k.Pauses, Pause{From: at.UTC()})
	k.log(at, "paused", "")
	return true
}

// resume resumes k at at if it is paused.
func (k *CaseClock) resume(at time.Time) bool {
	if !k.running() || !k.clock().Paused() {
		return false
	}
	last := &k.Pauses[len(k.Pauses)-1]
	last.To = later(at, last.From).UTC()
	k.log(at, "resumed", "")
	return true
}

// meet marks k met at at (closing an open pause there).
func (k *CaseClock) meet(at time.Time) bool {
	if !k.running() {
		return false
	}
	at = later(at, k.StartedAt)
	k.resume(at)
	t := at.UTC()
	k.MetAt = &t
	k.log(at, "met", "")
	return true
}

// stop stops k at at, for why.
func (k *CaseClock) stop(at time.Time, why string) bool {
	if !k.running() {
		return false
	}
	at = later(at, k.StartedAt)
	k.resume(at)
	t := at.UTC()
	k.StoppedAt = &t
	k.log(at, "stopped", why)
	return true
}

// reopen has a met k run again from at, the time since it was met a
// pause.
func (k *CaseClock) reopen(at time.Time) bool {
	if k.MetAt == nil || k.StoppedAt != nil {
		return false
	}
	k.Pauses = append(k.Pauses, Pause{From: *k.MetAt, To: later(at, *k.MetAt).UTC()})
	k.MetAt = nil
	k.log(at, "resumed", "reopened")
	return true
}

// restart starts k again at at (a next response's new cycle).
func (k *CaseClock) restart(at time.Time, policy string, minutes int) {
	k.PolicyID, k.Minutes, k.StartedAt, k.Pauses = policy, minutes, at.UTC(), []Pause{}
	k.MetAt, k.StoppedAt, k.WarnedAt, k.BreachedAt = nil, nil, nil, nil
	k.log(at, "started", "")
}

// view sets what k shows when read at now on cal.
func (k *CaseClock) view(cal *Calendar, now time.Time) {
	k.RemainingSeconds = int64(k.clock().Remaining(cal, now) / time.Second)
	switch {
	case k.MetAt != nil:
		k.Status = StatusMet
		k.RemainingSeconds = int64(k.clock().Remaining(cal, *k.MetAt) / time.Second)
	case k.StoppedAt != nil:
		k.Status = StatusStopped
		k.RemainingSeconds = int64(k.clock().Remaining(cal, *k.StoppedAt) / time.Second)
	case k.clock().Paused():
		k.Status = StatusPaused
	case k.RemainingSeconds < 0 || k.BreachedAt != nil:
		k.Status = StatusBreached
	default:
		k.Status = StatusRunning
	}
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
