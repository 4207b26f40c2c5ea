package sla

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Policy is an SLA policy: the targets of the cases it applies to, in
// business minutes per priority on its calendar, the warning before a
// breach, and what a breach escalates to. A case gets the policy its
// service contract grants (when active), else the first active policy, by
// Position then age, whose Conditions it meets.
type Policy struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	// Active is true unless set false; an inactive policy applies to no
	// new case.
	Active            *bool        `json:"active"`
	CalendarID        string       `json:"calendarId"`
	Conditions        Conditions   `json:"conditions"`
	Targets           Targets      `json:"targets"`
	WarnBeforeMinutes int          `json:"warnBeforeMinutes"`
	Escalations       []Escalation `json:"escalations"`
	CreatedAt         time.Time    `json:"createdAt"`
	UpdatedAt         time.Time    `json:"updatedAt"`
	Version           int64        `json:"version"`
}

// Conditions select the cases of a policy: each list, when not empty,
// must hold the case's value. ContractIDs are service contracts: the case
// must be under one of them (the contract it links to, else its
// account's in force on the day it was opened).
type Conditions struct {
	Priorities  []string `json:"priorities"`
	AccountIDs  []string `json:"accountIds"`
	ContractIDs []string `json:"contractIds"`
}

// Targets are a policy's targets, each in business minutes by case
// priority; a priority without one has no clock of that target.
type Targets struct {
	FirstResponse map[string]int `json:"firstResponse"`
	NextResponse  map[string]int `json:"nextResponse"`
	Resolution    map[string]int `json:"resolution"`
}

// Escalation is an action a breach of Target (any target when empty)
// runs: raisePriority (to Priority, else one step up), reassignTo
// (AssigneeID, a user, or QueueID) or notifyManager (the event only).
type Escalation struct {
	Target     string `json:"target,omitempty"`
	Action     string `json:"action"`
	Priority   string `json:"priority,omitempty"`
	AssigneeID string `json:"assigneeId,omitempty"`
	QueueID    string `json:"queueId,omitempty"`
}

// The targets of a case's clocks.
const (
	FirstResponse = "first_response"
	NextResponse  = "next_response"
	Resolution    = "resolution"
)

// The escalation actions.
const (
	ActionRaisePriority = "raisePriority"
	ActionReassignTo    = "reassignTo"
	ActionNotifyManager = "notifyManager"
)

// policyReadOnly are the fields of a Policy the service sets.
var policyReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// maxTargetMinutes is the longest target: a year of minutes.
const maxTargetMinutes = 366 * 24 * 60

