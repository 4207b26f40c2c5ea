package search

import (
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// schemaFor returns k's filter schema (the filterable names of its
// vocabulary) with the custom fields defs (the tenant's live definitions of
// k's entity, by key) as "customFields.<key>". Deleted definitions are not
// in defs, so their stored values are not filterable.
func schemaFor(k *pgstore.Table, defs map[string]customfields.Field) filter.Schema {
	s := contactFields
	if k == pgstore.Accounts {
		s = accountFields
	}
	column := k.Alias + ".custom_fields"
	s.CustomField = func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, customfields.Prefix)
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
func customFilterField(name, column string, d customfields.Field) filter.Field {
	f := customfields.FilterField(name, column, d)
	f.Sortable = d.Type != "multiSelect"
	return f
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
