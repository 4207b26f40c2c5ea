// Package templates is the marketing service's email and SMS templates
// (issue 19, point 4): an email template has a subject, an HTML part and
// a text part, an SMS template a body, each with merge tags such as
// {{contact.firstName | default: "there" | upper}}. A template is checked
// when it is saved (balanced tags, known fields and filters, no script in
// its HTML), so rendering meets no malformed tag; it refuses only a field
// with no value and no default (ErrUnresolved), and a preview shows such
// fields instead. Render is what package messaging calls for every
// recipient; EncodeSubject encodes a subject for the mail's header.
package templates

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// The channels of a template.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Template is an email or SMS template.
type Template struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Channel is email (Subject, HTML and Text) or sms (Body).
	Channel     string    `json:"channel"`
	Subject     string    `json:"subject"`
	HTML        string    `json:"html"`
	Text        string    `json:"text"`
	Body        string    `json:"body"`
	Description string    `json:"description"`
	CreatedBy   string    `json:"createdBy"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int64     `json:"version"`
}

// Rendered is a template rendered for one recipient. SMSSegments and
// SMSEncoding ("GSM-7" or "UCS-2") are the body's, for an SMS template.
type Rendered struct {
	Subject     string `json:"subject"`
	HTML        string `json:"html"`
	Text        string `json:"text"`
	Body        string `json:"body"`
	SMSSegments int    `json:"smsSegments"`
	SMSEncoding string `json:"smsEncoding"`
}

// ErrNotFound is a template that does not exist (or is another tenant's).
var ErrNotFound = errs.New(errs.NotFound, "marketing-template-not-found", "template not found")

// Load reads the template id in tx, a tenant transaction.
func Load(ctx context.Context, tx *sqlx.Tx, id string) (Template, error) {
	if !ids.Valid(id) {
		return Template{}, ErrNotFound
	}
	var r templateRow
	err := pg.MapError(tx.GetContext(ctx, &r, "SELECT "+templateColumns+" FROM templates WHERE id = $1", id))
	if errs.KindOf(err) == errs.NotFound {
		return Template{}, ErrNotFound
	}
	if err != nil {
		return Template{}, fmt.Errorf("read template: %w", err)
	}
	return r.template(), nil
}

// Render fills t's merge tags with fields (a contact's MergeFields plus
// the system fields unsubscribeUrl and preferencesUrl): values are
// HTML-escaped in the HTML part, as they are elsewhere. A field with no
// value and no default is ErrUnresolved naming it (field "contact.x",
// reason "no value and no default").
func (t Template) Render(fields map[string]string) (Rendered, error) {
	r, unresolved, err := t.render(fields)
	if err != nil {
		return Rendered{}, err
	}
	if len(unresolved) > 0 {
		fe := make([]errs.FieldError, len(unresolved))
		for i, f := range unresolved {
			fe[i] = errs.FieldError{Field: f, Reason: "no value and no default"}
		}
		e := ErrUnresolved.WithDetail("the template's merge fields %s have no value and no default", strings.Join(unresolved, ", "))
		e.Fields = fe
		return Rendered{}, e
	}
	return r, nil
}

// render is t rendered with fields, and the fields left unresolved (each
// once, in order of appearance), rendered empty.
func (t Template) render(fields map[string]string) (Rendered, []string, error) {
	var r Rendered
	var unresolved []string
	parts := []struct {
		name string
		in   string
		out  *string
		html bool
	}{{"subject", t.Subject, &r.Subject, false}, {"html", t.HTML, &r.HTML, true}, {"text", t.Text, &r.Text, false},
		{"body", t.Body, &r.Body, false}}
	for _, p := range parts {
		segs, err := parse(p.in)
		if err != nil {
			return r, nil, errTag.WithDetail("%s: %v", p.name, err)
		}
		var b strings.Builder
		for _, s := range segs {
			if s.tag == nil {
				b.WriteString(s.literal)
				continue
			}
			v, ok := s.tag.apply(fields)
			if !ok && !slices.Contains(unresolved, s.tag.field) {
				unresolved = append(unresolved, s.tag.field)
			}
			if p.html {
				v = html.EscapeString(v)
			}
			b.WriteString(v)
		}
		*p.out = b.String()
	}
	if t.Channel == ChannelSMS {
		r.SMSSegments, r.SMSEncoding = SMSCount(r.Body)
	}
	return r, unresolved, nil
}
