package contacts

import (
	"strings"

	"github.com/rapport-crm/rapport/libs/filter"
)

// The table aliases list queries use; filter columns are qualified with them.
const (
	contactAlias = "c"
	accountAlias = "a"
)

// alias returns the alias of k's table in list queries.
func alias(k *kind) string {
	if k == accountKind {
		return accountAlias
	}
	return contactAlias
}

// tagsColumn is appended to a tag_ids column for the "tags" filter field:
// the record's tag ids as text. Filters name tags; resolveTagNames rewrites
// the names to ids before compiling, so a renamed tag keeps matching without
// touching any record. (Array @> is not leakproof, so under FORCE ROW LEVEL
// SECURITY no index serves it; the other conditions and the sort pick the
// index, as for the example, where lastActivityAt within 90d does.)
const tagsColumn = "::text[]"

// contactFields are the fixed filter fields of contacts. Sortable fields
// each have a (tenant_id, column, id) index (migrations/0002_search.sql).
var contactFields = filter.Schema{Fields: []filter.Field{
	{Name: "firstName", Column: "c.first_name", Type: filter.String},
	{Name: "lastName", Column: "c.last_name", Type: filter.String, Sortable: true},
	{Name: "displayName", Column: "c.display_name", Type: filter.String, Sortable: true},
	{Name: "email", Column: "c.primary_email", Type: filter.String, Sortable: true},
	{Name: "phone", Column: "c.primary_phone", Type: filter.String},
	{Name: "jobTitle", Column: "c.job_title", Type: filter.String},
	{Name: "accountId", Column: "c.account_id", Type: filter.UUID},
	{Name: "accountName", Column: "c.account_name", Type: filter.String},
	{Name: "ownerId", Column: "c.owner_id", Type: filter.String},
	{Name: "teamId", Column: "c.team_id", Type: filter.String},
	{Name: "lifecycleStage", Column: "c.lifecycle_stage", Type: filter.Enum, Values: LifecycleStages},
	{Name: "source", Column: "c.source", Type: filter.String},
	{Name: "address.country", Column: "c.address->>'country'", Type: filter.String},
	{Name: "address.city", Column: "c.address->>'city'", Type: filter.String},
	{Name: "createdAt", Column: "c.created_at", Type: filter.Time, Sortable: true},
	{Name: "updatedAt", Column: "c.updated_at", Type: filter.Time, Sortable: true},
	{Name: "lastActivityAt", Column: "c.last_activity_at", Type: filter.Time, Sortable: true},
	{Name: "tags", Column: "c.tag_ids" + tagsColumn, Type: filter.StringArray},
}}

// accountFields are the fixed filter fields of accounts.
var accountFields = filter.Schema{Fields: []filter.Field{
	{Name: "name", Column: "a.name", Type: filter.String, Sortable: true},
	{Name: "domain", Column: "a.domain", Type: filter.String},
	{Name: "industry", Column: "a.industry", Type: filter.String},
	{Name: "sizeBand", Column: "a.size_band", Type: filter.Enum, Values: SizeBands},
	{Name: "annualRevenue.amountMinor", Column: "(a.annual_revenue->>'amountMinor')::bigint", Type: filter.Number},
	{Name: "currency", Column: "a.annual_revenue->>'currency'", Type: filter.String},
	{Name: "ownerId", Column: "a.owner_id", Type: filter.String},
	{Name: "teamId", Column: "a.team_id", Type: filter.String},
	{Name: "parentAccountId", Column: "a.parent_account_id", Type: filter.UUID},
	{Name: "createdAt", Column: "a.created_at", Type: filter.Time, Sortable: true},
	{Name: "updatedAt", Column: "a.updated_at", Type: filter.Time, Sortable: true},
	{Name: "tags", Column: "a.tag_ids" + tagsColumn, Type: filter.StringArray},
}}

