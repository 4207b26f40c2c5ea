package webhooks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
)

// Limits of a subscription.
const (
	maxEventTypes  = 50
	maxURLLen      = 2000
	maxDescription = 500
)

// patternSyntax is an event type pattern: "*", segments then ".*", or an
// exact type.
var patternSyntax = regexp.MustCompile(`^(\*|([a-z0-9_-]+\.)+\*|[a-z0-9_-]+(\.[a-z0-9_-]+)+)$`)

// checkEventTypes validates a subscription's patterns: at least one, each of
// the pattern syntax and matching at least one type of the catalogue (an
// exact type must be one). Its error names the offending item.
func checkEventTypes(cat *catalogue.Catalogue, types []string) error {
	if len(types) == 0 {
		return invalidField(ErrInvalid, "eventTypes", "required: at least one event type or pattern such as dev.rapport.sales.*")
	}
	if len(types) > maxEventTypes {
		return invalidField(ErrInvalid, "eventTypes", fmt.Sprintf("at most %d patterns", maxEventTypes))
	}
	for i, p := range types {
		field := fmt.Sprintf("eventTypes/%d", i)
		if !patternSyntax.MatchString(p) {
			return invalidField(ErrInvalid, field, "must be *, an event type, or an event type prefix followed by .*")
		}
		if !known(cat, p) {
			return invalidField(ErrInvalid, field, fmt.Sprintf("%q names no event type of the catalogue (GET /asyncapi.json)", p))
		}
	}
	return nil
}

// known reports whether pattern matches some type of cat.
func known(cat *catalogue.Catalogue, pattern string) bool {
	if !strings.HasSuffix(pattern, "*") {
		return cat.Has(pattern)
	}
	for _, t := range cat.Types() {
		if events.TypeMatches(pattern, t) {
			return true
		}
	}
	return false
}

// filterSchema is what a subscription's filter may name: the event's type,
// subject, source and time, and data.<prop> for the top-level properties of
// the payloads of types (the catalogue's DataFields). The columns are never
// compiled to SQL: filter.Match reads the fields from the event's document.
func filterSchema(cat *catalogue.Catalogue, types []string) filter.Schema {
	s := filter.Schema{Fields: []filter.Field{
		{Name: "type", Column: "type", Type: filter.String},
		{Name: "subject", Column: "subject", Type: filter.String},
		{Name: "source", Column: "source", Type: filter.String},
		{Name: "time", Column: "time", Type: filter.Time},
	}}
	for name, typ := range cat.DataFields(types) {
		s.Fields = append(s.Fields, filter.Field{Name: "data." + name, Column: "data", Type: typ})
	}
	return s
}

// checkFilter validates n against the fields of types; its error names the
// offending node under "filter" (an unknown field: "filter/…/field").
func checkFilter(cat *catalogue.Catalogue, types []string, n *filter.Node) error {
	_, _, err := filter.Compile(n, filterSchema(cat, types), 1)
	return err
}
