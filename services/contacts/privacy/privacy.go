// Package privacy is what the contacts service does for a person's rights
// over their data: it hands everything it holds about a contact over as one
// document (Export: the record, the contacts merged into it, the
// activities naming the person, the consent history, what imports did to
// it and what other services' events said of it in its timeline), and it
// erases it (Erase): the personal fields of the contact and of those merged
// into it are anonymised irreversibly, the activities naming the person
// are redacted, and so are the consent history's sources, the timeline's
// titles from other services and the imports' error reports; the record
// stays as a tombstone for reports, the erasure is recorded with who made
// it and why, and contact.erased tells other services to erase their
// copies.
package privacy

import (
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/records"
	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// PersonalData is everything the service holds about a person, as one
// document: the contact (its custom fields and tags as GET shows them, and
// in HiddenCustomFields the values it still holds of custom fields whose
// definitions were deleted or changed), the contacts merged into it, the
// activities that name the person whoever they belong to, its consent
// history, what imports did to it, the entries other services' events made
// in its timeline, and its erasure if it was erased.
type PersonalData struct {
	ExportedAt         time.Time               `json:"exportedAt"`
	Contact            *customer.Contact       `json:"contact"`
	HiddenCustomFields map[string]any          `json:"hiddenCustomFields"`
	MergedContacts     []MergedContact         `json:"mergedContacts"`
	Activities         []activities.Activity   `json:"activities"`
	ConsentHistory     []records.ConsentChange `json:"consentHistory"`
	Imports            []importjob.Provenance  `json:"imports"`
	Timeline           []timeline.Entry        `json:"timeline"`
	Erasure            *Erasure                `json:"erasure,omitempty"`
}

// MergedContact is a contact merged into the one exported (or into another
// merged into it): the record as the merge left it, the contact it was
// merged into, and the values of hidden custom fields it holds.
type MergedContact struct {
	customer.Contact
	MergedInto         string         `json:"mergedInto"`
	HiddenCustomFields map[string]any `json:"hiddenCustomFields"`
}

// EraseRequest is why a contact is erased: a data subject's request, say.
// It is kept with the erasure, so it should not name the person.
type EraseRequest struct {
	Reason string `json:"reason"`
}

// maxReason is the longest reason, in characters.
const maxReason = 1000

// check trims the reason and checks it is given and not too long.
func (r *EraseRequest) check() error {
	v := errs.NewValidator()
	r.Reason = strings.TrimSpace(r.Reason)
	v.Check(r.Reason != "", "reason", "is required: say why the contact is erased (without naming the person)")
	customer.CheckLen(v, "reason", r.Reason, maxReason)
	return v.Err()
}

// Erasure is who erased a contact, when and why, the contacts merged into
// it that were erased with it and how many activities naming the person
// were redacted.
type Erasure struct {
	ContactID  string         `json:"contactId" db:"contact_id"`
	ErasedAt   time.Time      `json:"erasedAt" db:"erased_at"`
	ErasedBy   string         `json:"erasedBy" db:"erased_by"`
	Reason     string         `json:"reason" db:"reason"`
	MergedIDs  pq.StringArray `json:"mergedIds" db:"merged_ids"`
	Activities int            `json:"activities" db:"activities"`
}

// erased is the payload of contact.erased: the contact, its tenant, when
// and by whom, and nothing of the person. A contact merged into the one
// erased has an event of its own.
type erased struct {
	ID       string    `json:"id"`
	Tenant   string    `json:"tenant"`
	ErasedAt time.Time `json:"erasedAt"`
	ErasedBy string    `json:"erasedBy"`
}
