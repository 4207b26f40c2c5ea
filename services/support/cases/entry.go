package cases

import (
	"fmt"
	"html"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/support/attachments"
)

// Entry is an entry of a case's thread: a public reply (to or from the
// customer) or an internal note (Public false), with the metadata of its
// attachments. MessageID is its email Message-ID, what threads a mail's
// reply to its case.
type Entry struct {
	ID          string       `json:"id"`
	CaseID      string       `json:"caseId"`
	Kind        string       `json:"kind"`
	Public      bool         `json:"public"`
	AuthorType  string       `json:"authorType"`
	AuthorID    string       `json:"authorId,omitempty"`
	AuthorEmail string       `json:"authorEmail,omitempty"`
	AuthorName  string       `json:"authorName,omitempty"`
	Channel     string       `json:"channel"`
	BodyText    string       `json:"bodyText"`
	BodyHTML    string       `json:"bodyHtml"`
	MessageID   string       `json:"messageId,omitempty"`
	Attachments []Attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"createdAt"`
}

// Attachment is an attachment of an entry (package attachments' file).
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

// The kinds of an entry, and of its author.
const (
	KindReply       = "reply"
	KindNote        = "note"
	AuthorAgent     = "agent"
	AuthorCustomer  = "customer"
	AuthorSystem    = "system"
	maxBody         = 1 << 20 // bytes of a body, text or HTML
	maxAttachments  = 20      // attachments of an entry
	maxAuthor       = 200     // characters of an author's name or id
	maxMessageID    = 998     // characters of a Message-ID (a mail's line)
	maxEmailAddress = 254     // characters of an email address
)

// NewEntry is an entry a channel or the API adds to a case's thread.
// BodyHTML is sanitised again on the way in (bluemonday's UGC policy);
// BodyText is derived from it when it is empty. Attachments are files to
// store with the entry; AttachmentIDs files uploaded to the case before
// (POST /v1/cases/{id}/attachments). Status, when set, is the status the
// case moves to with the entry (an agent's reply asking the customer:
// pending_customer).
type NewEntry struct {
	Kind          string
	Public        bool
	AuthorType    string
	AuthorID      string
	AuthorEmail   string
	AuthorName    string
	BodyText      string
	BodyHTML      string
	Channel       string
	MessageID     string
	Attachments   []attachments.Upload
	AttachmentIDs []string
	Status        string
}

// ugc is the policy an entry's HTML is sanitised with; plain strips every
// tag, deriving an entry's text from its HTML.
var (
	ugc   = bluemonday.UGCPolicy()
	plain = bluemonday.StrictPolicy()
)

// normalize checks e (a 400 naming each field, by the API's names),
// sanitising its HTML and deriving its text.
func (e *NewEntry) normalize() error {
	v := errs.NewValidator()
	v.Check(e.Kind == KindReply || e.Kind == KindNote, "kind", "must be reply or note")
	v.Check(slices.Contains([]string{AuthorAgent, AuthorCustomer, AuthorSystem}, e.AuthorType), "authorType", "must be agent, customer or system")
	if e.Kind == KindNote {
		e.Public = false
	}
	v.Check(len(e.BodyText) <= maxBody, "bodyText", fmt.Sprintf("at most %d bytes", maxBody))
	v.Check(len(e.BodyHTML) <= maxBody, "bodyHtml", fmt.Sprintf("at most %d bytes", maxBody))
	e.BodyHTML = strings.TrimSpace(ugc.Sanitize(e.BodyHTML))
	if strings.TrimSpace(e.BodyText) == "" && e.BodyHTML != "" {
		e.BodyText = strings.TrimSpace(html.UnescapeString(plain.Sanitize(e.BodyHTML)))
	}
	v.Check(strings.TrimSpace(e.BodyText) != "" || e.BodyHTML != "" || len(e.Attachments)+len(e.AttachmentIDs) > 0, "bodyText",
		"an entry needs a text, an HTML body or attachments")
	v.Check(utf8.RuneCountInString(e.AuthorName) <= maxAuthor, "authorName", fmt.Sprintf("at most %d characters", maxAuthor))
	if e.AuthorEmail = strings.TrimSpace(e.AuthorEmail); e.AuthorEmail != "" {
		a, err := mail.ParseAddress(e.AuthorEmail)
		v.Check(err == nil && a.Address == e.AuthorEmail && len(e.AuthorEmail) <= maxEmailAddress, "authorEmail", "must be an email address")
	}
	v.Check(len(e.MessageID) <= maxMessageID, "messageId", fmt.Sprintf("at most %d characters", maxMessageID))
	v.Check(e.Channel == "" || slices.Contains(Channels, e.Channel), "channel", "must be one of "+strings.Join(Channels, ", "))
	v.Check(len(e.Attachments)+len(e.AttachmentIDs) <= maxAttachments, "attachmentIds", fmt.Sprintf("at most %d attachments", maxAttachments))
	for i, id := range e.AttachmentIDs {
		v.Check(ids.Valid(id), fmt.Sprintf("attachmentIds/%d", i), "must be a UUID")
	}
	v.Check(e.Status == "" || slices.Contains(Statuses, e.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	return v.Err()
}

// attachmentOf is the Attachment of m.
func attachmentOf(m attachments.Meta) Attachment {
	return Attachment{ID: m.ID, Name: m.Name, ContentType: m.ContentType, Size: m.Size}
}
