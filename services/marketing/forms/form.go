// Package forms is the marketing service's web forms (issue 19, point 8):
// a form builder (fields mapped to a lead's fields or custom ones, a
// consent checkbox, a thank-you message or a redirect), the hosted page
// and an embeddable snippet reached through the gateway's public
// /m/<tenant>/forms/{id}, and the submissions: a hidden honeypot field, a
// rate limit per client address and per submitted email shared by every
// replica, and double opt-in by email. Each accepted submission is
// published as form.submitted, which sales turns into a lead with the
// campaign reference.
package forms

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Form is a web form.
type Form struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// CampaignID is the campaign the form's leads respond to ("" for none).
	CampaignID string `json:"campaignId,omitempty"`
	// Language is the page's lang attribute (a BCP 47 tag, "en" by default).
	Language string   `json:"language"`
	Fields   []Field  `json:"fields"`
	Consent  *Consent `json:"consent,omitempty"`
	// SubmitLabel is the submit button's text ("Submit" when empty).
	SubmitLabel string `json:"submitLabel,omitempty"`
	// ThankYou is shown after a submission, unless RedirectURL is set:
	// the browser is then sent there (303).
	ThankYou    *ThankYou `json:"thankYou,omitempty"`
	RedirectURL string    `json:"redirectUrl,omitempty"`
	// DoubleOptIn holds a submission until its address confirms it through
	// the link mailed to it.
	DoubleOptIn bool   `json:"doubleOptIn"`
	Status      string `json:"status"`
	// Rejections counts the submissions refused without being stored, by
	// reason (RejectHoneypot, RejectRateLimited, RejectInvalid).
	Rejections map[string]int64 `json:"rejections"`
	CreatedBy  string           `json:"createdBy"`
	CreatedAt  time.Time        `json:"createdAt"`
	UpdatedAt  time.Time        `json:"updatedAt"`
	Version    int64            `json:"version"`
}