// schemaFor returns k's filter schema with the custom fields defs (the
// tenant's live definitions of k's entity, by key) as "custom.<key>".
// Deleted definitions are not in defs, so their stored values are not
// filterable.
func schemaFor(k *kind, defs map[string]CustomField) filter.Schema {
	s := contactFields
	if k == accountKind {
		s = accountFields
	}
	column := alias(k) + ".custom_fields"
	s.CustomField = func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, "custom.")
		d, found := defs[key]
		if !ok || !found {
			return filter.Field{}, false
		}
		return customFilterField(name, column, d), true
	}
	return s
}

// customFilterField is the filter field of a custom field definition d,
// sortable like the standard fields but for multi selects (a set has no
// order). Records without a value sort as NULLs do (last ascending).
func customFilterField(name, column string, d CustomField) filter.Field {
	f := customValueField(name, column, d)
	f.Sortable = d.Type != "multiSelect"
	return f
}

// decimalSQL matches the stored text a decimal field reads as numeric: its
// canonical strings, the JSON numbers of a key retyped to decimal, and
// nothing a cast could fail on (quantifiers are bounded, numeric's range
// is far larger).
const decimalSQL = `'^-?[0-9]{1,255}(\.[0-9]{1,255})?([eE][-+]?[0-9]{1,4})?$'`

// customValueField is the field reading d's value. Decimals are stored as
// canonical strings (decimalText) and compared as numeric, so filters and
// sorts are numeric; currencies are stored as {amountMinor, currency}, and
// a currency field filters and sorts on its amount in minor units.
func customValueField(name, column string, d CustomField) filter.Field {
	switch d.Type {
	case "number":
		return filter.JSONBField(name, column, d.Key, filter.Decimal)
	case "decimal":
		value := column + "->>" + filter.ArgMarker + "::text"
		return filter.Field{Name: name, Type: filter.Decimal, ColumnArgs: []any{d.Key, d.Key},
			Column: "CASE WHEN " + value + " ~ " + decimalSQL + " THEN (" + value + ")::numeric END"}
	case "currency":
		return filter.Field{Name: name, Type: filter.Number, ColumnArgs: []any{d.Key, d.Key},
			Column: "CASE WHEN jsonb_typeof(" + column + "->" + filter.ArgMarker + "::text->'amountMinor') = 'number' THEN (" +
				column + "->" + filter.ArgMarker + "::text->>'amountMinor')::numeric END"}
	case "date":
		return filter.JSONBField(name, column, d.Key, filter.Date)
	case "datetime":
		return filter.JSONBField(name, column, d.Key, filter.Time)
	case "boolean":
		return filter.JSONBField(name, column, d.Key, filter.Bool)
	case "singleSelect":
		f := filter.JSONBField(name, column, d.Key, filter.Enum)
		f.Values = d.Options
		return f
	case "multiSelect":
		return filter.JSONBField(name, column, d.Key, filter.StringArray)
	}
	return filter.JSONBField(name, column, d.Key, filter.String)
}

// noTag is the id a filter compares with for a tag name that is not in the
// catalogue: no record carries it, so the condition matches nothing.
const noTag = "00000000-0000-0000-0000-000000000000"

// tagNamesIn returns every tag name the "tags" conditions of n mention.
func tagNamesIn(n *filter.Node) []string {
	var out []string
	walkTagValues(n, func(s string) string { out = append(out, s); return s })
	return out
}

// resolveTagNames rewrites the tag names of n's "tags" conditions to tag ids
// by ids (lower-cased name to id); unknown names become noTag.
func resolveTagNames(n *filter.Node, ids map[string]string) {
	walkTagValues(n, func(s string) string {
		if id, ok := ids[strings.ToLower(s)]; ok {
			return id
		}
		return noTag
	})
}

// walkTagValues replaces every string value of a "tags" condition in n by
// fn's result. Values of other types are left for Compile to reject.
func walkTagValues(n *filter.Node, fn func(string) string) {
	if n == nil {
		return
	}
	for _, c := range append(append([]*filter.Node{}, n.And...), n.Or...) {
		walkTagValues(c, fn)
	}
	walkTagValues(n.Not, fn)
	if n.Field != "tags" {
		return
	}
	switch v := n.Value.(type) {
	case string:
		n.Value = fn(v)
	case []any:
		for i, e := range v {
			if s, ok := e.(string); ok {
				v[i] = fn(s)
			}
		}
	}
}
