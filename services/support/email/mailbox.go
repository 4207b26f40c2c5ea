package email

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Mailbox is a tenant's address that receives mail: new cases from it go
// to QueueID with DefaultPriority, their requesters get an acknowledgement
// when AutoAcknowledge, and replies go out from it under FromName. The
// tenant's default mailbox takes the webhook's mail whose To names none.
type Mailbox struct {
	ID              string    `json:"id" db:"id"`
	Address         string    `json:"address" db:"address"`
	QueueID         *string   `json:"queueId,omitempty" db:"queue_id"`
	DefaultPriority string    `json:"defaultPriority" db:"default_priority"`
	AutoAcknowledge bool      `json:"autoAcknowledge" db:"auto_acknowledge"`
	FromName        string    `json:"fromName" db:"from_name"`
	IsDefault       bool      `json:"isDefault" db:"is_default"`
	CreatedAt       time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt       time.Time `json:"updatedAt" db:"updated_at"`
	Version         int64     `json:"version" db:"version"`
}

// mailboxReadOnly are the fields a client never sets.
var mailboxReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// priorities are a case's priorities (package cases').
var priorities = []string{"low", "normal", "high", "urgent"}

// The errors of the email channel.
var (
	ErrMailboxNotFound = errs.New(errs.NotFound, "mailbox-not-found", "support mailbox not found")
	ErrAddressTaken    = errs.New(errs.Conflict, "mailbox-address-taken", "this address is already a support mailbox")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the mailbox changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrNoMailbox       = errs.New(errs.Unprocessable, "no-support-mailbox", "no support mailbox takes this mail: none is named in To and the tenant has no default mailbox")
	ErrMailTooLarge    = errs.New(errs.TooLarge, "mail-too-large", "the mail is larger than the email channel accepts")
)

// normalize trims and checks m (a 400 naming each bad field), the address
// in lower case, the priority normal by default.
func (m *Mailbox) normalize() error {
	m.Address = strings.ToLower(strings.TrimSpace(m.Address))
	m.FromName = strings.TrimSpace(m.FromName)
	if m.DefaultPriority == "" {
		m.DefaultPriority = "normal"
	}
	v := errs.NewValidator()
	a, err := mail.ParseAddress(m.Address)
	v.Check(err == nil && a.Address == m.Address && len(m.Address) <= 254, "address", "must be an email address")
	v.Check(m.QueueID == nil || ids.Valid(*m.QueueID), "queueId", "must be a UUID")
	v.Check(slices.Contains(priorities, m.DefaultPriority), "defaultPriority", "must be one of "+strings.Join(priorities, ", "))
	v.Check(len(m.FromName) <= 200 && !strings.ContainsAny(m.FromName, "\r\n"), "fromName", "must be one line of at most 200 characters")
	return v.Err()
}