// Field is one input of a form.
type Field struct {
	// Key names the value in a submission (the input's name).
	Key      string `json:"key"`
	Label    string `json:"label"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
	// Options are a select's choices.
	Options []string `json:"options,omitempty"`
	// MapsTo is the lead's field the value fills (firstName, lastName,
	// company, title, email, phone) or custom:<key>, a value of the
	// event's fields under key; "" keeps it in fields under Key.
	MapsTo string `json:"mapsTo,omitempty"`
}

// Consent is a form's consent checkbox.
type Consent struct {
	Text     string `json:"text"`
	Required bool   `json:"required,omitempty"`
	// Channel is what the consent is to: email or sms.
	Channel string `json:"channel"`
}

// ThankYou is the page shown after a submission.
type ThankYou struct {
	Message string `json:"message"`
}

// The types of a field.
const (
	TypeText     = "text"
	TypeEmail    = "email"
	TypePhone    = "phone"
	TypeTextarea = "textarea"
	TypeSelect   = "select"
	TypeCheckbox = "checkbox"
)

// The statuses of a form.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// The reasons a submission is refused without being stored, counted in
// Form.Rejections.
const (
	RejectHoneypot    = "honeypot"
	RejectRateLimited = "rate_limited"
	RejectInvalid     = "invalid"
)

// Types, Statuses, Targets and Channels are the values a form's fields
// take.
var (
	Types    = []string{TypeText, TypeEmail, TypePhone, TypeTextarea, TypeSelect, TypeCheckbox}
	Statuses = []string{StatusActive, StatusInactive}
	// Targets are the lead's fields a field maps to (besides custom:<key>).
	Targets  = []string{"firstName", "lastName", "company", "title", "email", "phone"}
	Channels = []string{"email", "sms"}
)

// The names a field's key may not take: the honeypot's and the consent
// checkbox's inputs.
const (
	HoneypotKey = "website"
	ConsentKey  = "consent"
)

// The bounds of a form.
const (
	maxName     = 200
	maxLabel    = 200
	maxFields   = 50
	maxOptions  = 50
	maxConsent  = 2000
	maxThankYou = 2000
	maxURL      = 2000
)

// The fields of a Form the service sets.
var readOnly = []string{"id", "rejections", "createdBy", "createdAt", "updatedAt", "version"}

var (
	keyPattern      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)
	languagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
)

// The errors of forms.
var (
	ErrNotFound           = errs.New(errs.NotFound, "marketing-form-not-found", "form not found")
	ErrSubmissionNotFound = errs.New(errs.NotFound, "marketing-form-submission-not-found", "no such submission awaits confirmation")
	ErrNoCampaign         = errs.Invalidf([]errs.FieldError{{Field: "campaignId", Reason: "is no campaign of the tenant"}}, "the form's campaign does not exist")
	ErrVersionMismatch    = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired    = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// normalize validates f, trimming its texts and filling its defaults;
// every bad field is named.
func (f *Form) normalize() error {
	v := errs.NewValidator()
	f.Name = strings.TrimSpace(f.Name)
	v.Check(between(f.Name, 1, maxName), "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(f.CampaignID == "" || ids.Valid(f.CampaignID), "campaignId", "must be a campaign's id")
	if f.Language == "" {
		f.Language = "en"
	}
	v.Check(languagePattern.MatchString(f.Language), "language", "must be a BCP 47 language tag such as en or zh-CN")
	f.SubmitLabel = strings.TrimSpace(f.SubmitLabel)
	v.Check(utf8.RuneCountInString(f.SubmitLabel) <= maxLabel, "submitLabel", fmt.Sprintf("at most %d characters", maxLabel))
	if f.Status == "" {
		f.Status = StatusActive
	}
	v.Check(slices.Contains(Statuses, f.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	f.checkFields(v)
	if c := f.Consent; c != nil {
		c.Text = strings.TrimSpace(c.Text)
		v.Check(between(c.Text, 1, maxConsent), "consent/text", fmt.Sprintf("must be 1 to %d characters", maxConsent))
		v.Check(slices.Contains(Channels, c.Channel), "consent/channel", "must be one of "+strings.Join(Channels, ", "))
	}
	if t := f.ThankYou; t != nil {
		t.Message = strings.TrimSpace(t.Message)
		v.Check(between(t.Message, 1, maxThankYou), "thankYou/message", fmt.Sprintf("must be 1 to %d characters", maxThankYou))
	}
	if f.RedirectURL != "" {
		switch {
		case !webURL(f.RedirectURL):
			v.Check(false, "redirectUrl", "must be an absolute http or https URL")
		case f.ThankYou != nil:
			v.Check(false, "redirectUrl", "a form shows a thank-you message or redirects, not both: leave out thankYou")
		}
	}
	if f.DoubleOptIn {
		email := f.target("email")
		v.Check(email != nil && email.Required, "doubleOptIn", "needs a required field that maps to email, where the confirmation is mailed")
	}
	return v.Err()
}

// checkFields validates f's fields, naming each bad one by its index.
func (f *Form) checkFields(v *errs.Validator) {
	v.Check(len(f.Fields) >= 1 && len(f.Fields) <= maxFields, "fields", fmt.Sprintf("must hold 1 to %d fields", maxFields))
	keys, targets := map[string]bool{}, map[string]bool{}
	for i := range f.Fields {
		fd := &f.Fields[i]
		at := fmt.Sprintf("fields/%d/", i)
		fd.Label = strings.TrimSpace(fd.Label)
		v.Check(keyPattern.MatchString(fd.Key), at+"key", "must be a letter then up to 39 letters, digits or _")
		v.Check(fd.Key != HoneypotKey && fd.Key != ConsentKey, at+"key", fmt.Sprintf("%s and %s are the form's own inputs", HoneypotKey, ConsentKey))
		v.Check(!keys[fd.Key], at+"key", "is another field's key too")
		keys[fd.Key] = true
		v.Check(between(fd.Label, 1, maxLabel), at+"label", fmt.Sprintf("must be 1 to %d characters", maxLabel))
		v.Check(slices.Contains(Types, fd.Type), at+"type", "must be one of "+strings.Join(Types, ", "))
		if fd.Type == TypeSelect {
			v.Check(len(fd.Options) >= 1 && len(fd.Options) <= maxOptions, at+"options", fmt.Sprintf("a select has 1 to %d options", maxOptions))
			for j, o := range fd.Options {
				fd.Options[j] = strings.TrimSpace(o)
				v.Check(between(fd.Options[j], 1, maxLabel) && !slices.Contains(fd.Options[:j], fd.Options[j]), fmt.Sprintf("%soptions/%d", at, j),
					fmt.Sprintf("must be 1 to %d characters, each option once", maxLabel))
			}
		} else {
			v.Check(len(fd.Options) == 0, at+"options", "only a select has options")
		}
		if custom, ok := strings.CutPrefix(fd.MapsTo, "custom:"); ok {
			v.Check(keyPattern.MatchString(custom), at+"mapsTo", "custom:<key>, the key a letter then up to 39 letters, digits or _")
		} else if fd.MapsTo != "" {
			v.Check(slices.Contains(Targets, fd.MapsTo), at+"mapsTo", "must be one of "+strings.Join(Targets, ", ")+" or custom:<key>")
			v.Check(fd.MapsTo != "email" || fd.Type == TypeEmail, at+"mapsTo", "email is filled by a field of type email")
			v.Check(fd.MapsTo != "phone" || fd.Type == TypePhone, at+"mapsTo", "phone is filled by a field of type phone")
		}
		v.Check(fd.MapsTo == "" || !targets[fd.MapsTo], at+"mapsTo", "another field maps to it too")
		targets[fd.MapsTo] = true
	}
}

// target returns the field that maps to the lead's field name, or nil.
func (f *Form) target(name string) *Field {
	for i := range f.Fields {
		if f.Fields[i].MapsTo == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// between reports whether s has min to max characters.
func between(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	return n >= min && n <= max
}

// webURL reports whether s is an absolute http or https URL with a host.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(s) <= maxURL && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}
