package search

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// field is one name of an entity's vocabulary: a field of the resource as
// the API shows it, by its JSON name, or by a dotted path to a field of a
// nested object ("address.city"). Saved views' columns take any name of the
// vocabulary; filters, sorts and saved views' filters and sorts the
// filterable and sortable ones; exports have a column for each exported one.
type field struct {
	name string
	// filter is the filter field of the name, whose Name is set from name;
	// a zero Column means the name is not filterable.
	filter filter.Field
	// export renders the record's value as a CSV cell; nil means the name
	// is no export column (an object, whose fields are).
	export func(customer.Record) string
}

// tagsColumn is appended to a tag_ids column for the "tags" filter field:
// the record's tag ids as text. Filters name tags; resolveTagNames rewrites
// the names to ids before compiling, so a renamed tag keeps matching without
// touching any record. (Array @> is not leakproof, so under FORCE ROW LEVEL
// SECURITY no index serves it; the other conditions and the sort pick the
// index, as for the example, where lastActivityAt within 90d does.)
const tagsColumn = "::text[]"

// contactVocabulary is the vocabulary of contacts, in the order of the
// export's columns (then one per custom field). Sortable fields each have a
// (tenant_id, column, id) index (migrations/0002_search.sql). emails and
// phones filter and sort on the primary address or number (the one marked
// primary, else the first); accountName, the name of the contact's account,
// is no field of the contact's body but filters all the same.
var contactVocabulary = concat([]field{
	{"id", filter.Field{Column: "c.id", Type: filter.UUID}, onContact(func(c *customer.Contact) string { return c.ID })},
	{"displayName", filter.Field{Column: "c.display_name", Type: filter.String, Sortable: true}, onContact(func(c *customer.Contact) string { return c.DisplayName })},
	{"firstName", filter.Field{Column: "c.first_name", Type: filter.String}, onContact(func(c *customer.Contact) string { return c.FirstName })},
	{"lastName", filter.Field{Column: "c.last_name", Type: filter.String, Sortable: true}, onContact(func(c *customer.Contact) string { return c.LastName })},
	{"emails", filter.Field{Column: "c.primary_email", Type: filter.String, Sortable: true}, onContact(func(c *customer.Contact) string {
		return joinEach(c.Emails, func(e customer.Email) string { return e.Address })
	})},
	{"phones", filter.Field{Column: "c.primary_phone", Type: filter.String}, onContact(func(c *customer.Contact) string {
		return joinEach(c.Phones, func(p customer.Phone) string { return cmp.Or(p.E164, p.Number) })
	})},
	{"jobTitle", filter.Field{Column: "c.job_title", Type: filter.String}, onContact(func(c *customer.Contact) string { return c.JobTitle })},
	{"accountId", filter.Field{Column: "c.account_id", Type: filter.UUID}, onContact(func(c *customer.Contact) string { return deref(c.AccountID) })},
	{"accountName", filter.Field{Column: "c.account_name", Type: filter.String}, nil},
	{"ownerId", filter.Field{Column: "c.owner_id", Type: filter.String}, onContact(func(c *customer.Contact) string { return c.OwnerID })},
	{"teamId", filter.Field{Column: "c.team_id", Type: filter.String}, onContact(func(c *customer.Contact) string { return c.TeamID })},
	{"lifecycleStage", filter.Field{Column: "c.lifecycle_stage", Type: filter.Enum, Values: customer.LifecycleStages},
		onContact(func(c *customer.Contact) string { return c.LifecycleStage })},
	{"source", filter.Field{Column: "c.source", Type: filter.String}, onContact(func(c *customer.Contact) string { return c.Source })},
	{"tags", filter.Field{Column: "c.tag_ids" + tagsColumn, Type: filter.StringArray}, onContact(func(c *customer.Contact) string { return strings.Join(c.Tags, ";") })},
}, addressFields("address", "c.address", func(r customer.Record) *customer.Address { return r.(*customer.Contact).Address }), []field{
	{"consent", filter.Field{}, nil},
	consentField("email", func(c *customer.Consent) *customer.ChannelConsent { return c.Email }),
	consentField("sms", func(c *customer.Consent) *customer.ChannelConsent { return c.SMS }),
	consentField("phone", func(c *customer.Consent) *customer.ChannelConsent { return c.Phone }),
	{"lastActivityAt", filter.Field{Column: "c.last_activity_at", Type: filter.Time, Sortable: true}, onContact(func(c *customer.Contact) string {
		if c.LastActivityAt == nil {
			return ""
		}
		return timeText(c.LastActivityAt.Time)
	})},
	{"createdAt", filter.Field{Column: "c.created_at", Type: filter.Time, Sortable: true}, func(r customer.Record) string { return timeText(r.Base().CreatedAt) }},
	{"updatedAt", filter.Field{Column: "c.updated_at", Type: filter.Time, Sortable: true}, func(r customer.Record) string { return timeText(r.Base().UpdatedAt) }},
})

