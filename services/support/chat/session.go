package chat

import "time"

// Session is a visitor's chat: the case it opened, who the visitor is, the
// agent who accepted it, and the number of its last message.
type Session struct {
	ID           string     `json:"id" db:"id"`
	CaseID       string     `json:"caseId" db:"case_id"`
	Status       string     `json:"status" db:"status"`
	VisitorName  string     `json:"visitorName" db:"visitor_name"`
	VisitorEmail string     `json:"visitorEmail" db:"visitor_email"`
	AgentID      *string    `json:"agentId,omitempty" db:"agent_id"`
	LastSeq      int64      `json:"lastSeq" db:"last_seq"`
	CreatedAt    time.Time  `json:"createdAt" db:"created_at"`
	AcceptedAt   *time.Time `json:"acceptedAt,omitempty" db:"accepted_at"`
	EndedAt      *time.Time `json:"endedAt,omitempty" db:"ended_at"`
	UpdatedAt    time.Time  `json:"updatedAt" db:"updated_at"`
	Version      int64      `json:"version" db:"version"`
}

// Message is a message of a session, numbered (Seq) in it; EntryID is the
// case thread's entry it became, once appended.
type Message struct {
	ID         string    `json:"id" db:"id"`
	SessionID  string    `json:"sessionId" db:"session_id"`
	Seq        int64     `json:"seq" db:"seq"`
	AuthorType string    `json:"authorType" db:"author_type"`
	AuthorID   string    `json:"authorId,omitempty" db:"author_id"`
	AuthorName string    `json:"authorName,omitempty" db:"author_name"`
	Text       string    `json:"text" db:"body"`
	EntryID    *string   `json:"entryId,omitempty" db:"entry_id"`
	CreatedAt  time.Time `json:"createdAt" db:"created_at"`
}

// Author is who sends a message: a visitor (their name and email) or an
// agent (their user id).
type Author struct {
	Type, ID, Name, Email string
}

// Visitor is who a visitor says they are in their start frame.
type Visitor struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}
