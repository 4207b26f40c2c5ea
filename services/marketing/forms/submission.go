package forms

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/email"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/phone"
)

// Data is an accepted submission as form.submitted publishes it, in the
// shape sales' marketingevents.Submission reads to make a lead: the
// lead's fields the form maps, the consent, the other values in Fields.
type Data struct {
	ID         string `json:"id"`
	FormID     string `json:"formId"`
	CampaignID string `json:"campaignId,omitempty"`
	// ContactID is the audience's contact with the submitted email, if any.
	ContactID string `json:"contactId,omitempty"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Company   string `json:"company"`
	Title     string `json:"title"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	// Consent is the consent checkbox, checked; ConsentChannel and
	// ConsentText are what was consented to.
	Consent        bool   `json:"consent"`
	ConsentChannel string `json:"consentChannel,omitempty"`
	ConsentText    string `json:"consentText,omitempty"`
	// Fields are the values not mapped to a lead's field, by their key (or
	// the key of custom:<key>): text, or a checkbox's true or false.
	Fields      map[string]any `json:"fields"`
	SubmittedAt time.Time      `json:"submittedAt"`
	// ConfirmedAt is when the address confirmed a double opt-in.
	ConfirmedAt *time.Time `json:"confirmedAt,omitempty"`
	Source      string     `json:"source"`
}

// Source is the source of the leads made of form.submitted.
const Source = "web form"

// Input is a submission as posted: each input's value; a checkbox's
// "true", "on" or "yes" is checked. Repeated names the inputs posted more
// than once.
type Input struct {
	Values   map[string]string
	Repeated []string
}

// The bounds of a submitted value.
const (
	maxText     = 500
	maxTextarea = 5000
)

// checked is the meaning of a checkbox's value: checked, and whether the
// value is one a checkbox sends.
func checked(v string) (on, ok bool) {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1":
		return true, true
	case "", "false", "off", "no", "0":
		return false, true
	}
	return false, false
}

// Honeypot reports whether in filled the hidden field only robots see.
func (in Input) Honeypot() bool { return strings.TrimSpace(in.Values[HoneypotKey]) != "" }

// Email is in's value of the field f maps to email, lower-cased ("" for
// none), what the rate limit counts per address.
func (in Input) Email(f Form) string {
	if t := f.target("email"); t != nil {
		return strings.ToLower(strings.TrimSpace(in.Values[t.Key]))
	}
	return ""
}

// accept checks in against f and returns its Data (without id, contact
// and times); every bad input is named: one not in the form, a required
// one missing, a value of the wrong form.
func accept(f Form, in Input) (Data, error) {
	v := errs.NewValidator()
	for _, k := range slices.Sorted(maps.Keys(in.Values)) {
		v.Check(k == HoneypotKey || known(f, k), k, "is not a field of this form")
	}
	for _, k := range in.Repeated {
		v.Check(false, k, "is given more than once")
	}
	d := Data{FormID: f.ID, CampaignID: f.CampaignID, Fields: map[string]any{}, Source: Source}
	lead := map[string]*string{"firstName": &d.FirstName, "lastName": &d.LastName, "company": &d.Company, "title": &d.Title,
		"email": &d.Email, "phone": &d.Phone}
	for _, fd := range f.Fields {
		value, reason := fd.value(in.Values[fd.Key])
		if reason != "" {
			v.Check(false, fd.Key, reason)
			continue
		}
		if value == nil {
			continue
		}
		key := fd.Key
		if custom, ok := strings.CutPrefix(fd.MapsTo, "custom:"); ok {
			key = custom
		} else if p := lead[fd.MapsTo]; p != nil {
			*p = value.(string)
			continue
		}
		d.Fields[key] = value
	}
	if c := f.Consent; c != nil {
		on, ok := checked(in.Values[ConsentKey])
		v.Check(ok, ConsentKey, "must be a checkbox's value (true or false)")
		v.Check(!c.Required || on, ConsentKey, "is required")
		d.Consent, d.ConsentChannel, d.ConsentText = on, c.Channel, c.Text
	}
	return d, v.Err()
}

// value checks the submitted s of fd and returns its value (a string, or
// a checkbox's bool; nil for an empty optional one) or why it is bad.
func (fd Field) value(s string) (any, string) {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return nil, "must be text without control characters"
	}
	if fd.Type == TypeCheckbox {
		on, ok := checked(s)
		switch {
		case !ok:
			return nil, "must be a checkbox's value (true or false)"
		case fd.Required && !on:
			return nil, "is required"
		}
		return on, ""
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if fd.Required {
			return nil, "is required"
		}
		return nil, ""
	}
	limit := maxText
	if fd.Type == TypeTextarea {
		limit = maxTextarea
	}
	if utf8.RuneCountInString(s) > limit {
		return nil, fmt.Sprintf("at most %d characters", limit)
	}
	switch fd.Type {
	case TypeEmail:
		s = strings.ToLower(s)
		if !email.Valid(s) {
			return nil, "must be an email address such as name@example.com"
		}
	case TypePhone:
		n, err := phone.Normalize(s, "")
		if err != nil {
			return nil, "must be a phone number with its international prefix, such as +86 138 1234 5678"
		}
		s = n
	case TypeSelect:
		if !slices.Contains(fd.Options, s) {
			return nil, "must be one of the options: " + strings.Join(fd.Options, ", ")
		}
	}
	return s, ""
}
