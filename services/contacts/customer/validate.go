package customer

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/email"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/phone"
)

// Field length limits, in characters: MaxLabel bounds the label of an email
// address or a phone number.
const (
	maxName  = 200
	MaxLabel = 50
	maxShort = 100
)

// Normalize trims and normalises c in place (lower-cased emails, E.164
// phones read in region, computed display name) and records every invalid
// field in v. References (accountId) are checked by the service.
func (c *Contact) Normalize(v *errs.Validator, region string) {
	c.FirstName, c.LastName = strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	c.DisplayName = strings.TrimSpace(c.DisplayName)
	CheckLen(v, "firstName", c.FirstName, maxName)
	CheckLen(v, "lastName", c.LastName, maxName)
	CheckLen(v, "jobTitle", c.JobTitle, maxName)
	CheckLen(v, "source", c.Source, maxShort)
	v.Check(c.LifecycleStage == "" || slices.Contains(LifecycleStages, c.LifecycleStage),
		"lifecycleStage", "must be one of "+strings.Join(LifecycleStages, ", "))
	if c.Emails == nil {
		c.Emails = Emails{}
	}
	if c.Phones == nil {
		c.Phones = Phones{}
	}
	c.normalizeEmails(v)
	c.normalizePhones(v, region)
	checkRef(v, "accountId", c.AccountID)
	checkAddress(v, "address", c.Address)
	checkConsent(v, c.Consent)
	if !c.DisplayNameManual || c.DisplayName == "" {
		c.DisplayNameManual = false
		c.DisplayName = DisplayName(c.FirstName, c.LastName)
	}
	if c.DisplayName == "" && len(c.Emails) > 0 {
		c.DisplayName = c.Emails[primaryIndex(len(c.Emails), func(i int) bool { return c.Emails[i].Primary })].Address
	}
	if c.DisplayName == "" && len(c.Phones) > 0 {
		c.DisplayName = c.Phones[primaryIndex(len(c.Phones), func(i int) bool { return c.Phones[i].Primary })].Number
	}
	v.Check(c.DisplayName != "", "displayName", "required when there is no firstName, lastName, email or phone")
	CheckLen(v, "displayName", c.DisplayName, maxName)
}

// normalizeEmails lower-cases and validates the emails and makes the first
// one primary when none is.
func (c *Contact) normalizeEmails(v *errs.Validator) {
	seen := map[string]bool{}
	for i := range c.Emails {
		e := &c.Emails[i]
		e.Address = strings.ToLower(strings.TrimSpace(e.Address))
		path := fmt.Sprintf("emails/%d/", i)
		v.Check(email.Valid(e.Address), path+"address", "must be an email address such as name@example.com")
		v.Check(!seen[e.Address], path+"address", "appears twice")
		seen[e.Address] = true
		CheckLen(v, path+"label", e.Label, MaxLabel)
	}
	markPrimary(v, "emails", len(c.Emails), func(i int) *bool { return &c.Emails[i].Primary })
}

// normalizePhones fills each phone's E.164 form and makes the first one
// primary when none is.
func (c *Contact) normalizePhones(v *errs.Validator, region string) {
	for i := range c.Phones {
		p := &c.Phones[i]
		p.Number = strings.TrimSpace(p.Number)
		path := fmt.Sprintf("phones/%d/", i)
		e164, err := phone.Normalize(p.Number, region)
		if p.Number == "" {
			err = fmt.Errorf("is required")
		}
		v.Check(err == nil, path+"number", fmt.Sprint(err))
		p.E164 = e164
		CheckLen(v, path+"label", p.Label, MaxLabel)
	}
	markPrimary(v, "phones", len(c.Phones), func(i int) *bool { return &c.Phones[i].Primary })
}

// markPrimary checks that at most one of n items is primary and makes the
// first primary when none is.
func markPrimary(v *errs.Validator, field string, n int, primary func(i int) *bool) {
	count := 0
	for i := range n {
		if *primary(i) {
			count++
		}
	}
	v.Check(count <= 1, field, "exactly one may be primary")
	if n > 0 && count == 0 {
		*primary(0) = true
	}
}

// primaryIndex returns the index of the primary item, or 0.
func primaryIndex(n int, primary func(i int) bool) int {
	for i := range n {
		if primary(i) {
			return i
		}
	}
	return 0
}

