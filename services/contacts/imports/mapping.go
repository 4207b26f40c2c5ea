package imports

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
)

// Mapping maps the names of a file's header to the fields their columns
// fill; a column mapped to "" (or not named) is left out.
type Mapping map[string]string

// Value implements driver.Valuer.
func (m Mapping) Value() (driver.Value, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// Scan implements sql.Scanner.
func (m *Mapping) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("imports: cannot scan %T as a mapping", src)
	}
	return json.Unmarshal(b, m)
}

// The fields of a contact's account: a column names it by id, by domain or
// by name (accountDomain is no field of the contact; the others are in its
// vocabulary).
const (
	fieldAccountID     = "accountId"
	fieldAccountName   = "accountName"
	fieldAccountDomain = "accountDomain"
)

// multiFields take several values from a cell (separated by ";", or "," for
// emails and phones) and may be mapped from several columns.
var multiFields = []string{"emails", "phones", "tags"}

// fieldNames are the fields a column may be mapped to, custom fields
// ("customFields.<key>") aside: the names of the contacts' field vocabulary
// (search.Vocabulary) for what a cell can hold, and accountDomain. A test
// keeps them in step with the vocabulary.
var fieldNames = []string{"firstName", "lastName", "displayName", "emails", "phones", "jobTitle", "lifecycleStage", "source",
	"ownerId", "teamId", "tags", "address.street", "address.city", "address.region", "address.postalCode", "address.country",
	"consent.email.status", "consent.sms.status", "consent.phone.status", fieldAccountID, fieldAccountName, fieldAccountDomain}

// identityFields are those of which a mapping must fill one: a contact
// needs a name, an email or a phone.
var identityFields = []string{"firstName", "lastName", "displayName", "emails", "phones"}

// column is a mapped column of a file: its index in the header, its name
// and the field it fills.
type column struct {
	index int
	name  string
	field string
}

// plan is how the rows of a file become contacts: the mapped columns, in
// the header's order, and the number of fields of a row.
type plan struct {
	columns []column
	fields  int
}

// fieldsFor lists what a column may be mapped to with the custom field
// definitions defs.
func fieldsFor(defs map[string]customfields.Field) []string {
	out := slices.Clone(fieldNames)
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		out = append(out, customfields.Prefix+key)
	}
	return out
}

// planImport checks m against header, the custom field definitions defs
// and the duplicate policy, and returns the plan of the rows: every name it
// maps must be one column of the header, every field known, a field that
// takes one value filled from one column; it must map a column to a name,
// an email or a phone, to emails unless the policy is create, and to every
// required custom field. Each fault names its mapping entry.
func planImport(header []string, m Mapping, policy string, defs map[string]customfields.Field) (plan, error) {
	v := errs.NewValidator()
	known := fieldsFor(defs)
	at := map[string][]int{}
	for i, h := range header {
		at[h] = append(at[h], i)
	}
	p := plan{fields: len(header)}
	from := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		field, path := strings.TrimSpace(m[name]), "mapping/"+name
		if field == "" {
			continue
		}
		cols := at[name]
		switch {
		case len(cols) == 0:
			v.Check(false, path, fmt.Sprintf("no column of the header is called %q; it has %s", name, quoteAll(header)))
			continue
		case len(cols) > 1:
			v.Check(false, path, fmt.Sprintf("%d columns of the header are called %q: rename them to map one", len(cols), name))
			continue
		case !slices.Contains(known, field):
			v.Check(false, path, fmt.Sprintf("%q is no field a column can fill; one of %s", field, strings.Join(known, ", ")))
			continue
		}
		if prev, taken := from[field]; taken && !slices.Contains(multiFields, field) {
			v.Check(false, path, fmt.Sprintf("%s takes one value, and column %q fills it already", field, prev))
			continue
		}
		from[field] = name
		p.columns = append(p.columns, column{index: cols[0], name: name, field: field})
	}
	if err := v.Err(); err != nil {
		return plan{}, err
	}
	if len(p.columns) == 0 {
		return plan{}, ErrNothingMapped.WithDetail("the mapping maps no column of the header, which has %s", quoteAll(header))
	}
	slices.SortFunc(p.columns, func(a, b column) int { return a.index - b.index })
	v.Check(slices.ContainsFunc(identityFields, func(f string) bool { _, ok := from[f]; return ok }), "mapping",
		"map a column to "+strings.Join(identityFields, ", ")+": a contact needs a name, an email or a phone")
	_, emails := from["emails"]
	v.Check(emails || policy == PolicyCreate, "mapping",
		fmt.Sprintf("duplicatePolicy %s finds existing contacts by email: map a column to emails, or choose create", policy))
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		if _, ok := from[customfields.Prefix+key]; defs[key].Required && !ok {
			v.Check(false, "mapping", fmt.Sprintf("%s%s is required: map a column to it", customfields.Prefix, key))
		}
	}
	return p, v.Err()
}

// quoteAll quotes names for a message.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
