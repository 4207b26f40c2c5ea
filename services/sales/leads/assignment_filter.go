package leads

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/filter"
)

// openStatuses are the statuses of an open lead: what a person's cap and
// load count.
var openStatuses = []string{StatusNew, StatusWorking, StatusNurturing, StatusQualified}

// leadFields are the fields of a lead both kinds of rule test, over the
// columns of leads: ruleFields and scoreFields add their own.
var leadFields = []filter.Field{
	{Name: "firstName", Column: "first_name", Type: filter.String},
	{Name: "lastName", Column: "last_name", Type: filter.String},
	{Name: "company", Column: "company", Type: filter.String},
	{Name: "title", Column: "title", Type: filter.String},
	{Name: "email", Column: "email", Type: filter.String},
	{Name: "phone", Column: "phone", Type: filter.String},
	{Name: "phoneE164", Column: "phone_e164", Type: filter.String},
	{Name: "source", Column: "source", Type: filter.String},
	{Name: "campaignId", Column: "campaign_id", Type: filter.UUID},
	{Name: "status", Column: "status", Type: filter.Enum, Values: Statuses},
	{Name: "rating", Column: "rating", Type: filter.Enum, Values: Ratings},
	{Name: "createdAt", Column: "created_at", Type: filter.Time},
}

// ruleFields are the fields of a lead a rule's condition (and a bulk
// assignment's filter) may test, over the columns of leads; ruleSchema
// adds the tenant's custom fields.
var ruleFields = filter.Schema{Fields: slices.Concat(leadFields, []filter.Field{
	{Name: "score", Column: "score", Type: filter.Number},
	{Name: "ownerId", Column: "owner_id", Type: filter.String},
	{Name: "teamId", Column: "team_id", Type: filter.String},
	{Name: "tags", Column: "tags", Type: filter.StringArray},
})}

// ruleSchema is ruleFields with the custom fields defs (the tenant's live
// definitions of leads) as "customFields.<key>" (customfields.FilterField).
func ruleSchema(defs Fields) filter.Schema {
	s := ruleFields
	s.CustomField = func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, customfields.Prefix)
		d, found := defs[key]
		if !ok || !found {
			return filter.Field{}, false
		}
		return customfields.FilterField(name, "custom_fields", d), true
	}
	return s
}

// compileCondition parses and compiles a rule's condition over the
// fields of a lead with the custom fields defs, its parameters numbered
// from first; errors name condition/….
func compileCondition(raw json.RawMessage, first int, defs Fields) (string, []any, error) {
	sql, args, err := compileFilter(raw, first, defs)
	if err != nil {
		return "", nil, conditionError(err)
	}
	return sql, args, nil
}

// compileFilter parses and compiles a filter over the fields of a lead
// with the custom fields defs, its parameters numbered from first; errors
// name filter/….
func compileFilter(raw json.RawMessage, first int, defs Fields) (string, []any, error) {
	node, err := filter.Parse(raw)
	if err != nil {
		return "", nil, err
	}
	return filter.Compile(node, ruleSchema(defs), first)
}