// accountVocabulary is the vocabulary of accounts, as contactVocabulary.
var accountVocabulary = concat([]field{
	{"id", filter.Field{Column: "a.id", Type: filter.UUID}, onAccount(func(a *customer.Account) string { return a.ID })},
	{"name", filter.Field{Column: "a.name", Type: filter.String, Sortable: true}, onAccount(func(a *customer.Account) string { return a.Name })},
	{"domain", filter.Field{Column: "a.domain", Type: filter.String}, onAccount(func(a *customer.Account) string { return a.Domain })},
	{"industry", filter.Field{Column: "a.industry", Type: filter.String}, onAccount(func(a *customer.Account) string { return a.Industry })},
	{"sizeBand", filter.Field{Column: "a.size_band", Type: filter.Enum, Values: customer.SizeBands}, onAccount(func(a *customer.Account) string { return a.SizeBand })},
	{"annualRevenue", filter.Field{}, nil},
	{"annualRevenue.amountMinor", filter.Field{Column: "(a.annual_revenue->>'amountMinor')::bigint", Type: filter.Number}, onAccount(func(a *customer.Account) string {
		if a.AnnualRevenue == nil {
			return ""
		}
		return strconv.FormatInt(a.AnnualRevenue.AmountMinor, 10)
	})},
	{"annualRevenue.currency", filter.Field{Column: "a.annual_revenue->>'currency'", Type: filter.String}, onAccount(func(a *customer.Account) string {
		if a.AnnualRevenue == nil {
			return ""
		}
		return a.AnnualRevenue.Currency
	})},
	{"parentAccountId", filter.Field{Column: "a.parent_account_id", Type: filter.UUID}, onAccount(func(a *customer.Account) string { return deref(a.ParentAccountID) })},
	{"ownerId", filter.Field{Column: "a.owner_id", Type: filter.String}, onAccount(func(a *customer.Account) string { return a.OwnerID })},
	{"teamId", filter.Field{Column: "a.team_id", Type: filter.String}, onAccount(func(a *customer.Account) string { return a.TeamID })},
	{"tags", filter.Field{Column: "a.tag_ids" + tagsColumn, Type: filter.StringArray}, onAccount(func(a *customer.Account) string { return strings.Join(a.Tags, ";") })},
},
	addressFields("billingAddress", "a.billing_address", func(r customer.Record) *customer.Address { return r.(*customer.Account).BillingAddress }),
	addressFields("shippingAddress", "a.shipping_address", func(r customer.Record) *customer.Address { return r.(*customer.Account).ShippingAddress }),
	[]field{
		{"lastActivityAt", filter.Field{Column: "a.last_activity_at", Type: filter.Time, Sortable: true}, onAccount(func(a *customer.Account) string {
			if a.LastActivityAt == nil {
				return ""
			}
			return timeText(a.LastActivityAt.Time)
		})},
		{"createdAt", filter.Field{Column: "a.created_at", Type: filter.Time, Sortable: true}, func(r customer.Record) string { return timeText(r.Base().CreatedAt) }},
		{"updatedAt", filter.Field{Column: "a.updated_at", Type: filter.Time, Sortable: true}, func(r customer.Record) string { return timeText(r.Base().UpdatedAt) }},
	})

