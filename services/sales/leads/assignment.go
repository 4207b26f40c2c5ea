package leads

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
)

// Rule is an assignment rule of the tenant's ordered list (issue 15,
// point 2): a lead matching Condition (libs/filter over the lead's fields,
// ruleFields; none: every lead) goes to Target. The first active rule
// that matches and has someone available assigns; one whose members are
// all unavailable passes the lead to the next.
type Rule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Position is the rule's place in the list, from 0; a new rule goes
	// last, and the reorder operation sets every rule's.
	Position int `json:"position"`
	// Active is true unless the rule is switched off (default true).
	Active    *bool           `json:"active,omitempty"`
	Condition json.RawMessage `json:"condition,omitempty"`
	Target    Target          `json:"target"`
	// FirstTouchMinutes, when set, is how long the assignee has to touch a
	// lead the rule assigned (an activity naming it) before lead.sla_missed.
	FirstTouchMinutes int       `json:"firstTouchMinutes,omitempty"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	Version           int64     `json:"version"`
}

// Target is who a rule assigns to: a user (UserID), or a team (TeamID)
// whose members take leads in turn (StrategyRoundRobin) or by fewest open
// leads (StrategyLeastLoaded). Teams live in the gateway, so the rule
// lists the team's members itself. MaxOpenLeads caps each person's open
// leads (new, working, nurturing, qualified); WorkingHours are every
// member's unless the member has its own. A person at the cap, inactive
// or outside their hours is skipped.
type Target struct {
	Type         string        `json:"type"`
	UserID       string        `json:"userId,omitempty"`
	TeamID       string        `json:"teamId,omitempty"`
	Strategy     string        `json:"strategy,omitempty"`
	Members      []Member      `json:"members,omitempty"`
	MaxOpenLeads int           `json:"maxOpenLeads,omitempty"`
	WorkingHours *WorkingHours `json:"workingHours,omitempty"`
}

// Member is a member of a team target: active unless Active is false,
// with its own working hours when set.
type Member struct {
	UserID       string        `json:"userId"`
	Active       *bool         `json:"active,omitempty"`
	WorkingHours *WorkingHours `json:"workingHours,omitempty"`
}

// WorkingHours are when a person takes leads: on Weekdays ("mon" …
// "sun"), From to To ("HH:MM", To excluded; a From after To spans
// midnight) in TimeZone (IANA).
type WorkingHours struct {
	TimeZone string   `json:"timeZone"`
	Weekdays []string `json:"weekdays"`
	From     string   `json:"from"`
	To       string   `json:"to"`
}

// The targets and strategies of a rule.
const (
	TargetUser          = "user"
	TargetTeam          = "team"
	StrategyRoundRobin  = "roundRobin"
	StrategyLeastLoaded = "leastLoaded"
)

// weekdays are the names of WorkingHours.Weekdays, Sunday first as
// time.Weekday counts.
var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// The bounds of a rule.
const (
	maxRules    = 200    // rules of a tenant
	maxMembers  = 200    // members of a team target
	maxOpenCap  = 100000 // a cap of open leads
	maxSLA      = 525600 // first-touch minutes: a year
	maxRuleName = 200    // characters of a rule's name
)

// ruleReadOnly are the fields of a Rule the service sets.
var ruleReadOnly = []string{"id", "position", "createdAt", "updatedAt", "version"}

// The errors of assignment rules.
var (
	ErrRuleNotFound = errs.New(errs.NotFound, "assignment-rule-not-found", "assignment rule not found")
	ErrRuleVersion  = errs.New(errs.PreconditionFailed, "version-mismatch", "the assignment rule changed since you read it; read it again and retry")
	ErrTooManyRules = errs.New(errs.Unprocessable, "too-many-assignment-rules", "the tenant has as many assignment rules as it may")
	ErrRuleOrder    = errs.New(errs.Invalid, "assignment-rule-order", "the order must list every assignment rule once")
)

// active is whether a *bool active flag is on (nil: on).
func active(b *bool) bool { return b == nil || *b }

// normalize validates r's own fields, defaulting Active; the condition
// needs the tenant's custom fields (checkCondition).
func (r *Rule) normalize() error {
	v := errs.NewValidator()
	text(v, &r.Name, "name", maxRuleName, true)
	if r.Active == nil {
		on := true
		r.Active = &on
	}
	v.Check(r.FirstTouchMinutes >= 0 && r.FirstTouchMinutes <= maxSLA, "firstTouchMinutes", fmt.Sprintf("must be 1 to %d minutes, or absent", maxSLA))
	r.Target.normalize(v)
	if len(r.Condition) == 0 || string(r.Condition) == "null" {
		r.Condition = nil
	}
	return v.Err()
}

// checkCondition parses and compiles r's condition against the fields of
// a lead and the tenant's custom fields defs (errors name condition/…).
func (r *Rule) checkCondition(defs Fields) error {
	if r.Condition == nil {
		return nil
	}
	_, _, err := compileCondition(r.Condition, 1, defs)
	return err
}

// normalize checks t, naming target/… fields.
func (t *Target) normalize(v *errs.Validator) {
	v.Check(t.MaxOpenLeads >= 0 && t.MaxOpenLeads <= maxOpenCap, "target/maxOpenLeads", fmt.Sprintf("must be 1 to %d, or absent", maxOpenCap))
	t.WorkingHours.check(v, "target/workingHours")
	switch t.Type {
	case TargetUser:
		text(v, &t.UserID, "target/userId", maxShort, true)
		v.Check(t.TeamID == "" && t.Strategy == "" && len(t.Members) == 0, "target", "a user target has no teamId, strategy or members")
	case TargetTeam:
		text(v, &t.TeamID, "target/teamId", maxShort, true)
		v.Check(t.UserID == "", "target/userId", "a team target has members instead")
		v.Check(t.Strategy == StrategyRoundRobin || t.Strategy == StrategyLeastLoaded, "target/strategy", "must be roundRobin or leastLoaded")
		v.Check(len(t.Members) >= 1 && len(t.Members) <= maxMembers, "target/members", fmt.Sprintf("must list 1 to %d members", maxMembers))
		for i := range t.Members {
			m := &t.Members[i]
			path := fmt.Sprintf("target/members/%d", i)
			text(v, &m.UserID, path+"/userId", maxShort, true)
			v.Check(!slices.ContainsFunc(t.Members[:i], func(o Member) bool { return o.UserID == m.UserID }), path+"/userId", "is listed twice")
			m.WorkingHours.check(v, path+"/workingHours")
		}
	default:
		v.Check(false, "target/type", "must be user or team")
	}
}

// check validates h (nil: always), naming fields under path.
func (h *WorkingHours) check(v *errs.Validator, path string) {
	if h == nil {
		return
	}
	_, err := time.LoadLocation(h.TimeZone)
	v.Check(h.TimeZone != "" && err == nil, path+"/timeZone", "must be an IANA time zone, like Asia/Shanghai")
	v.Check(len(h.Weekdays) >= 1, path+"/weekdays", "must list at least one of mon, tue, wed, thu, fri, sat, sun")
	for i, d := range h.Weekdays {
		v.Check(slices.Contains(weekdays, d) && !slices.Contains(h.Weekdays[:i], d), fmt.Sprintf("%s/weekdays/%d", path, i),
			"must be one of mon, tue, wed, thu, fri, sat, sun, once")
	}
	from, okFrom := clock(h.From)
	to, okTo := clock(h.To)
	v.Check(okFrom, path+"/from", "must be a time of day HH:MM")
	v.Check(okTo, path+"/to", "must be a time of day HH:MM (24:00 for the end of the day)")
	v.Check(!okFrom || !okTo || from != to, path+"/to", "must differ from from")
}

// clock is the minutes since midnight of "HH:MM" (00:00 to 24:00).
func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}

// open is whether h lets its person take a lead at now: its weekday and
// time of day in h's zone (a window spanning midnight belongs to the day
// it starts on). nil is always.
func (h *WorkingHours) open(now time.Time) bool {
	if h == nil {
		return true
	}
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return false
	}
	t := now.In(loc)
	from, _ := clock(h.From)
	to, _ := clock(h.To)
	minute := t.Hour()*60 + t.Minute()
	day := weekdays[t.Weekday()]
	if from < to {
		return slices.Contains(h.Weekdays, day) && minute >= from && minute < to
	}
	yesterday := weekdays[(t.Weekday()+6)%7]
	return slices.Contains(h.Weekdays, day) && minute >= from || slices.Contains(h.Weekdays, yesterday) && minute < to
}

// members are who t assigns to, in its order: its user, or its team's
// members.
func (t Target) members() []Member {
	if t.Type == TargetUser {
		return []Member{{UserID: t.UserID}}
	}
	return t.Members
}

// hoursOf are m's working hours under t.
func (t Target) hoursOf(m Member) *WorkingHours {
	if m.WorkingHours != nil {
		return m.WorkingHours
	}
	return t.WorkingHours
}

// conditionError is err with the paths of a filter error under condition
// rather than filter.
func conditionError(err error) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := e.WithDetail("%s", strings.Replace(e.Message, " at "+filter.Root, " at condition", 1))
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = errs.FieldError{Field: "condition" + strings.TrimPrefix(f.Field, filter.Root), Reason: f.Reason}
	}
	return out
}
