package queues

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Rule is a routing rule: a new case without a queue goes to the queue of
// the first active rule, by Position then age, whose Condition it meets
// (no condition: every case).
type Rule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Position orders the rules; a new rule without one comes last.
	Position *int `json:"position"`
	// Active is true unless set false; an inactive rule routes nothing.
	Active *bool `json:"active"`
	// Condition is a filter (libs/filter) over the fields of a case
	// (RoutingFields).
	Condition json.RawMessage `json:"condition,omitempty"`
	QueueID   string          `json:"queueId"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	Version   int64           `json:"version"`
}

// ruleReadOnly are the fields of a Rule the service sets.
var ruleReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// AccountTierKey is the key of the custom field of cases a rule's
// accountTier reads: a case's account tier is the tenant's custom field
// account_tier (a text or single select), absent when it has none.
const AccountTierKey = "account_tier"

// The bounds of a rule.
const (
	maxRuleName = 200
	maxPosition = 1_000_000
)

// RoutingFields are the fields of a case a rule's condition tests, over
// the row routingRow builds: keywords is the subject and description
// together (op contains finds a word in either).
var RoutingFields = []filter.Field{
	{Name: "priority", Column: "r.priority", Type: filter.Enum, Values: cases.Priorities},
	{Name: "channel", Column: "r.channel", Type: filter.Enum, Values: cases.Channels},
	{Name: "type", Column: "r.type", Type: filter.String},
	{Name: "language", Column: "r.language", Type: filter.String},
	{Name: "tags", Column: "r.tags", Type: filter.StringArray},
	{Name: "accountTier", Column: "r.custom_fields->>'" + AccountTierKey + "'", Type: filter.String},
	{Name: "subject", Column: "r.subject", Type: filter.String},
	{Name: "description", Column: "r.description", Type: filter.String},
	{Name: "keywords", Column: "r.subject || E'\\n' || r.description", Type: filter.String},
}

// routingSchema is RoutingFields with the tenant's custom fields of cases
// defs as "customFields.<key>".
func routingSchema(defs cases.Fields) filter.Schema {
	return filter.Schema{Fields: RoutingFields, CustomField: func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, customfields.Prefix)
		d, found := defs[key]
		if !ok || !found {
			return filter.Field{}, false
		}
		return customfields.FilterField(name, "r.custom_fields", d), true
	}}
}

// compileCondition parses and compiles a condition over the fields of a
// case with the custom fields defs, its parameters numbered from first;
// errors name condition/….
func compileCondition(raw json.RawMessage, first int, defs cases.Fields) (string, []any, error) {
	node, err := filter.Parse(raw)
	if err == nil {
		var sql string
		var args []any
		if sql, args, err = filter.Compile(node, routingSchema(defs), first); err == nil {
			return sql, args, nil
		}
	}
	return "", nil, conditionError(err)
}

// conditionError is err with the paths of a filter error under condition
// rather than filter.
func conditionError(err error) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := e.WithDetail("%s", strings.Replace(e.Message, " at "+filter.Root, " at condition", 1))
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = errs.FieldError{Field: "condition" + strings.TrimPrefix(f.Field, filter.Root), Reason: f.Reason}
	}
	return out
}

// normalize validates r's own fields, defaulting Active; the condition
// needs the tenant's custom fields (checkCondition), the queue its store.
func (r *Rule) normalize() error {
	v := errs.NewValidator()
	text(v, &r.Name, "name", maxRuleName, true)
	if r.Active == nil {
		on := true
		r.Active = &on
	}
	v.Check(r.Position == nil || (*r.Position >= 0 && *r.Position <= maxPosition), "position", fmt.Sprintf("must be 0 to %d", maxPosition))
	v.Check(ids.Valid(r.QueueID), "queueId", "must be a UUID")
	if len(r.Condition) == 0 || string(r.Condition) == "null" {
		r.Condition = nil
	}
	return v.Err()
}

// checkCondition parses and compiles r's condition against the fields of
// a case and the tenant's custom fields defs (errors name condition/…).
func (r *Rule) checkCondition(defs cases.Fields) error {
	if r.Condition == nil {
		return nil
	}
	_, _, err := compileCondition(r.Condition, 1, defs)
	return err
}
