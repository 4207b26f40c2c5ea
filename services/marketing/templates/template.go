package templates

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The bounds of a template.
const (
	maxName        = 200
	maxDescription = 2_000
	maxSubject     = 998 // a header line's limit (RFC 5322), before merge tags are filled
	maxPart        = 500_000
	maxBody        = 1_600 // ten concatenated GSM-7 messages and more
)

// The fields of a Template the service sets; channel is chosen when the
// template is created.
var (
	createReadOnly = []string{"id", "createdBy", "createdAt", "updatedAt", "version"}
	patchReadOnly  = append([]string{"channel"}, createReadOnly...)
)

// The errors of templates' writes.
var (
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// normalize validates t, trimming its name: a channel, the parts of its
// channel (an email's subject and HTML part, an SMS's body; an email's
// text part is optional) and none of the other's, every part's merge tags
// well formed and known, and no script in the HTML (checkHTML).
func (t *Template) normalize() error {
	v := errs.NewValidator()
	t.Name = strings.TrimSpace(t.Name)
	n := utf8.RuneCountInString(t.Name)
	v.Check(n >= 1 && n <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(utf8.RuneCountInString(t.Description) <= maxDescription, "description", fmt.Sprintf("at most %d characters", maxDescription))
	switch t.Channel {
	case ChannelEmail:
		v.Check(strings.TrimSpace(t.Subject) != "", "subject", "is required for an email template")
		v.Check(!strings.ContainsAny(t.Subject, "\r\n"), "subject", "must be one line")
		v.Check(utf8.RuneCountInString(t.Subject) <= maxSubject, "subject", fmt.Sprintf("at most %d characters", maxSubject))
		v.Check(strings.TrimSpace(t.HTML) != "", "html", "is required for an email template")
		v.Check(len(t.HTML) <= maxPart, "html", fmt.Sprintf("at most %d bytes", maxPart))
		v.Check(len(t.Text) <= maxPart, "text", fmt.Sprintf("at most %d bytes", maxPart))
		v.Check(t.Body == "", "body", "is for SMS templates; an email template has subject, html and text")
	case ChannelSMS:
		v.Check(strings.TrimSpace(t.Body) != "", "body", "is required for an SMS template")
		v.Check(utf8.RuneCountInString(t.Body) <= maxBody, "body", fmt.Sprintf("at most %d characters", maxBody))
		for _, f := range []struct{ name, value string }{{"subject", t.Subject}, {"html", t.HTML}, {"text", t.Text}} {
			v.Check(f.value == "", f.name, "is for email templates; an SMS template has a body")
		}
	default:
		v.Check(false, "channel", "must be email or sms")
	}
	for _, p := range []struct{ name, value string }{{"subject", t.Subject}, {"html", t.HTML}, {"text", t.Text}, {"body", t.Body}} {
		if _, err := parse(p.value); err != nil {
			v.Check(false, p.name, err.Error())
		}
	}
	if err := checkHTML(t.HTML); err != nil {
		v.Check(false, "html", err.Error())
	}
	return v.Err()
}
