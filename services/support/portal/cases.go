package portal

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Case is a case as its customer sees it through their link: its public
// thread, without internal notes and without who the agents are beyond
// their names.
type Case struct {
	ID        string    `json:"id"`
	Number    int64     `json:"number"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Entries   []Entry   `json:"entries"`
}

// Entry is a public entry of a case's thread.
type Entry struct {
	ID          string             `json:"id"`
	CaseID      string             `json:"caseId"`
	AuthorType  string             `json:"authorType"`
	AuthorName  string             `json:"authorName,omitempty"`
	BodyText    string             `json:"bodyText"`
	BodyHTML    string             `json:"bodyHtml"`
	Attachments []cases.Attachment `json:"attachments"`
	CreatedAt   time.Time          `json:"createdAt"`
}

// Submitted is the answer to a submitted case: a message, never the case.
type Submitted struct {
	Message string `json:"message"`
}

// submittedMessage answers every accepted submission, the honeypot's too.
const submittedMessage = "Thank you. We have sent a link to follow your request to your email address."

// The bounds of reading a thread: its entries are read by pages, up to
// maxEntries.
const (
	entriesPage = 200
	maxEntries  = 2000
)

// Submit opens a case from a customer's form on the caller's tenant and
// mails the customer its link, on the portal at base (BaseHeader). A form
// whose honeypot is filled in is answered as any other and dropped
// (logged); an address over its cases per hour is ErrTooManyCases.
func (s *Service) Submit(ctx context.Context, f CaseForm, base string) (Submitted, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Submitted{}, err
	}
	if f.Website != "" {
		s.logger.WarnContext(ctx, "portal: a submission filled in the honeypot; dropped", "tenant", p.TenantID, "email", f.Email)
		return Submitted{Message: submittedMessage}, nil
	}
	key, now := strings.ToLower(f.Email), pg.Timestamp(s.now())
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		n, err := submissionsSince(ctx, tx, key, now.Add(-time.Hour))
		if err == nil && n >= s.perHour {
			s.logger.WarnContext(ctx, "portal: an address submitted too many cases", "tenant", p.TenantID, "email", f.Email, "lastHour", n)
			return ErrTooManyCases.WithDetail("at most %d cases an hour from one address; try again later", s.perHour)
		}
		return err
	})
	if err != nil {
		return Submitted{}, err
	}
	kase, err := s.cases.Open(ctx, p.TenantID, cases.NewCase{
		Case: cases.Case{Subject: f.Subject, Description: f.Description, Channel: Channel},
		First: &cases.NewEntry{Kind: cases.KindReply, Public: true, AuthorType: cases.AuthorCustomer, AuthorEmail: f.Email,
			AuthorName: f.Name, BodyText: f.Description, Channel: Channel, Attachments: f.Attachments},
	}, Actor)
	if err != nil {
		return Submitted{}, err
	}
	if err := s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		return recordSubmission(ctx, tx, ids.New(), key, kase.ID, now)
	}); err != nil {
		return Submitted{}, err
	}
	s.mailLink(ctx, p.TenantID, kase.ID, kase.Number, kase.Subject, f.Name, f.Email, base)
	return Submitted{Message: submittedMessage}, nil
}

// Case returns the case id with its public thread, for the holder of its
// link's token.
func (s *Service) Case(ctx context.Context, id, token string) (Case, error) {
	if _, _, err := s.verify(ctx, id, token); err != nil {
		return Case{}, err
	}
	c, err := s.cases.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	out := Case{ID: c.ID, Number: c.Number, Subject: c.Subject, Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Entries: []Entry{}}
	cur := ""
	for read := 0; read < maxEntries; read += entriesPage {
		page, err := s.cases.Entries(ctx, id, cur, entriesPage)
		if err != nil {
			return Case{}, err
		}
		for _, e := range page.Items {
			if e.Public && e.Kind == cases.KindReply {
				out.Entries = append(out.Entries, entryOf(e))
			}
		}
		if cur = page.NextCursor; cur == "" {
			break
		}
	}
	return out, nil
}

// Reply adds the customer's reply to the case id, for the holder of its
// link's token, and returns it. A reply to a closed case lands on a new
// case following it (package cases), whose link is mailed to the
// customer.
func (s *Service) Reply(ctx context.Context, id, token string, f ReplyForm, base string) (Entry, error) {
	p, email, err := s.verify(ctx, id, token)
	if err != nil {
		return Entry{}, err
	}
	e, err := s.cases.Append(ctx, p.TenantID, id, cases.NewEntry{Kind: cases.KindReply, Public: true, AuthorType: cases.AuthorCustomer,
		AuthorEmail: email, BodyText: f.Body, Channel: Channel, Attachments: f.Attachments}, Actor)
	if err != nil {
		return Entry{}, err
	}
	if e.CaseID != id {
		if c, err := s.cases.Get(ctx, e.CaseID); err == nil {
			s.mailLink(ctx, p.TenantID, c.ID, c.Number, c.Subject, "", email, base)
		}
	}
	return entryOf(e), nil
}

// verify checks token for the case id of the caller's tenant and returns
// the caller and the email the token was signed for.
func (s *Service) verify(ctx context.Context, id, token string) (auth.Principal, string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return p, "", err
	}
	email, err := s.links.Verify(token, p.TenantID, id, s.now())
	return p, email, err
}

// entryOf is the public view of e.
func entryOf(e cases.Entry) Entry {
	out := Entry{ID: e.ID, CaseID: e.CaseID, AuthorType: e.AuthorType, AuthorName: e.AuthorName, BodyText: e.BodyText, BodyHTML: e.BodyHTML,
		Attachments: e.Attachments, CreatedAt: e.CreatedAt}
	if out.Attachments == nil {
		out.Attachments = []cases.Attachment{}
	}
	return out
}
