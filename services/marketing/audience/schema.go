package audience

import (
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/libs/filter"
)

// customFieldPrefix starts the filter name of a custom field
// ("customFields.budget"), compared as text.
const customFieldPrefix = "customFields."

// lifecycleStages are the values of a contact's lifecycle stage.
var lifecycleStages = []string{"subscriber", "lead", "marketingQualified", "salesQualified", "opportunity", "customer",
	"evangelist", "churned", "other"}

// consentStatuses are the values of a contact's consent on a channel.
var consentStatuses = []string{"granted", "denied", "unknown"}

// schema is what a segment's filter (and the audience list's) may test:
// the projection's fields over audience_contacts c, the marketing facts,
// and every custom field.
var schema = filter.Schema{
	Fields: []filter.Field{
		{Name: "firstName", Column: "c.first_name", Type: filter.String},
		{Name: "lastName", Column: "c.last_name", Type: filter.String},
		{Name: "displayName", Column: "c.display_name", Type: filter.String},
		{Name: "email", Column: "c.email", Type: filter.String},
		{Name: "phone", Column: "c.phone", Type: filter.String},
		{Name: "jobTitle", Column: "c.job_title", Type: filter.String},
		{Name: "accountId", Column: "c.account_id", Type: filter.UUID},
		{Name: "ownerId", Column: "c.owner_id", Type: filter.String},
		{Name: "lifecycleStage", Column: "c.lifecycle_stage", Type: filter.Enum, Values: lifecycleStages},
		{Name: "source", Column: "c.source", Type: filter.String},
		{Name: "country", Column: "c.country", Type: filter.String},
		{Name: "city", Column: "c.city", Type: filter.String},
		{Name: "tags", Column: "c.tags", Type: filter.StringArray},
		{Name: "emailConsent", Column: "c.email_consent", Type: filter.Enum, Values: consentStatuses},
		{Name: "smsConsent", Column: "c.sms_consent", Type: filter.Enum, Values: consentStatuses},
		{Name: "lastActivityAt", Column: "c.last_activity_at", Type: filter.Time},
		{Name: "createdAt", Column: "c.created_at", Type: filter.Time},
		{Name: "updatedAt", Column: "c.updated_at", Type: filter.Time},
		{Name: "lastOpenedAt", Column: "c.last_opened_at", Type: filter.Time},
		{Name: "lastClickedAt", Column: "c.last_clicked_at", Type: filter.Time},
		{Name: "lastSubmittedAt", Column: "c.last_submitted_at", Type: filter.Time},
		{Name: "campaignIds", Column: "c.campaign_ids::text[]", Type: filter.StringArray},
	},
	CustomField: func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, customFieldPrefix)
		if !ok || key == "" {
			return filter.Field{}, false
		}
		return filter.JSONBField(name, "c.custom_fields", key, filter.String), true
	},
}

// compiled is a filter checked and compiled over audience_contacts c.
type compiled struct {
	node *filter.Node
	// relative says the filter has a time-relative condition ("within"),
	// whose outcome changes with time alone.
	relative bool
}

// parseFilter reads and checks a filter's JSON; its errors name the
// offending node ("filter/and/0/field").
func parseFilter(raw json.RawMessage) (compiled, error) {
	n, err := filter.Parse(raw)
	if err != nil {
		return compiled{}, err
	}
	if _, _, err := filter.Compile(n, schema, 1); err != nil {
		return compiled{}, err
	}
	return compiled{node: n, relative: relative(n)}, nil
}

// sql is the filter as a condition on c, its placeholders from $first.
func (c compiled) sql(first int) (string, []any, error) { return filter.Compile(c.node, schema, first) }

// relative reports whether n has a "within" condition.
func relative(n *filter.Node) bool {
	if n == nil {
		return false
	}
	if n.Op == filter.Within {
		return true
	}
	for _, c := range append(append([]*filter.Node{n.Not}, n.And...), n.Or...) {
		if relative(c) {
			return true
		}
	}
	return false
}

// canonical is a stored filter encoded as normalize encodes it (jsonb
// keeps its keys in another order), so that comparing two states of a
// segment sees only real changes; nil stays nil.
func canonical(raw []byte) json.RawMessage {
	if raw == nil {
		return nil
	}
	n, err := filter.Parse(raw)
	if err != nil {
		return raw
	}
	out, err := json.Marshal(n)
	if err != nil {
		return raw
	}
	return out
}
