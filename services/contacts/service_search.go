package contacts

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// listCursor is the position a nextCursor encodes: the order it belongs to
// and the last row's key values as text (nil for NULL), its id last.
type listCursor struct {
	Order string    `json:"o"`
	Keys  []*string `json:"k"`
}

// badCursor is kitx.ErrBadCursor naming the cursor parameter.
func badCursor(reason string) error {
	e := kitx.ErrBadCursor.WithDetail("invalid cursor: %s", reason)
	e.Fields = []errs.FieldError{{Field: "cursor", Reason: reason}}
	return e
}

// orderSignature identifies the order of q, so a cursor is only used with
// the order it was made for.
func orderSignature(q ListQuery) string { return q.Sort + "\x00" + strings.TrimSpace(q.Q) }

// planList builds the query of q over k for p inside tx: the live (or
// deleted) records in p's scope, q.Where, the filter, the search and the
// sort. Errors in the filter, sort or search are errs.Invalid.
func planList(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, p auth.Principal, q ListQuery) (*listPlan, error) {
	srch, err := parseSearch(q.Q)
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
	for _, c := range append(conds, q.Where...) {
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

// parseFilter reads a filter's JSON; empty is none.
func parseFilter(raw json.RawMessage) (*filter.Node, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, nil
	}
	return filter.Parse(raw)
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
	return name == "lastActivityAt" || strings.HasPrefix(name, customer.CustomFieldPrefix)
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

// list returns a page of the records the caller may see that match q.
func (s *service) list(ctx context.Context, k *pgstore.Table, q ListQuery) (recs []customer.Record, next string, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, "", err
	}
	if q.Limit <= 0 || q.Limit > kitx.MaxLimit {
		q.Limit = kitx.DefaultLimit
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := s.applyView(ctx, tx, k, p, &q); err != nil {
			return err
		}
		var after []*string
		if q.Cursor != "" {
			var c listCursor
			if err := s.cursors.DecodeCursor(q.Cursor, &c); err != nil {
				return err
			}
			if c.Order != orderSignature(q) {
				return badCursor("it was made for another sort or search")
			}
			after = c.Keys
		}
		plan, err := planList(ctx, tx, k, p, q)
		if err != nil {
			return err
		}
		if after != nil && len(after) != len(plan.keys()) {
			return badCursor("it does not fit this order")
		}
		var keys [][]*string
		if recs, keys, err = plan.page(ctx, tx, after, q.Limit+1); err != nil {
			return err
		}
		if len(recs) > q.Limit {
			recs = recs[:q.Limit]
			next = s.cursors.EncodeCursor(listCursor{Order: orderSignature(q), Keys: keys[q.Limit-1]})
		}
		return catalog.PresentWith(ctx, tx, plan.defs, recs...)
	})
	return recs, next, err
}
