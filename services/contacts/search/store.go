package search

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// orderKey is one key of a list's order. The cursor of a page holds each
// key's value as text, which is compared back after a cast to typ.
type orderKey struct {
	expr     string
	typ      string
	desc     bool
	nullable bool
}

// listPlan is a list query over k: conditions ANDed (bound through args),
// an optional search, and the order. The record id always ends the order.
type listPlan struct {
	k      *pgstore.Table
	args   pgstore.Args
	where  []string
	search *searchSQL
	order  []orderKey
	// byRelevance tells that order is the search's relevance (rank, score).
	byRelevance bool
	// defs are k's custom field definitions the plan was made with, for
	// catalog.PresentWith.
	defs map[string]customfields.Field
}

// newListPlan returns an empty plan over k.
func newListPlan(k *pgstore.Table) *listPlan { return &listPlan{k: k} }

// add ANDs a condition with "?" placeholders.
func (p *listPlan) add(c pgstore.Cond) {
	if c.SQL != "" {
		p.where = append(p.where, "("+p.args.Cond(c)+")")
	}
}

// addBound ANDs a condition already numbered from p.args.next() with args.
func (p *listPlan) addBound(sql string, args []any) {
	p.where = append(p.where, "("+sql+")")
	p.args.List = append(p.args.List, args...)
}

// idKey is the final key of every order.
func (p *listPlan) idKey() orderKey {
	desc := len(p.order) > 0 && p.order[0].desc
	return orderKey{expr: p.k.Alias + ".id", typ: "uuid", desc: desc}
}

// keys returns the order with the id appended.
func (p *listPlan) keys() []orderKey { return append(append([]orderKey{}, p.order...), p.idKey()) }

// from is the FROM clause item of k's table with its alias.
func (p *listPlan) from() string { return p.k.Name + " " + p.k.Alias }

// whereSQL joins the plan's conditions and extra ones with AND.
func whereSQL(conds []string, extra ...string) string {
	all := append(append([]string{}, conds...), extra...)
	if len(all) == 0 {
		return "TRUE"
	}
	return strings.Join(all, " AND ")
}

// planList builds the query of q over k for p inside tx: the live (or
// deleted) records in p's scope, the filter, the search and the sort. Errors in the filter, sort or search are errs.Invalid.
func planList(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, p auth.Principal, q ListQuery) (*listPlan, error) {
	srch, err := parseText(q.Q)
	if err != nil {
		return nil, err
	}
	node, err := parseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	defs, err := catalog.CustomFieldDefs(ctx, tx, k.Entity)
	if err != nil {
		return nil, err
	}
	schema := schemaFor(k, defs)
	plan := newListPlan(k)
	plan.defs = defs
	conds := pgstore.LiveConds(p)
	if q.Deleted {
		conds[0] = pgstore.Cond{SQL: "deleted_at IS NOT NULL"}
	}
	for _, c := range conds {
		plan.add(c)
	}
	if node != nil {
		if err := resolveFilterTags(ctx, tx, node); err != nil {
			return nil, err
		}
		where, args, err := filter.Compile(node, schema, plan.args.Next())
		if err != nil {
			return nil, err
		}
		plan.addBound(where, args)
	}
	if srch != nil {
		s := srch.render(k, &plan.args)
		plan.search = &s
	}
	if err := plan.sortBy(q.Sort, schema, srch != nil); err != nil {
		return nil, err
	}
	return plan, nil
}

// resolveFilterTags rewrites the tag names of n's "tags" conditions to ids.
func resolveFilterTags(ctx context.Context, tx *pgstore.Tx, n *filter.Node) error {
	names := tagNamesIn(n)
	if len(names) == 0 {
		return nil
	}
	ids, err := catalog.TagIDsByName(ctx, tx, names)
	if err != nil {
		return err
	}
	resolveTagNames(n, ids)
	return nil
}

// sortBy sets the plan's order: spec's fields, else relevance when
// searching, else creation.
func (p *listPlan) sortBy(spec string, schema filter.Schema, searching bool) error {
	keys, err := filter.ParseSort(spec, schema)
	if err != nil {
		return err
	}
	a := p.k.Alias
	switch {
	case len(keys) > 0:
		for _, sk := range keys {
			p.order = append(p.order, orderKey{expr: p.column(sk.Field), typ: sqlType(sk.Field.Type), desc: sk.Desc,
				nullable: nullableField(sk.Field.Name)})
		}
	case searching:
		p.order = []orderKey{{expr: p.search.rank, typ: "int"}, {expr: p.search.score, typ: "float8", desc: true}}
		p.byRelevance = true
	default:
		p.order = []orderKey{{expr: a + ".created_at", typ: "timestamptz"}}
	}
	return nil
}

// column renders a field's column, binding its arguments.
func (p *listPlan) column(f filter.Field) string {
	parts := strings.Split(f.Column, filter.ArgMarker)
	var sb strings.Builder
	for i, part := range parts {
		sb.WriteString(part)
		if i < len(f.ColumnArgs) {
			sb.WriteString(p.args.Bind(f.ColumnArgs[i]))
		}
	}
	return "(" + sb.String() + ")"
}

// nullableField reports whether a sortable field can be NULL.
func nullableField(name string) bool {
	return name == "lastActivityAt" || strings.HasPrefix(name, customfields.Prefix)
}

// sqlType is the SQL type a cursor value of a field of type t is cast to.
func sqlType(t filter.Type) string {
	switch t {
	case filter.Number, filter.Decimal:
		return "numeric"
	case filter.Bool:
		return "boolean"
	case filter.Time:
		return "timestamptz"
	case filter.Date:
		return "date"
	case filter.UUID:
		return "uuid"
	}
	return "text"
}

// MatchingIDs returns the ids of up to limit live records of t in p's scope
// that match filter and the search text q, in tx (for records' bulk tagging
// by filter). Errors in the filter or q are errs.Invalid.
func MatchingIDs(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, p auth.Principal, filter json.RawMessage, q string, limit int) ([]string, error) {
	plan, err := planList(ctx, tx, t, p, ListQuery{Filter: filter, Q: q})
	if err != nil {
		return nil, err
	}
	return plan.ids(ctx, tx, limit)
}
