package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
)

// Actor is who the email channel acts as in cases.
const Actor = "system:email"

// The bounds of package cases that a mail is fitted into rather than
// refused for: a subject's characters, an entry's attachments.
const (
	maxSubject     = 500
	maxAttachments = 20
)

// CasesOf is package cases' Service as the email channel's Cases.
func CasesOf(s *cases.Service) Cases { return casesAPI{s} }

// casesAPI adapts *cases.Service to Cases.
type casesAPI struct{ s *cases.Service }

// Open implements Cases.
func (c casesAPI) Open(ctx context.Context, tenant string, in NewCase) (string, int64, error) {
	kase := cases.Case{Subject: fitSubject(in.Subject), Channel: "email", Priority: in.Priority}
	if in.QueueID != nil {
		kase.QueueID = *in.QueueID
	}
	var out cases.Case
	err := withoutRefusedFiles(in.Entry, func(e cases.NewEntry) (err error) {
		out, err = c.s.Open(ctx, tenant, cases.NewCase{Case: kase, First: &e}, Actor)
		return err
	})
	return out.ID, out.Number, err
}

// Append implements Cases.
func (c casesAPI) Append(ctx context.Context, tenant, caseID string, in Entry) (string, error) {
	var out cases.Entry
	err := withoutRefusedFiles(in, func(e cases.NewEntry) (err error) {
		out, err = c.s.Append(ctx, tenant, caseID, e, Actor)
		return err
	})
	return out.CaseID, err
}

// ByMessageID implements Cases.
func (c casesAPI) ByMessageID(ctx context.Context, tenant string, ids []string) (string, bool, error) {
	return c.s.CaseByMessageID(ctx, tenant, ids)
}

// ByNumber implements Cases.
func (c casesAPI) ByNumber(ctx context.Context, tenant string, number int64) (string, bool, error) {
	kase, err := c.s.CaseByNumber(ctx, tenant, number)
	if errors.Is(err, cases.ErrNotFound) {
		return "", false, nil
	}
	return kase.ID, err == nil, err
}

// withoutRefusedFiles runs add with in as a customer's public reply; when
// the attachments refuse a file (a program, an empty file), it runs it
// again without the files, saying so in the text: the mail still lands.
func withoutRefusedFiles(in Entry, add func(cases.NewEntry) error) error {
	e := entryFor(in)
	err := add(e)
	if !errors.Is(err, attachments.ErrRefusedType) && !errors.Is(err, attachments.ErrEmpty) && !errors.Is(err, attachments.ErrTooLarge) {
		return err
	}
	names := make([]string, len(e.Attachments))
	for i, a := range e.Attachments {
		names[i] = a.Name
	}
	e.Attachments = nil
	e.BodyText = strings.TrimSpace(e.BodyText + fmt.Sprintf("\n\n[the attachments %s were not kept: %v]", strings.Join(names, ", "), err))
	return add(e)
}

// entryFor is in as package cases' entry: an author address that does not
// read as one is left out, attachments past the entry's bound dropped with
// a note.
func entryFor(in Entry) cases.NewEntry {
	e := cases.NewEntry{Kind: cases.KindReply, Public: true, AuthorType: cases.AuthorCustomer, AuthorName: fitRunes(in.AuthorName, 200),
		BodyText: in.Text, BodyHTML: in.HTML, Channel: "email", MessageID: in.MessageID}
	if a, err := mail.ParseAddress(in.AuthorEmail); err == nil && a.Address == in.AuthorEmail {
		e.AuthorEmail = in.AuthorEmail
	}
	for i, a := range in.Attachments {
		if i == maxAttachments {
			e.BodyText += fmt.Sprintf("\n\n[%d attachments past the first %d were dropped]", len(in.Attachments)-maxAttachments, maxAttachments)
			break
		}
		e.Attachments = append(e.Attachments, attachments.Upload{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return e
}

// fitSubject is a mail's subject within a case's bound.
func fitSubject(s string) string { return fitRunes(s, maxSubject) }

// fitRunes is s cut to n characters.
func fitRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
