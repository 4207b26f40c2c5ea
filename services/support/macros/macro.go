// Package macros is the support service's canned replies (issue 18, point
// 11): a macro is a reply body with merge fields ({{case.number}},
// {{contact.name}}, …) and optional actions on the case (status, priority,
// tags, queue) the console applies with the reply. A macro is shared, the
// tenant's (support:admin manages it), or personal, its owner's alone:
// another agent, an admin too, never sees it. Rendering fills the fields
// from a case the caller can read; a body naming a field that does not
// exist is refused when it is written, so rendering never meets one.
package macros

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Macro is a canned reply.
type Macro struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Body is plain text with merge fields (Fields).
	Body string `json:"body"`
	// Shared macros are the tenant's; the others are OwnerID's alone.
	Shared    bool      `json:"shared"`
	OwnerID   string    `json:"ownerId"`
	Actions   Actions   `json:"actions"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// Actions are what a macro does to the case it answers, besides the
// reply: each empty one does nothing.
type Actions struct {
	Status   string   `json:"status,omitempty"`
	Priority string   `json:"priority,omitempty"`
	AddTags  []string `json:"addTags,omitempty"`
	QueueID  string   `json:"queueId,omitempty"`
}

// The bounds of a macro.
const (
	maxName = 200
	maxBody = 20_000
	maxTags = 20
)

// readOnly are the fields of a Macro the service sets; shared is chosen
// when the macro is created.
var (
	createReadOnly = []string{"id", "ownerId", "createdAt", "updatedAt", "version"}
	patchReadOnly  = append([]string{"shared"}, createReadOnly...)
)

// The errors of macros.
var (
	ErrNotFound        = errs.New(errs.NotFound, "support-macro-not-found", "macro not found")
	ErrSharedNeedAdmin = errs.New(errs.Forbidden, "support-macro-shared", "shared macros are managed with support:admin")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// normalize validates m, trimming its name and normalising its tags.
func (m *Macro) normalize() error {
	v := errs.NewValidator()
	m.Name = strings.TrimSpace(m.Name)
	n := utf8.RuneCountInString(m.Name)
	v.Check(n >= 1 && n <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(strings.TrimSpace(m.Body) != "" && utf8.RuneCountInString(m.Body) <= maxBody, "body",
		fmt.Sprintf("must be 1 to %d characters", maxBody))
	if unknown := unknownFields(m.Body); len(unknown) > 0 {
		v.Check(false, "body", "unknown merge fields "+strings.Join(unknown, ", ")+"; the fields are "+strings.Join(Fields, ", "))
	}
	a := &m.Actions
	v.Check(a.Status == "" || slices.Contains(cases.Statuses, a.Status), "actions/status", "must be one of "+strings.Join(cases.Statuses, ", "))
	v.Check(a.Priority == "" || slices.Contains(cases.Priorities, a.Priority), "actions/priority",
		"must be one of "+strings.Join(cases.Priorities, ", "))
	a.AddTags = tags.Names(v, "actions/addTags", a.AddTags)
	v.Check(len(a.AddTags) <= maxTags, "actions/addTags", fmt.Sprintf("at most %d", maxTags))
	if len(a.AddTags) == 0 {
		a.AddTags = nil
	}
	v.Check(a.QueueID == "" || ids.Valid(a.QueueID), "actions/queueId", "must be a queue's id")
	return v.Err()
}