// normalize validates p, naming each field at fault; a policy without
// active is active.
func (p *Policy) normalize() error {
	v := errs.NewValidator()
	name(v, &p.Name)
	v.Check(p.Position >= 0 && p.Position <= 1_000_000, "position", "0 to 1000000")
	v.Check(ids.Valid(p.CalendarID), "calendarId", "required, a business calendar's id")
	if p.Active == nil {
		t := true
		p.Active = &t
	}
	p.Conditions.nonNil()
	for i, pr := range p.Conditions.Priorities {
		v.Check(slices.Contains(cases.Priorities, pr), fmt.Sprintf("conditions/priorities/%d", i), "one of low, normal, high, urgent")
	}
	for i, id := range p.Conditions.AccountIDs {
		v.Check(ids.Valid(id), fmt.Sprintf("conditions/accountIds/%d", i), "an account's id")
	}
	v.Check(len(p.Conditions.AccountIDs) <= 1000, "conditions/accountIds", "at most 1000")
	for i, id := range p.Conditions.ContractIDs {
		v.Check(ids.Valid(id), fmt.Sprintf("conditions/contractIds/%d", i), "a service contract's id")
	}
	v.Check(len(p.Conditions.ContractIDs) <= 1000, "conditions/contractIds", "at most 1000")
	for _, t := range []struct {
		field string
		m     *map[string]int
	}{{"targets/firstResponse", &p.Targets.FirstResponse}, {"targets/nextResponse", &p.Targets.NextResponse}, {"targets/resolution", &p.Targets.Resolution}} {
		if *t.m == nil {
			*t.m = map[string]int{}
		}
		for _, pr := range slices.Sorted(maps.Keys(*t.m)) {
			v.Check(slices.Contains(cases.Priorities, pr), t.field+"/"+pr, "a priority: low, normal, high, urgent")
			v.Check((*t.m)[pr] > 0 && (*t.m)[pr] <= maxTargetMinutes, t.field+"/"+pr, "1 to 527040 business minutes")
		}
	}
	v.Check(len(p.Targets.FirstResponse)+len(p.Targets.NextResponse)+len(p.Targets.Resolution) > 0, "targets", "at least one target")
	v.Check(p.WarnBeforeMinutes >= 0 && p.WarnBeforeMinutes <= maxTargetMinutes, "warnBeforeMinutes", "0 to 527040 minutes")
	p.Escalations = nonNil(p.Escalations)
	v.Check(len(p.Escalations) <= 20, "escalations", "at most 20")
	for i, e := range p.Escalations {
		f := fmt.Sprintf("escalations/%d/", i)
		v.Check(e.Target == "" || slices.Contains([]string{FirstResponse, NextResponse, Resolution}, e.Target), f+"target",
			"first_response, next_response or resolution (none: any)")
		switch e.Action {
		case ActionRaisePriority:
			v.Check(e.Priority == "" || slices.Contains(cases.Priorities, e.Priority), f+"priority", "one of low, normal, high, urgent")
			v.Check(e.AssigneeID == "" && e.QueueID == "", f+"action", "raisePriority takes only a priority")
		case ActionReassignTo:
			v.Check((e.AssigneeID == "") != (e.QueueID == ""), f+"assigneeId", "reassignTo needs an assigneeId or a queueId")
			v.Check(e.QueueID == "" || ids.Valid(e.QueueID), f+"queueId", "a queue's id")
			v.Check(len(e.AssigneeID) <= 200, f+"assigneeId", "at most 200 characters")
			v.Check(e.Priority == "", f+"priority", "only raisePriority takes a priority")
		case ActionNotifyManager:
			v.Check(e.Priority == "" && e.AssigneeID == "" && e.QueueID == "", f+"action", "notifyManager takes no parameters")
		default:
			v.Check(false, f+"action", "raisePriority, reassignTo or notifyManager")
		}
	}
	return v.Err()
}

// nonNil sets c's lists that are nil (a policy stored before a list
// existed has none) to empty ones.
func (c *Conditions) nonNil() {
	c.Priorities, c.AccountIDs, c.ContractIDs = nonNil(c.Priorities), nonNil(c.AccountIDs), nonNil(c.ContractIDs)
}

// matches reports whether a case of priority and account, under the
// contract ("" for none), meets p's conditions; an inactive policy
// matches nothing.
func (p *Policy) matches(priority, account, contract string) bool {
	c := p.Conditions
	return *p.Active && (len(c.Priorities) == 0 || slices.Contains(c.Priorities, priority)) &&
		(len(c.AccountIDs) == 0 || slices.Contains(c.AccountIDs, account)) &&
		(len(c.ContractIDs) == 0 || slices.Contains(c.ContractIDs, contract))
}

// minutes returns p's target of kind for priority, 0 when it has none.
func (p *Policy) minutes(target, priority string) int {
	switch target {
	case FirstResponse:
		return p.Targets.FirstResponse[priority]
	case NextResponse:
		return p.Targets.NextResponse[priority]
	default:
		return p.Targets.Resolution[priority]
	}
}

// escalations returns p's escalations of a breach of target.
func (p *Policy) escalations(target string) []Escalation {
	var out []Escalation
	for _, e := range p.Escalations {
		if e.Target == "" || e.Target == target {
			out = append(out, e)
		}
	}
	return out
}

// choose returns the policy of a case of priority and account under the
// contract k (nil for none): the one k grants, when it is among policies
// and active, else the first of policies (in order) whose conditions the
// case meets; nil for none.
func choose(policies []Policy, priority, account string, k *caseContract) *Policy {
	if p := findPolicy(policies, k.policy()); p != nil && *p.Active {
		return p
	}
	for i := range policies {
		if policies[i].matches(priority, account, k.id()) {
			return &policies[i]
		}
	}
	return nil
}
