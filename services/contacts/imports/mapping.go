package imports

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/importjob"
)

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

// fieldsFor lists what a column may be mapped to with the custom field
// definitions defs.
func fieldsFor(defs map[string]customfields.Field) []string {
	out := slices.Clone(fieldNames)
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		out = append(out, customfields.Prefix+key)
	}
	return out
}

// checkPlan checks plan p against the duplicate policy and the custom
// field definitions defs: it must map a column to a name, an email or a
// phone, to emails unless the policy is create, and to every required
// custom field.
func checkPlan(p importjob.Plan, policy string, defs map[string]customfields.Field) error {
	v := errs.NewValidator()
	v.Check(slices.ContainsFunc(identityFields, p.Has), "mapping",
		"map a column to "+strings.Join(identityFields, ", ")+": a contact needs a name, an email or a phone")
	v.Check(p.Has("emails") || policy == importjob.PolicyCreate, "mapping",
		fmt.Sprintf("duplicatePolicy %s finds existing contacts by email: map a column to emails, or choose create", policy))
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		if defs[key].Required && !p.Has(customfields.Prefix+key) {
			v.Check(false, "mapping", fmt.Sprintf("%s%s is required: map a column to it", customfields.Prefix, key))
		}
	}
	return v.Err()
}
