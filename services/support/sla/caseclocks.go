package sla

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// caseClocks is a case with its clocks, the service contract it is under
// (nil: none), the tenant's policies and calendars: what a case's event
// changes.
type caseClocks struct {
	c        caseInfo
	contract *caseContract
	clocks   map[string]*CaseClock
	policies []Policy
	cals     map[string]*Calendar
	changed  map[string]bool
}

// targets are the clocks' targets in the order they are shown.
var targets = []string{FirstResponse, NextResponse, Resolution}

// loadCaseClocks reads the case id (locking it) with its clocks, its
// contract and the tenant's policies and calendars.
func loadCaseClocks(ctx context.Context, tx *outbox.Tx, id string) (*caseClocks, error) {
	c, err := getCase(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	out := &caseClocks{c: c, changed: map[string]bool{}}
	if out.clocks, err = readClocks(ctx, tx, id); err != nil {
		return nil, err
	}
	if out.contract, err = contractOf(ctx, tx, c); err != nil {
		return nil, err
	}
	if out.policies, err = listPolicies(ctx, tx); err != nil {
		return nil, err
	}
	out.cals, err = calendars(ctx, tx)
	return out, err
}

// policy returns the policy id, nil when it was deleted.
func (c *caseClocks) policy(id string) *Policy {
	return findPolicy(c.policies, id)
}

// each calls f on every clock, marking it changed when f says so.
func (c *caseClocks) each(f func(*CaseClock) bool) {
	for t, k := range c.clocks {
		if f(k) {
			c.changed[t] = true
		}
	}
}

// start starts the clock target at at on p for the case's priority,
// unless p has no such target, under the case's contract: on the
// calendar of its coverage hours when it has one (and the tenant that
// calendar).
func (c *caseClocks) start(target string, p *Policy, at time.Time) {
	m := p.minutes(target, c.c.Priority)
	if m == 0 {
		return
	}
	k := c.clocks[target]
	if k == nil {
		k = &CaseClock{Target: target}
		c.clocks[target] = k
	}
	k.restart(at, p.ID, m)
	k.ContractID, k.CalendarID = c.contract.id(), ""
	if cal := c.contract.calendar(); c.cals[cal] != nil {
		k.CalendarID = cal
	}
	c.changed[target] = true
}

// caseEvent applies a case's event of type typ, payload p, made at at.
func (c *caseClocks) caseEvent(typ string, p casePayload, at time.Time) {
	switch typ {
	case TypeCaseCreated:
		if len(c.clocks) > 0 {
			return
		}
		c.c.Priority = p.Priority
		if pol := choose(c.policies, p.Priority, p.AccountID, c.contract); pol != nil {
			c.start(FirstResponse, pol, p.CreatedAt)
			c.start(Resolution, pol, p.CreatedAt)
		}
		if p.Status == cases.StatusPendingCustomer {
			c.each(func(k *CaseClock) bool { return k.pause(p.CreatedAt) })
		}
	case TypeCaseUpdated:
		if slices.Contains(p.Changed, "priority") {
			c.retarget(p.Priority, p.AccountID, at)
		}
	case TypeCaseStatusChanged:
		c.status(p.FromStatus, p.Status, at)
	case TypeCaseMerged, TypeCaseDeleted:
		c.each(func(k *CaseClock) bool {
			return k.stop(at, "case "+map[string]string{TypeCaseMerged: "merged", TypeCaseDeleted: "deleted"}[typ])
		})
	}
}

// status follows a case's status change from to: pending the customer
// pauses every clock and leaving it resumes them; solving or closing
// meets the resolution and stops the rest; reopening has the resolution
// run again.
func (c *caseClocks) status(from, to string, at time.Time) {
	switch {
	case to == cases.StatusPendingCustomer:
		c.each(func(k *CaseClock) bool { return k.pause(at) })
	case to == cases.StatusSolved || to == cases.StatusClosed:
		c.each(func(k *CaseClock) bool {
			if k.Target == Resolution {
				return k.meet(at)
			}
			return k.stop(at, "case "+to)
		})
	case from == cases.StatusPendingCustomer:
		c.each(func(k *CaseClock) bool { return k.resume(at) })
	case from == cases.StatusSolved || from == cases.StatusClosed:
		if k := c.clocks[Resolution]; k != nil && k.reopen(at) {
			c.changed[Resolution] = true
		}
	}
}

// entry follows a public reply: an agent's meets the first and next
// response; a customer's starts the next response once the first one was
// met, unless one is running.
func (c *caseClocks) entry(e entryPayload) {
	if e.Kind != "reply" || !e.Public {
		return
	}
	switch e.AuthorType {
	case "agent":
		for _, t := range []string{FirstResponse, NextResponse} {
			if k := c.clocks[t]; k != nil && k.meet(e.CreatedAt) {
				c.changed[t] = true
			}
		}
	case "customer":
		if k := c.clocks[FirstResponse]; k != nil && k.running() {
			return
		}
		if k := c.clocks[NextResponse]; k != nil && k.running() {
			return
		}
		if pol := c.current(); pol != nil {
			c.start(NextResponse, pol, e.CreatedAt)
		}
	}
}

// current is the policy of the case's clocks (the resolution's first),
// else the one its priority, account and contract choose now.
func (c *caseClocks) current() *Policy {
	for _, t := range []string{Resolution, FirstResponse, NextResponse} {
		if k := c.clocks[t]; k != nil {
			if p := c.policy(k.PolicyID); p != nil {
				return p
			}
		}
	}
	return choose(c.policies, c.c.Priority, pgrecord.Deref(c.c.AccountID), c.contract)
}

// retarget re-picks the policy of a case whose priority changed: the
// running clocks take its targets for the new priority (keeping their
// start and pauses) or stop when it has none.
func (c *caseClocks) retarget(priority, account string, at time.Time) {
	c.c.Priority = priority
	pol := choose(c.policies, priority, account, c.contract)
	c.each(func(k *CaseClock) bool {
		if !k.running() {
			return false
		}
		if pol == nil {
			return k.stop(at, "no SLA policy applies")
		}
		m := pol.minutes(k.Target, priority)
		if m == 0 {
			return k.stop(at, "no target for priority "+priority)
		}
		if k.PolicyID == pol.ID && k.Minutes == m {
			return false
		}
		k.PolicyID, k.Minutes = pol.ID, m
		k.log(at, "retargeted", fmt.Sprintf("%s: %d business minutes (priority %s)", pol.Name, m, priority))
		return true
	})
}

// save schedules the changed clocks on their calendars (their own, else
// their policies') and writes them, with the case's due time. A clock
// whose policy is gone stops.
func (c *caseClocks) save(ctx context.Context, tx *outbox.Tx) error {
	var out []*CaseClock
	for _, t := range targets {
		if !c.changed[t] {
			continue
		}
		k := c.clocks[t]
		pol := c.policy(k.PolicyID)
		if pol == nil {
			k.stop(time.Now(), "SLA policy deleted")
			k.schedule(nil, 0)
		} else {
			k.schedule(k.calendar(pol, c.cals), pol.WarnBeforeMinutes)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return saveClocks(ctx, tx, c.c.ID, out...)
}
