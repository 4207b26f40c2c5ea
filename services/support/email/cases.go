package email

import (
	"context"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// Cases is what the email channel asks of package cases, as the system
// actor system:email: opening a case, appending a mail to its thread,
// finding the case of a mail's Message-IDs or of a number.
type Cases interface {
	// Open opens a case from a customer's mail and appends the mail as its
	// first entry; it returns the case's id and number.
	Open(ctx context.Context, tenant string, c NewCase) (caseID string, number int64, err error)
	// Append adds a customer's mail to the case's thread; it returns the
	// case the entry landed on (a new one following a case closed since).
	Append(ctx context.Context, tenant, caseID string, e Entry) (landedOn string, err error)
	// ByMessageID finds the case whose thread holds one of ids.
	ByMessageID(ctx context.Context, tenant string, ids []string) (caseID string, ok bool, err error)
	// ByNumber finds the case numbered number.
	ByNumber(ctx context.Context, tenant string, number int64) (caseID string, ok bool, err error)
}

// NewCase is a case a mail opens: its subject, priority and queue (the
// mailbox's), and the mail as its first entry.
type NewCase struct {
	Subject, Priority string
	QueueID           *string
	Entry             Entry
}

// Entry is a customer's mail as a public reply of a case's thread.
type Entry struct {
	AuthorEmail, AuthorName string
	Text, HTML              string // HTML sanitised
	MessageID               string
	Attachments             []mailparse.Attachment
}
