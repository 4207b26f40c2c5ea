// Package filter is Rapport's one filter language, shared by saved views,
// segments and report filters. A filter is JSON; Parse reads it strictly and
// Compile turns it into a parameterised SQL boolean expression over an
// allow-list of fields (a Schema). Every value a user writes reaches the
// database only as a bind parameter; the SQL text holds nothing but the
// compiler's own keywords, the column expressions the service declared, and
// $n placeholders.
//
// # Nodes
//
// A filter is one node. A node is a group or a condition:
//
//	{"and": [node, ...]}   every child holds (at least one child)
//	{"or":  [node, ...]}   some child holds (at least one child)
//	{"not": node}          the child does not hold
//	{"field": "lifecycleStage", "op": "ne", "value": "customer"}
//
// A node has exactly one of "and", "or", "not" or a condition; any other key,
// a repeated key, or a mix (a node with both "and" and "field") is an error.
// The example from the contacts issue, "contacts tagged purchase-intent,
// active in the last 90 days, not yet customers":
//
//	{"and": [
//	  {"field": "tags", "op": "contains", "value": "purchase-intent"},
//	  {"field": "lastActivityAt", "op": "within", "value": "90d"},
//	  {"field": "lifecycleStage", "op": "ne", "value": "customer"}
//	]}
//
// Either of two owners, with a custom field:
//
//	{"and": [
//	  {"field": "ownerId", "op": "in", "value": ["0190c2b4-...", "0190c2b5-..."]},
//	  {"field": "customFields.budget", "op": "gte", "value": "10000.50"},
//	  {"not": {"field": "emails", "op": "isEmpty"}}
//	]}
//
// # Operators
//
//	op          value                 meaning
//	eq          scalar                equal
//	ne          scalar                not equal; a missing value counts as not equal
//	lt lte      scalar                less than (or equal)
//	gt gte      scalar                greater than (or equal)
//	in          array of scalars      equal to one of them
//	contains    string                has the substring, ignoring case
//	startsWith  string                has the prefix, ignoring case
//	isEmpty     true, false or none   true (or no value): has no value; false: has one
//	within      duration              a time in the last duration, up to now
//
// Which operators a field takes depends on its type:
//
//	type         operators                                   value
//	String       eq ne in contains startsWith isEmpty        string
//	Enum         eq ne in isEmpty                            one of Field.Values
//	UUID         eq ne in isEmpty                            UUID string
//	Bool         eq ne isEmpty                               true or false
//	Number       eq ne lt lte gt gte in isEmpty              whole number
//	Decimal      eq ne lt lte gt gte in isEmpty              number, or a string holding one ("10000.50")
//	Time         eq ne lt lte gt gte within isEmpty          RFC 3339 time ("2026-05-01T09:30:00Z";
//	                                                         "2026-05-01" means midnight UTC)
//	Date         eq ne lt lte gt gte within isEmpty          "YYYY-MM-DD"
//	StringArray  contains in isEmpty                         string, or array of strings
//
// Details:
//
//   - eq is exact and case-sensitive; contains and startsWith are
//     case-insensitive (SQL ILIKE) and treat % and _ in the value literally.
//     They work on any script: {"op": "startsWith", "value": "张"} finds 张伟.
//   - A String field is empty when it is NULL or ""; a StringArray when it is
//     NULL or has no elements; any other field when it is NULL.
//   - Conditions are two-valued: a comparison with a missing (NULL) value is
//     false, and "not" of it is true. So {"not": {"field": "x", "op": "eq",
//     "value": 1}} and {"field": "x", "op": "ne", "value": 1} both match rows
//     where x is missing.
//   - On a StringArray (tags), contains with a string means "has this
//     element", contains with an array means "has all of them", and in means
//     "has at least one of them": {"field": "tags", "op": "in", "value":
//     ["vip", "partner"]}.
//   - within takes a positive count and a unit: h (hours), d (days),
//     w (weeks), m (months, not minutes), y (years): "12h", "90d", "2w",
//     "3m", "1y", at most about 100 years. It looks back only: the field's
//     time lies between now minus the duration and now (both included), so
//     future times do not match. On a Date field it counts from today
//     (current_date, in the session's time zone) and hours are not allowed.
//   - "value": null is the same as leaving the value out, which only isEmpty
//     allows.
//
// # Limits
//
// Groups may nest at most MaxDepth (10) deep, a filter may hold at most
// MaxConditions (200) conditions, an "in" or "contains" array at most
// MaxListValues (500) values, and a string at most MaxStringLen (1000) bytes.
// Groups may not be empty.
//
// # Errors
//
// Every mistake in a filter is a copy of ErrInvalidFilter: kind errs.Invalid,
// slug "invalid-filter", and one errs.FieldError whose Field is the path of
// the offending place, with the group keys and array indexes from the top
// node, which is "filter":
//
//	{"field": "filter/and/2/field", "reason": "unknown field \"foo\""}
//	{"field": "filter/or/0/op",     "reason": "operator \"lt\" does not apply to bool field \"vip\""}
//	{"field": "filter/and/1/value/3", "reason": "field \"ownerId\" wants a UUID, got \"x\""}
//	{"field": "filter/not/colour",  "reason": "unknown key \"colour\""}
//
// A mistake of the service's own (a Field without a column, say) is an
// ErrSchema of kind errs.Internal instead.
//
// # Fields and custom fields
//
// The service declares the fields a resource may be filtered on:
//
//	var contactFields = filter.Schema{Fields: []filter.Field{
//		{Name: "firstName", Column: "c.first_name", Type: filter.String, Sortable: true},
//		{Name: "lifecycleStage", Column: "c.lifecycle_stage", Type: filter.Enum,
//			Values: []string{"lead", "prospect", "customer"}},
//		{Name: "tags", Column: "c.tags", Type: filter.StringArray},
//		{Name: "lastActivityAt", Column: "c.last_activity_at", Type: filter.Time, Sortable: true},
//	}}
//
// Column is trusted SQL that only the service writes. Custom fields, which
// differ per tenant, come from a resolver set per request; JSONBField builds
// a field that reads one key of a jsonb column, binding the key as a
// parameter ({?} in Column is ArgMarker, replaced by a placeholder):
//
//	s := contactFields
//	s.CustomField = func(name string) (filter.Field, bool) {
//		key, ok := strings.CutPrefix(name, "customFields.")
//		def, found := defs[key] // the tenant's custom field definitions
//		if !ok || !found {
//			return filter.Field{}, false
//		}
//		return filter.JSONBField(name, "c.custom_fields", key, def.Type), true
//	}
//	where, args, err := filter.Compile(node, s, 2) // $1 is the tenant
//
// # Output
//
// Compile(node, schema, 2) of the example above gives
//
//	(c.tags @> ARRAY[$2::text] AND (c.last_activity_at >= now() - $3::interval AND c.last_activity_at <= now()) AND c.lifecycle_stage IS DISTINCT FROM $4)
//
// with args ["purchase-intent", "90 days", "customer"]. String patterns are
// bound with their wildcards ("%acme%"), durations as interval text, times
// as time.Time, whole numbers as int64, decimals as their decimal text.
//
// # Sorting
//
// Sort parses a sort specification such as "lastName,-createdAt" (at most
// three Sortable fields, "-" for descending) into an ORDER BY list; its
// errors are copies of ErrInvalidSort naming "sort".
package filter
