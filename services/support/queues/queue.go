// Package queues is the support service's queues and routing (issue 18,
// point 4): a tenant's queues with their members (skills, capacity in
// open cases), the agents' presence, the routing rules that put a new case
// in a queue (conditions in the shared filter language, libs/filter), and
// the assignment of a queue's cases to its online, skilled members under
// capacity, least-loaded or round-robin. Assignment runs in the consumer
// of the service's own topic (Handler), on an agent coming online, and in
// a periodic job (Retrier); it changes cases only through cases.ChangeIn
// and holds the queue's row locked while it chooses, so replicas never
// assign past a member's capacity.
package queues

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Queue is a support queue: who works it, what they need, how its cases
// are assigned.
type Queue struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Members     []Member `json:"members"`
	// RequiredSkills are the skills a member needs to be assigned the
	// queue's cases.
	RequiredSkills []string `json:"requiredSkills"`
	// AssignmentMode is least_loaded, round_robin or manual (nobody is
	// assigned automatically).
	AssignmentMode string `json:"assignmentMode"`
	// DefaultPriority, when set, is the least priority of a case routed
	// into the queue: a lower one is raised to it.
	DefaultPriority string    `json:"defaultPriority,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	Version         int64     `json:"version"`
}

// Member is a user working a queue, with their skills and capacity: the
// most open cases (of any queue) they are assigned automatically.
type Member struct {
	UserID   string   `json:"userId"`
	Skills   []string `json:"skills"`
	Capacity int      `json:"capacity"`
}

// The assignment modes of a queue.
const (
	ModeLeastLoaded = "least_loaded"
	ModeRoundRobin  = "round_robin"
	ModeManual      = "manual"
)

// Modes are the assignment modes of a queue.
var Modes = []string{ModeLeastLoaded, ModeRoundRobin, ModeManual}

// The bounds of a queue.
const (
	maxName        = 200
	maxDescription = 2000
	maxShort       = 100 // characters of a user id, a skill
	maxMembers     = 500
	maxSkills      = 50
	maxCapacity    = 10_000
)

// queueReadOnly are the fields of a Queue the service sets.
var queueReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// The errors of queues.
var (
	ErrQueueNotFound   = errs.New(errs.NotFound, "support-queue-not-found", "support queue not found")
	ErrQueueExists     = errs.New(errs.Conflict, "support-queue-exists", "a support queue of that name exists")
	ErrQueueInUse      = errs.New(errs.Conflict, "support-queue-in-use", "routing rules send cases to the queue; change or delete them first")
	ErrRuleNotFound    = errs.New(errs.NotFound, "routing-rule-not-found", "routing rule not found")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrNotYourPresence = errs.New(errs.Forbidden, "not-your-presence", "an agent sets only their own presence unless support:admin")
)

// text trims s and checks it has at most max characters (required: at
// least one).
func text(v *errs.Validator, s *string, field string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	if required {
		v.Check(n >= 1 && n <= max, field, fmt.Sprintf("must be 1 to %d characters", max))
		return
	}
	v.Check(n <= max, field, fmt.Sprintf("at most %d characters", max))
}

// skills trims, lower-cases and deduplicates list, naming field.
func skills(v *errs.Validator, field string, list []string) []string {
	out := []string{}
	for i, s := range list {
		s = strings.ToLower(strings.TrimSpace(s))
		v.Check(s != "" && utf8.RuneCountInString(s) <= maxShort, fmt.Sprintf("%s/%d", field, i), fmt.Sprintf("must be 1 to %d characters", maxShort))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	v.Check(len(out) <= maxSkills, field, fmt.Sprintf("at most %d", maxSkills))
	return out
}

// normalize validates q, trimming its texts, normalising skills (lower
// case, once each) and defaulting the mode to least_loaded.
func (q *Queue) normalize() error {
	v := errs.NewValidator()
	text(v, &q.Name, "name", maxName, true)
	text(v, &q.Description, "description", maxDescription, false)
	if q.AssignmentMode == "" {
		q.AssignmentMode = ModeLeastLoaded
	}
	v.Check(slices.Contains(Modes, q.AssignmentMode), "assignmentMode", "must be one of "+strings.Join(Modes, ", "))
	v.Check(q.DefaultPriority == "" || slices.Contains(cases.Priorities, q.DefaultPriority), "defaultPriority",
		"must be one of "+strings.Join(cases.Priorities, ", "))
	q.RequiredSkills = skills(v, "requiredSkills", q.RequiredSkills)
	if q.Members == nil {
		q.Members = []Member{}
	}
	v.Check(len(q.Members) <= maxMembers, "members", fmt.Sprintf("at most %d", maxMembers))
	seen := map[string]bool{}
	for i := range q.Members {
		m, path := &q.Members[i], fmt.Sprintf("members/%d", i)
		text(v, &m.UserID, path+"/userId", maxShort, true)
		v.Check(!seen[m.UserID], path+"/userId", "is a member already")
		seen[m.UserID] = true
		m.Skills = skills(v, path+"/skills", m.Skills)
		v.Check(m.Capacity >= 1 && m.Capacity <= maxCapacity, path+"/capacity", fmt.Sprintf("must be 1 to %d open cases", maxCapacity))
	}
	return v.Err()
}

// member returns the member userID of q, nil for none.
func (q *Queue) member(userID string) *Member {
	for i := range q.Members {
		if q.Members[i].UserID == userID {
			return &q.Members[i]
		}
	}
	return nil
}

// skilled reports whether m has every skill q requires.
func (q *Queue) skilled(m Member) bool {
	for _, s := range q.RequiredSkills {
		if !slices.Contains(m.Skills, s) {
			return false
		}
	}
	return true
}

// raisePriority is p raised to q's default priority when that is higher.
func (q *Queue) raisePriority(p string) string {
	if q.DefaultPriority != "" && slices.Index(cases.Priorities, q.DefaultPriority) > slices.Index(cases.Priorities, p) {
		return q.DefaultPriority
	}
	return p
}
