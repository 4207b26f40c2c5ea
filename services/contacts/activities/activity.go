// Package activities is what happened with a customer and what is to be
// done: calls, logged emails, meetings, notes and tasks, each linked to a
// contact and/or an account of the tenant and to records of other services.
// It lists them with filters, a user's open and overdue tasks and a calendar
// range, completes tasks (a recurring task then gets its next occurrence,
// one at a time), keeps the linked records' lastActivityAt, and fires the
// reminders of tasks and meetings from a durable schedule (Reminders).
package activities

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The types of activity.
const (
	TypeCall    = "call"
	TypeEmail   = "email"
	TypeMeeting = "meeting"
	TypeNote    = "note"
	TypeTask    = "task"
)

// Types are the activity types, in the order the API documents them.
var Types = []string{TypeCall, TypeEmail, TypeMeeting, TypeNote, TypeTask}

// The statuses of a task.
const (
	StatusOpen      = "open"
	StatusCompleted = "completed"
)

// Priorities are a task's priorities, lowest first; PriorityNormal is the
// default.
var Priorities = []string{"low", PriorityNormal, "high"}

// PriorityNormal is the priority of a task created without one.
const PriorityNormal = "normal"

// Activity is one interaction with a customer or one task. The fields of
// its type are in the object named after it (Call, Email, Meeting, Task); a
// note has none beyond the common ones.
type Activity struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Subject string `json:"subject,omitempty"`
	// Body is a note's text, a call's or a meeting's notes, an excerpt of
	// an email's body, a task's description.
	Body      string  `json:"body,omitempty"`
	ContactID *string `json:"contactId,omitempty"`
	AccountID *string `json:"accountId,omitempty"`
	// Related are records of other services the activity is about.
	Related []Ref `json:"related"`
	// AssigneeID is who the activity belongs to: a task's assignee, a
	// meeting's organiser, a call's agent. It defaults to the caller.
	AssigneeID string `json:"assigneeId"`
	TeamID     string `json:"teamId,omitempty"`
	// OccurredAt is when it happened or is due, what timelines sort by: a
	// call's start, an email's sending, a meeting's start, a task's due time
	// (its creation without one); a note's is given (default: its creation).
	OccurredAt time.Time `json:"occurredAt"`
	// ReminderAt is when a task's or a meeting's reminder fires.
	ReminderAt *time.Time `json:"reminderAt,omitempty"`
	Call       *Call      `json:"call,omitempty"`
	Email      *Email     `json:"email,omitempty"`
	Meeting    *Meeting   `json:"meeting,omitempty"`
	Task       *Task      `json:"task,omitempty"`
	CreatedBy  string     `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	Version    int64      `json:"version"`
}

// Ref names a record of another service: {"service":"sales",
// "type":"opportunity","id":"…"}.
type Ref struct {
	Service string `json:"service"`
	Type    string `json:"type"`
	ID      string `json:"id"`
}

// Call is a phone call: its direction, the numbers as the telephony system
// gave them (and their E.164 forms, when they have one), when it started,
// how long it lasted, how it ended and where its recording is.
type Call struct {
	Direction       string    `json:"direction"`
	From            string    `json:"from,omitempty"`
	FromE164        string    `json:"fromE164,omitempty"`
	To              string    `json:"to,omitempty"`
	ToE164          string    `json:"toE164,omitempty"`
	StartedAt       time.Time `json:"startedAt"`
	DurationSeconds int       `json:"durationSeconds"`
	Outcome         string    `json:"outcome,omitempty"`
	RecordingURL    string    `json:"recordingUrl,omitempty"`
	// ExternalID is the telephony system's id of the call: a call is logged
	// once per external id in a tenant.
	ExternalID string `json:"externalId,omitempty"`
}

// CallDirections and CallOutcomes are the values of a call's direction and
// outcome.
var (
	CallDirections = []string{"inbound", "outbound"}
	CallOutcomes   = []string{"answered", "noAnswer", "busy", "voicemail", "failed"}
)

// Email is a logged email: its sender, recipients, Message-ID and when it
// was sent; its subject is the activity's, an excerpt of its body the
// activity's body.
type Email struct {
	From      string     `json:"from"`
	To        []string   `json:"to"`
	Cc        []string   `json:"cc,omitempty"`
	MessageID string     `json:"messageId,omitempty"`
	SentAt    *time.Time `json:"sentAt,omitempty"`
}

// Meeting is a meeting: when it starts and ends, the time zone it was
// planned in, who attends and where.
type Meeting struct {
	StartAt   time.Time  `json:"startAt"`
	EndAt     time.Time  `json:"endAt"`
	TimeZone  string     `json:"timeZone,omitempty"`
	Attendees []Attendee `json:"attendees,omitempty"`
	Location  string     `json:"location,omitempty"`
}

// Attendee is one attendee of a meeting: a contact of the tenant, or a
// person by name and email.
type Attendee struct {
	ContactID *string `json:"contactId,omitempty"`
	Name      string  `json:"name,omitempty"`
	Email     string  `json:"email,omitempty"`
}

// Task is what a task adds: when it is due, its priority and status, when
// it was completed, and its recurrence. SeriesID and Occurrence place an
// occurrence of a recurring task in its series (the first task's id, 1 for
// the first).
type Task struct {
	DueAt       *time.Time  `json:"dueAt,omitempty"`
	Priority    string      `json:"priority,omitempty"`
	Status      string      `json:"status,omitempty"`
	CompletedAt *time.Time  `json:"completedAt,omitempty"`
	Recurrence  *Recurrence `json:"recurrence,omitempty"`
	SeriesID    *string     `json:"seriesId,omitempty"`
	Occurrence  int         `json:"occurrence,omitempty"`
}

// Completion is what completing a task did: the task, completed, and the
// next occurrence of a recurring one (nil when there is none).
type Completion struct {
	Task *Activity `json:"task"`
	Next *Activity `json:"next,omitempty"`
}

// ReadOnlyFields are fields a request body may not set.
var ReadOnlyFields = []string{"id", "createdBy", "createdAt", "updatedAt", "version"}

// The errors of activities; libs/kitx maps their kinds to HTTP statuses.
var (
	ErrNotFound         = errs.New(errs.NotFound, "activity-not-found", "activity not found")
	ErrNotATask         = errs.New(errs.Conflict, "not-a-task", "only a task can be completed")
	ErrCompleted        = errs.New(errs.Conflict, "task-completed", "the task is already completed")
	ErrNoReminder       = errs.New(errs.Conflict, "no-reminder", "the activity has no reminder to snooze")
	ErrExternalIDTaken  = errs.New(errs.Conflict, "external-id-taken", "a call with this external id is logged, outside your record scope")
	ErrCompleteByPatch  = errs.New(errs.Invalid, "complete-by-patch", "complete a task with POST /v1/activities/{id}/complete")
	ErrIfMatchRequired  = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch  = errs.New(errs.PreconditionFailed, "version-mismatch", "the activity changed since you read it; read it again and retry")
	ErrBadQuery         = errs.New(errs.Invalid, "invalid-query", "a query parameter is not valid")
	ErrCalendarTooLarge = errs.New(errs.Invalid, "calendar-range-too-large", "a calendar range spans at most 92 days")
)
