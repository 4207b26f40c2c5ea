package journeys

import "time"

// The statuses of an enrolment.
const (
	EnrolmentActive    = "active"    // going through the journey
	EnrolmentCompleted = "completed" // past its last step
	EnrolmentExited    = "exited"    // an exit step, its journey archived or its step removed
	EnrolmentConverted = "converted" // the journey's goal reached
)

// Enrolment is a contact's pass through a journey (Round: its nth entry):
// the step it runs next at NextRunAt while active, and every step it ran.
type Enrolment struct {
	ID        string         `json:"id"`
	JourneyID string         `json:"journeyId"`
	ContactID string         `json:"contactId"`
	Round     int            `json:"round"`
	Status    string         `json:"status"`
	StepID    string         `json:"stepId,omitempty"`
	NextRunAt *time.Time     `json:"nextRunAt,omitempty"`
	History   []HistoryEntry `json:"history"`
	EnteredAt time.Time      `json:"enteredAt"`
	EndedAt   *time.Time     `json:"endedAt,omitempty"`
}

// HistoryEntry is a step an enrolment ran and what it did (a send's
// queued or excluded:<reason>, a branch's yes or no, a wait's waited).
type HistoryEntry struct {
	StepID  string    `json:"stepId"`
	Type    string    `json:"type"`
	Outcome string    `json:"outcome"`
	At      time.Time `json:"at"`
}

// enrolmentEvent is the data of journey.enrolled, step_completed,
// completed, exited and converted (subject: the journey).
type enrolmentEvent struct {
	JourneyID   string    `json:"journeyId"`
	ContactID   string    `json:"contactId"`
	EnrolmentID string    `json:"enrolmentId"`
	StepID      string    `json:"stepId,omitempty"`
	StepType    string    `json:"stepType,omitempty"`
	Outcome     string    `json:"outcome,omitempty"`
	At          time.Time `json:"at"`
}

// contactUpdated is the data of journey.contact_updated (subject: the
// contact): the change an update step asks of the contact, for the
// contacts service to apply.
type contactUpdated struct {
	JourneyID   string    `json:"journeyId"`
	ContactID   string    `json:"contactId"`
	EnrolmentID string    `json:"enrolmentId"`
	StepID      string    `json:"stepId"`
	AddTags     []string  `json:"addTags,omitempty"`
	RemoveTags  []string  `json:"removeTags,omitempty"`
	Field       string    `json:"field,omitempty"`
	Value       string    `json:"value,omitempty"`
	At          time.Time `json:"at"`
}
