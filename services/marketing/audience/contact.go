// Package audience is the marketing service's audience: its read model of
// the tenant's contacts (audience_contacts, the projection), kept from
// contacts' events on rapport.contacts.v1 and rebuilt from that topic's
// beginning on demand, with the marketing facts the service's own events
// add (last open, click and form submission, the campaigns a contact is
// in); dynamic segments over it in the shared filter language, kept
// incrementally as the projection changes; static lists; and the history
// of every membership (segment.entered and segment.left).
//
// Other contexts read a contact with LoadContact and its merge fields with
// Contact.MergeFields; a send reads its recipients with SQL
// (segment_members JOIN audience_contacts).
package audience

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Contact is a contact of the audience as the other contexts read it: its
// names, primary email and phone, lifecycle stage, consent on each channel
// ("granted", "denied", "unknown" or "" for none), tags and custom fields.
type Contact struct {
	ID, FirstName, LastName, DisplayName, Email, Phone, JobTitle, City, Country,
	LifecycleStage, EmailConsent, SMSConsent string
	Tags         []string
	CustomFields map[string]any
}

// contactColumns are the columns LoadContact reads, in Contact's order.
const contactColumns = `id, first_name, last_name, display_name, email, phone, job_title, city, country,
	lifecycle_stage, email_consent, sms_consent, tags, custom_fields`

// LoadContact reads the contact id of tx's tenant from the projection;
// ErrContactNotFound if it has none (never created, deleted, erased or
// merged away).
func LoadContact(ctx context.Context, tx *sqlx.Tx, id string) (Contact, error) {
	if !ids.Valid(id) {
		return Contact{}, ErrContactNotFound
	}
	var c Contact
	var custom []byte
	err := tx.QueryRowxContext(ctx, `SELECT `+contactColumns+` FROM audience_contacts WHERE id = $1`, id).Scan(
		&c.ID, &c.FirstName, &c.LastName, &c.DisplayName, &c.Email, &c.Phone, &c.JobTitle, &c.City, &c.Country,
		&c.LifecycleStage, &c.EmailConsent, &c.SMSConsent, pq.Array(&c.Tags), &custom)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, ErrContactNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("load an audience contact: %w", pg.MapError(err))
	}
	if c.CustomFields, err = decodeCustomFields(custom); err != nil {
		return Contact{}, err
	}
	return c, nil
}

// decodeCustomFields reads a custom_fields column, numbers kept as written.
func decodeCustomFields(raw []byte) (map[string]any, error) {
	out := map[string]any{}
	if len(raw) == 0 {
		return out, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		return nil, fmt.Errorf("read a contact's custom fields: %w", err)
	}
	return out, nil
}

// MergeFields are c's values as a template's merge fields: the keys
// "contact.firstName", "contact.lastName", "contact.displayName",
// "contact.email", "contact.phone", "contact.jobTitle", "contact.city",
// "contact.country" and "contact.customFields.<key>" for every custom
// field with a scalar value (string, number or boolean, in string form).
// Fields without a value are left out.
func (c Contact) MergeFields() map[string]string {
	out := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	put("contact.firstName", c.FirstName)
	put("contact.lastName", c.LastName)
	put("contact.displayName", c.DisplayName)
	put("contact.email", c.Email)
	put("contact.phone", c.Phone)
	put("contact.jobTitle", c.JobTitle)
	put("contact.city", c.City)
	put("contact.country", c.Country)
	for k, v := range c.CustomFields {
		put("contact.customFields."+k, scalar(v))
	}
	return out
}

// scalar is v in string form if it is a string, a number or a boolean,
// else "".
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
