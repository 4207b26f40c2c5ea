package search

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx/reflectx"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// after is the keyset condition selecting the rows after the one whose key
// values (as text, nil for NULL) are vals, in the order keys.
func (p *listPlan) after(keys []orderKey, vals []*string) string {
	if rowComparable(keys, vals) {
		left, right := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			left[i], right[i] = k.expr, p.args.Bind(*vals[i])+"::"+k.typ
		}
		op := " > "
		if keys[0].desc {
			op = " < "
		}
		return "(" + strings.Join(left, ", ") + ")" + op + "(" + strings.Join(right, ", ") + ")"
	}
	var ors []string
	var eqs []string
	for i, k := range keys {
		var v string
		if vals[i] != nil {
			v = p.args.Bind(*vals[i]) + "::" + k.typ
		}
		var gt string
		switch {
		case vals[i] == nil && k.desc: // NULLS FIRST: every value follows
			gt = k.expr + " IS NOT NULL"
		case vals[i] == nil: // NULLS LAST: nothing follows
		case k.desc:
			gt = k.expr + " < " + v
		case k.nullable:
			gt = "(" + k.expr + " > " + v + " OR " + k.expr + " IS NULL)"
		default:
			gt = k.expr + " > " + v
		}
		if gt != "" {
			ors = append(ors, "("+whereSQL(eqs, gt)+")")
		}
		if vals[i] == nil {
			eqs = append(eqs, k.expr+" IS NULL")
		} else {
			eqs = append(eqs, k.expr+" = "+v)
		}
	}
	if len(ors) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// rowComparable reports whether keys can be compared as one row value: all
// in one direction and no NULLs possible.
func rowComparable(keys []orderKey, vals []*string) bool {
	for i, k := range keys {
		if k.nullable || k.desc != keys[0].desc || vals[i] == nil {
			return false
		}
	}
	return true
}

// query renders the plan's SELECT of up to limit rows after vals (nil: from
// the start), each with its key values as a JSON array in column "_keys".
func (p *listPlan) query(vals []*string, limit int) string {
	a := p.k.Alias
	keys := p.keys()
	cols := make([]string, len(p.k.Columns))
	for i, c := range p.k.Columns {
		cols[i] = a + "." + c
	}
	keyText, orderBy := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		keyText[i] = "(" + k.expr + ")::text"
		orderBy[i] = k.expr + map[bool]string{false: " ASC", true: " DESC"}[k.desc]
	}
	where := append([]string{}, p.where...)
	if p.search != nil {
		where = append(where, a+".id IN ("+p.candidates()+")", p.search.match)
	}
	if vals != nil {
		where = append(where, p.after(keys, vals))
	}
	return "SELECT " + strings.Join(cols, ", ") + ", jsonb_build_array(" + strings.Join(keyText, ", ") + ") AS _keys FROM " +
		p.from() + " WHERE " + whereSQL(where) + " ORDER BY " + strings.Join(orderBy, ", ") + " LIMIT " + strconv.Itoa(limit)
}

// page is run, sparing the nearest-neighbour scan where it cannot change the
// answer. In relevance order every prefix match (rank 0 or 1) comes before
// every substring or typo match (rank 2), so when the prefix candidates alone
// fill the page, that page is the answer; only otherwise does the trigram
// GiST scan run, which is the slow part of a search in a large tenant.
func (p *listPlan) page(ctx context.Context, tx *pgstore.Tx, vals []*string, limit int) ([]customer.Record, [][]*string, error) {
	if p.search == nil || p.search.distance == "" || !p.byRelevance {
		return p.run(ctx, tx, vals, limit)
	}
	prefixOnly := *p
	s := *p.search
	s.distance = ""
	prefixOnly.search = &s
	recs, keys, err := prefixOnly.run(ctx, tx, vals, limit)
	if err != nil || len(recs) == limit {
		return recs, keys, err
	}
	return p.run(ctx, tx, vals, limit)
}

// run returns up to limit records of the plan after vals, with the key
// values of each.
func (p *listPlan) run(ctx context.Context, tx *pgstore.Tx, vals []*string, limit int) ([]customer.Record, [][]*string, error) {
	q := p.query(vals, limit)
	rows, err := tx.SQL().QueryxContext(ctx, q, p.args.List...)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", p.k.Name, pg.MapError(err))
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var recs []customer.Record
	var keys [][]*string
	for rows.Next() {
		rec := p.k.New()
		var raw []byte
		v := reflect.ValueOf(rec)
		dest := make([]any, len(cols))
		for i, t := range tx.SQL().Mapper.TraversalsByName(v.Type(), cols) {
			if cols[i] == "_keys" {
				dest[i] = &raw
				continue
			}
			dest[i] = reflectx.FieldByIndexes(v.Elem(), t).Addr().Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("scan %s: %w", p.k.Entity, err)
		}
		var kv []*string
		if err := json.Unmarshal(raw, &kv); err != nil {
			return nil, nil, fmt.Errorf("scan %s keys: %w", p.k.Entity, err)
		}
		rec.Base().UTC()
		recs, keys = append(recs, rec), append(keys, kv)
	}
	return recs, keys, rows.Err()
}

// ids returns the ids of up to limit records of the plan, in its order.
func (p *listPlan) ids(ctx context.Context, tx *pgstore.Tx, limit int) ([]string, error) {
	a := p.k.Alias
	where := append([]string{}, p.where...)
	if p.search != nil {
		where = append(where, a+".id IN ("+p.candidates()+")", p.search.match)
	}
	q := "SELECT " + a + ".id FROM " + p.from() + " WHERE " + whereSQL(where) + " LIMIT " + strconv.Itoa(limit)
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, q, p.args.List...); err != nil {
		return nil, fmt.Errorf("match %s: %w", p.k.Name, pg.MapError(err))
	}
	return out, nil
}

// explain returns PostgreSQL's plan of the plan's first page, for tests.
func (p *listPlan) explain(ctx context.Context, tx *pgstore.Tx, limit int) (string, error) {
	var lines []string
	if err := tx.SQL().SelectContext(ctx, &lines, "EXPLAIN "+p.query(nil, limit), p.args.List...); err != nil {
		return "", fmt.Errorf("explain: %w", pg.MapError(err))
	}
	return strings.Join(lines, "\n"), nil
}