// addressFields are the names of an address object called name, stored in
// the jsonb column, and of each of its fields, read from a record by get.
func addressFields(name, column string, get func(customer.Record) *customer.Address) []field {
	out := []field{{name, filter.Field{}, nil}}
	for _, part := range []struct {
		key   string
		value func(*customer.Address) string
	}{
		{"street", func(a *customer.Address) string { return a.Street }},
		{"city", func(a *customer.Address) string { return a.City }},
		{"region", func(a *customer.Address) string { return a.Region }},
		{"postalCode", func(a *customer.Address) string { return a.PostalCode }},
		{"country", func(a *customer.Address) string { return a.Country }},
	} {
		out = append(out, field{name + "." + part.key, filter.Field{Column: column + "->>'" + part.key + "'", Type: filter.String},
			func(r customer.Record) string {
				if a := get(r); a != nil {
					return part.value(a)
				}
				return ""
			}})
	}
	return out
}

// consentField is the status of a contact's consent on channel.
func consentField(channel string, get func(*customer.Consent) *customer.ChannelConsent) field {
	return field{"consent." + channel + ".status",
		filter.Field{Column: "c.consent->'" + channel + "'->>'status'", Type: filter.Enum, Values: customer.ConsentStatuses},
		onContact(func(c *customer.Contact) string {
			if c.Consent == nil || get(c.Consent) == nil {
				return ""
			}
			return get(c.Consent).Status
		})}
}

// onContact and onAccount turn a function of a contact or an account into
// an export of the vocabulary.
func onContact(f func(*customer.Contact) string) func(customer.Record) string {
	return func(r customer.Record) string { return f(r.(*customer.Contact)) }
}

func onAccount(f func(*customer.Account) string) func(customer.Record) string {
	return func(r customer.Record) string { return f(r.(*customer.Account)) }
}

// concat joins lists of fields.
func concat(lists ...[]field) []field {
	var out []field
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// vocabulary returns k's vocabulary.
func vocabulary(k *pgstore.Table) []field {
	if k == pgstore.Accounts {
		return accountVocabulary
	}
	return contactVocabulary
}

// filterSchema returns the filterable fields of fields as a filter schema.
func filterSchema(fields []field) filter.Schema {
	var s filter.Schema
	for _, f := range fields {
		if f.filter.Column != "" {
			ff := f.filter
			ff.Name = f.name
			s.Fields = append(s.Fields, ff)
		}
	}
	return s
}

// The filter schemas of the fixed fields (schemaFor adds custom fields).
var (
	contactFields = filterSchema(contactVocabulary)
	accountFields = filterSchema(accountVocabulary)
)

// FieldNames are the names of an entity's vocabulary but its custom fields
// ("customFields.<key>"), in order, and those that filter, sort and are
// export columns: what api/openapi.yaml lists.
type FieldNames struct {
	All, Filterable, Sortable, Exported []string
}

// Vocabulary returns the names of entity's vocabulary.
func Vocabulary(entity string) FieldNames {
	var n FieldNames
	for _, f := range vocabulary(pgstore.TableOf(entity)) {
		n.All = append(n.All, f.name)
		if f.filter.Column != "" {
			n.Filterable = append(n.Filterable, f.name)
		}
		if f.filter.Sortable {
			n.Sortable = append(n.Sortable, f.name)
		}
		if f.export != nil {
			n.Exported = append(n.Exported, f.name)
		}
	}
	return n
}

// knownName reports whether name is in k's vocabulary with the custom field
// definitions defs (by key).
func knownName(k *pgstore.Table, defs map[string]customfields.Field, name string) bool {
	if key, ok := strings.CutPrefix(name, customfields.Prefix); ok {
		_, found := defs[key]
		return found
	}
	for _, f := range vocabulary(k) {
		if f.name == name {
			return true
		}
	}
	return false
}