// Normalize trims and normalises a in place and records every invalid field
// in v. References (parentAccountId) are checked by the service.
func (a *Account) Normalize(v *errs.Validator) {
	a.Name = strings.TrimSpace(a.Name)
	v.Check(a.Name != "", "name", "is required")
	CheckLen(v, "name", a.Name, maxName)
	a.Domain = NormalizeDomain(a.Domain)
	v.Check(a.Domain == "" || email.ValidDomain(a.Domain), "domain", "must be a website domain such as example.com")
	CheckLen(v, "industry", a.Industry, maxShort)
	v.Check(a.SizeBand == "" || slices.Contains(SizeBands, a.SizeBand), "sizeBand", "must be one of "+strings.Join(SizeBands, ", "))
	if m := a.AnnualRevenue; m != nil {
		v.Check(m.AmountMinor >= 0, "annualRevenue/amountMinor", "must not be negative")
		v.Check(customfields.ValidCurrency(m.Currency), "annualRevenue/currency", "must be an ISO 4217 currency code such as USD")
	}
	checkRef(v, "parentAccountId", a.ParentAccountID)
	v.Check(a.ParentAccountID == nil || *a.ParentAccountID != a.ID, "parentAccountId", "an account cannot be its own parent")
	checkAddress(v, "billingAddress", a.BillingAddress)
	checkAddress(v, "shippingAddress", a.ShippingAddress)
}

// NormalizeOwnership trims owner and team; ownerId defaults to user.
func (m *Meta) NormalizeOwnership(v *errs.Validator, user string) {
	m.OwnerID, m.TeamID = strings.TrimSpace(m.OwnerID), strings.TrimSpace(m.TeamID)
	if m.OwnerID == "" {
		m.OwnerID = user
	}
	CheckLen(v, "ownerId", m.OwnerID, maxShort)
	CheckLen(v, "teamId", m.TeamID, maxShort)
}

// NormalizeDomain lower-cases a website domain and strips a scheme, path
// and trailing dot ("https://Acme.com/about" → "acme.com").
func NormalizeDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if _, rest, ok := strings.Cut(d, "://"); ok {
		d = rest
	}
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	return strings.TrimSuffix(d, ".")
}

// validCountry reports whether s is an ISO 3166-1 alpha-2 code.
func validCountry(s string) bool {
	r, err := language.ParseRegion(s)
	return err == nil && len(s) == 2 && r.String() == s && r.IsCountry()
}

// checkAddress validates an address's lengths and country code.
func checkAddress(v *errs.Validator, path string, a *Address) {
	if a == nil {
		return
	}
	CheckLen(v, path+"/street", a.Street, maxName)
	CheckLen(v, path+"/city", a.City, maxName)
	CheckLen(v, path+"/region", a.Region, maxName)
	CheckLen(v, path+"/postalCode", a.PostalCode, maxName)
	v.Check(a.Country == "" || validCountry(a.Country), path+"/country", "must be an ISO 3166-1 alpha-2 code such as DE")
}

// checkConsent validates each channel's consent status.
func checkConsent(v *errs.Validator, c *Consent) {
	if c == nil {
		return
	}
	for _, ch := range []struct {
		name string
		cc   *ChannelConsent
	}{{"email", c.Email}, {"sms", c.SMS}, {"phone", c.Phone}} {
		cc := ch.cc
		if cc == nil {
			continue
		}
		v.Check(slices.Contains(ConsentStatuses, cc.Status), "consent/"+ch.name+"/status", "must be one of granted, denied, unknown")
		CheckLen(v, "consent/"+ch.name+"/source", cc.Source, maxShort)
		if cc.At != nil {
			t := cc.At.UTC()
			cc.At = &t
		}
	}
}

// checkRef validates an optional reference to another record's id.
func checkRef(v *errs.Validator, field string, id *string) {
	if id != nil {
		_, err := uuid.Parse(*id)
		v.Check(err == nil, field, "must be a UUID")
	}
}

// CheckLen records field as too long when s has more than limit characters.
func CheckLen(v *errs.Validator, field, s string, limit int) {
	v.Check(utf8.RuneCountInString(s) <= limit, field, fmt.Sprintf("must be at most %d characters", limit))
}
