package contacts

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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
func planList(ctx context.Context, tx *sqlx.Tx, k *kind, p auth.Principal, q ListQuery) (*listPlan, error) {
	srch, err := parseSearch(q.Q)
	if err != nil {
		return nil, err
	}
	node, err := parseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	defs, err := customFieldDefs(ctx, tx, k.entity)
	if err != nil {
		return nil, err
	}
	schema := schemaFor(k, defs)
	plan := newListPlan(k)
	plan.defs = defs
	conds := liveConds(p)
	if q.Deleted {
		conds[0] = Cond{SQL: "deleted_at IS NOT NULL"}
	}
	for _, c := range append(conds, q.Where...) {
		plan.add(c)
	}
	if node != nil {
		if err := resolveFilterTags(ctx, tx, node); err != nil {
			return nil, err
		}
		where, args, err := filter.Compile(node, schema, plan.args.next())
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
func resolveFilterTags(ctx context.Context, tx *sqlx.Tx, n *filter.Node) error {
	names := tagNamesIn(n)
	if len(names) == 0 {
		return nil
	}
	var rows []struct{ ID, Name string }
	err := tx.SelectContext(ctx, &rows, `SELECT t.id, t.name_key AS name FROM unnest($1::text[]) q(k)
		CROSS JOIN LATERAL (SELECT id, name_key FROM tags WHERE name_key = q.k LIMIT 1) t`,
		pq.StringArray(lowerAll(names)))
	if err != nil {
		return err
	}
	ids := make(map[string]string, len(rows))
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	resolveTagNames(n, ids)
	return nil
}

// lowerAll lower-cases every string of list.
func lowerAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	return out
}

// sortBy sets the plan's order: spec's fields, else relevance when
// searching, else creation.
func (p *listPlan) sortBy(spec string, schema filter.Schema, searching bool) error {
	keys, err := filter.ParseSort(spec, schema)
	if err != nil {
		return err
	}
	a := alias(p.k)
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
			sb.WriteString(p.args.bind(f.ColumnArgs[i]))
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
func (s *service) list(ctx context.Context, k *kind, q ListQuery) (recs []customer.Record, next string, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, "", err
	}
	if q.Limit <= 0 || q.Limit > kitx.MaxLimit {
		q.Limit = kitx.DefaultLimit
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
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
		return presentWith(ctx, tx, plan.defs, recs...)
	})
	return recs, next, err
}
