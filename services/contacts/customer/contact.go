package customer

import (
	"database/sql/driver"
	"encoding/json"
	"time"
)

// Contact is a person the tenant does business with.
type Contact struct {
	Meta
	FirstName   string `json:"firstName,omitempty" db:"first_name"`
	LastName    string `json:"lastName,omitempty" db:"last_name"`
	DisplayName string `json:"displayName" db:"display_name"`
	// DisplayNameManual is true when the user set DisplayName; otherwise it
	// is recomputed from the names on every write.
	DisplayNameManual bool     `json:"-" db:"display_name_manual"`
	Emails            Emails   `json:"emails" db:"emails"`
	Phones            Phones   `json:"phones" db:"phones"`
	JobTitle          string   `json:"jobTitle,omitempty" db:"job_title"`
	AccountID         *string  `json:"accountId,omitempty" db:"account_id"`
	LifecycleStage    string   `json:"lifecycleStage,omitempty" db:"lifecycle_stage"`
	Source            string   `json:"source,omitempty" db:"source"`
	Address           *Address `json:"address,omitempty" db:"address"`
	Consent           *Consent `json:"consent,omitempty" db:"consent"`
	// LastActivityAt is when the contact's latest activity (a call, an
	// email, a meeting logged by other services) happened: the column
	// last_activity_at that filters and sorts know as lastActivityAt. It is
	// kept by those activities, never by a request (ReadOnlyFields), and
	// written back as read, under the row lock of the write.
	LastActivityAt *UTCTime `json:"lastActivityAt,omitempty" db:"last_activity_at"`
	// ErasedAt is when the contact's personal data was erased (package
	// privacy): its names are then ErasedName's placeholder, it has no
	// emails, phones, address, job title or custom field values, and it is
	// kept only as a tombstone for reports, which no write may turn back
	// into a person (ErrContactErased). Nil: never erased.
	ErasedAt *UTCTime `json:"erasedAt,omitempty" db:"erased_at"`
}

// ErasedName is the display name of an erased contact.
const ErasedName = "Erased contact"

// LifecycleStages are the stages a contact can be in, in funnel order.
var LifecycleStages = []string{"subscriber", "lead", "marketingQualified", "salesQualified",
	"opportunity", "customer", "evangelist", "churned", "other"}

// Email is one of a contact's email addresses, stored lower-cased.
type Email struct {
	Address string `json:"address"`
	Label   string `json:"label,omitempty"`
	Primary bool   `json:"primary"`
}

// Phone is one of a contact's phone numbers: Number as typed, E164 as
// normalised with the tenant's default region.
type Phone struct {
	Number  string `json:"number"`
	E164    string `json:"e164"`
	Label   string `json:"label,omitempty"`
	Primary bool   `json:"primary"`
}

// Emails is the jsonb list of a contact's emails.
type Emails []Email

// Phones is the jsonb list of a contact's phones.
type Phones []Phone

// Consent records a contact's consent per channel.
type Consent struct {
	Email *ChannelConsent `json:"email,omitempty"`
	SMS   *ChannelConsent `json:"sms,omitempty"`
	Phone *ChannelConsent `json:"phone,omitempty"`
}

// ChannelConsent is the consent for one channel: granted, denied or unknown,
// when it was given and where (a form, an import, a call).
type ChannelConsent struct {
	Status string     `json:"status"`
	At     *time.Time `json:"at,omitempty"`
	Source string     `json:"source,omitempty"`
}

// ConsentStatuses are the values of ChannelConsent.Status.
var ConsentStatuses = []string{"granted", "denied", "unknown"}

// ConsentChannels are the channels of a contact's consent, as Consent and
// the consent history name them.
var ConsentChannels = []string{"email", "sms", "phone"}

// ChannelConsents returns c's consent per channel in ConsentChannels order,
// nil where it has none.
func ChannelConsents(c *Contact) []*ChannelConsent {
	if c == nil || c.Consent == nil {
		return make([]*ChannelConsent, len(ConsentChannels))
	}
	return []*ChannelConsent{c.Consent.Email, c.Consent.SMS, c.Consent.Phone}
}

// LaterActivity returns the later of two last-activity times (nil: none).
func LaterActivity(a, b *UTCTime) *UTCTime {
	if a == nil || b != nil && b.After(a.Time) {
		return b
	}
	return a
}

// Value implements driver.Valuer.
func (e Emails) Value() (driver.Value, error) {
	if e == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(e)
}

// Scan implements sql.Scanner.
func (e *Emails) Scan(src any) error { return scanJSON(src, e) }

// Value implements driver.Valuer.
func (p Phones) Value() (driver.Value, error) {
	if p == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(p)
}

// Scan implements sql.Scanner.
func (p *Phones) Scan(src any) error { return scanJSON(src, p) }

// Value implements driver.Valuer.
func (c Consent) Value() (driver.Value, error) { return json.Marshal(c) }

// Scan implements sql.Scanner.
func (c *Consent) Scan(src any) error { return scanJSON(src, c) }
