package queues

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// CaseFields are what routing reads of a case: a case's own fields, or a
// preview's.
type CaseFields struct {
	Subject      string         `json:"subject"`
	Description  string         `json:"description"`
	Priority     string         `json:"priority"`
	Channel      string         `json:"channel"`
	Type         string         `json:"type"`
	Language     string         `json:"language"`
	Tags         []string       `json:"tags"`
	CustomFields map[string]any `json:"customFields"`
}

// fieldsOf is what routing reads of c.
func fieldsOf(c *cases.Case) CaseFields {
	return CaseFields{Subject: c.Subject, Description: c.Description, Priority: c.Priority, Channel: c.Channel, Type: c.Type,
		Language: c.Language, Tags: c.Tags, CustomFields: c.CustomFields}
}

// normalize checks a preview's fields as a case's, with a case's defaults
// (channel api, priority normal).
func (f *CaseFields) normalize() error {
	v := errs.NewValidator()
	if f.Channel == "" {
		f.Channel = "api"
	}
	if f.Priority == "" {
		f.Priority = "normal"
	}
	v.Check(slices.Contains(cases.Channels, f.Channel), "channel", "must be one of "+strings.Join(cases.Channels, ", "))
	v.Check(slices.Contains(cases.Priorities, f.Priority), "priority", "must be one of "+strings.Join(cases.Priorities, ", "))
	if f.Tags == nil {
		f.Tags = []string{}
	}
	if f.CustomFields == nil {
		f.CustomFields = map[string]any{}
	}
	return v.Err()
}

// routingRow is the row the rules' conditions test (alias r), built from
// the parameters $1 to $8: the fields of f.
const routingRow = `(SELECT $1::text AS priority, $2::text AS channel, $3::text AS type, $4::text AS language, $5::text[] AS tags,
	$6::jsonb AS custom_fields, $7::text AS subject, $8::text AS description) r`

// match returns the first of rules whose condition f meets, nil for none:
// one query testing them in order over f's row. A condition that no
// longer compiles (it names a custom field deleted since) matches
// nothing, rather than holding up every case's routing.
func match(ctx context.Context, tx *outbox.Tx, rules []Rule, f CaseFields) (*Rule, error) {
	rules = slices.DeleteFunc(slices.Clone(rules), func(r Rule) bool { return !*r.Active })
	if len(rules) == 0 {
		return nil, nil
	}
	defs, err := cases.FieldStore.Defs(ctx, tx.SQL(), cases.EntityCase)
	if err != nil {
		return nil, err
	}
	custom, err := json.Marshal(f.CustomFields)
	if err != nil {
		return nil, err
	}
	args := []any{f.Priority, f.Channel, f.Type, f.Language, pq.StringArray(f.Tags), string(custom), f.Subject, f.Description}
	var whens strings.Builder
	for i, r := range rules {
		cond := "TRUE"
		if r.Condition != nil {
			sql, a, err := compileCondition(r.Condition, len(args)+1, defs)
			switch {
			case errs.KindOf(err) == errs.Invalid:
				cond = "FALSE"
			case err != nil:
				return nil, fmt.Errorf("routing rule %s: %w", r.ID, err)
			default:
				cond, args = sql, append(args, a...)
			}
		}
		whens.WriteString(" WHEN " + cond + " THEN " + strconv.Itoa(i))
	}
	var i int
	q := "SELECT CASE" + whens.String() + " ELSE -1 END FROM " + routingRow
	if err := tx.SQL().GetContext(ctx, &i, q, args...); err != nil {
		return nil, fmt.Errorf("match routing rules: %w", pg.MapError(err))
	}
	if i < 0 {
		return nil, nil
	}
	return &rules[i], nil
}

// Preview is which rule, and so which queue, a case with given fields
// would be routed by; none matching leaves every field empty.
type Preview struct {
	RuleID    string `json:"ruleId,omitempty"`
	RuleName  string `json:"ruleName,omitempty"`
	QueueID   string `json:"queueId,omitempty"`
	QueueName string `json:"queueName,omitempty"`
}

// previewIn routes f by the tenant's rules in tx.
func previewIn(ctx context.Context, tx *outbox.Tx, f CaseFields) (*Preview, error) {
	rules, err := listRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	r, err := match(ctx, tx, rules, f)
	if err != nil || r == nil {
		return &Preview{}, err
	}
	q, err := getQueue(ctx, tx, r.QueueID, false)
	if err != nil {
		return nil, err
	}
	return &Preview{RuleID: r.ID, RuleName: r.Name, QueueID: q.ID, QueueName: q.Name}, nil
}
