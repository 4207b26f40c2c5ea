package filter

import (
	"strconv"
	"strings"
)

// MaxParam is the highest placeholder number PostgreSQL accepts.
const MaxParam = 65535

// Compile turns n into a SQL boolean expression over s's fields for a WHERE
// clause, with every value bound as a parameter: the placeholders run from
// $firstParam upwards and args holds their values in order, so a caller can
// bind its own parameters (tenant, cursor) first:
//
//	where, args, err := filter.Compile(node, schema, 2)
//	if err != nil {
//		return err // an *errs.Error: Invalid for the user's mistakes
//	}
//	q := "SELECT ... FROM contacts c WHERE c.tenant_id = $1 AND " + where
//	err = tx.SelectContext(ctx, &rows, q, append([]any{tenantID}, args...)...)
//
// The SQL text holds only the compiler's own keywords, the schema's column
// expressions and placeholders; it is parenthesised where needed, so it can be
// joined with AND safely. A nil n compiles to "TRUE" with no args.
//
// A filter the user got wrong yields an ErrInvalidFilter copy naming the
// path of the offending node; a broken Field (from Schema.Fields or the
// CustomField resolver) or a firstParam below 1 yields an ErrSchema copy.
func Compile(n *Node, s Schema, firstParam int) (sql string, args []any, err error) {
	if firstParam < 1 {
		return "", nil, schemaErr("firstParam %d is below 1", firstParam)
	}
	if n == nil {
		return "TRUE", nil, nil
	}
	b := &builder{schema: s, first: firstParam}
	sql, err = b.node(n, Root, 0)
	if err != nil {
		return "", nil, err
	}
	if firstParam+len(b.args)-1 > MaxParam {
		return "", nil, invalid(Root, "too many values (%d parameters)", len(b.args))
	}
	return sql, b.args, nil
}

// builder accumulates the arguments of one compilation.
type builder struct {
	schema     Schema
	first      int
	args       []any
	conditions int
}

// param binds v and returns its placeholder.
func (b *builder) param(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(b.first+len(b.args)-1)
}

// node compiles one node found at path below depth groups.
func (b *builder) node(n *Node, path string, depth int) (string, error) {
	if n == nil {
		return "", invalid(path, "missing node")
	}
	if depth > MaxDepth {
		return "", invalid(path, "nested deeper than %d groups", MaxDepth)
	}
	set := 0
	for _, ok := range []bool{n.And != nil, n.Or != nil, n.Not != nil} {
		if ok {
			set++
		}
	}
	switch {
	case set == 0 && !n.isCond():
		return "", invalid(path, `empty node: want "and", "or", "not" or "field"`)
	case set > 1:
		return "", invalid(path, `a node may hold only one of "and", "or" and "not"`)
	case set == 1 && n.isCond():
		return "", invalid(path, "a group may not also hold a condition")
	case n.Not != nil:
		inner, err := b.node(n.Not, path+"/not", depth+1)
		if err != nil {
			return "", err
		}
		// IS NOT TRUE rather than NOT: a condition on a missing (NULL) value
		// is false, so its negation must be true.
		return "(" + inner + ") IS NOT TRUE", nil
	case n.And != nil:
		return b.group("and", " AND ", n.And, path, depth)
	case n.Or != nil:
		return b.group("or", " OR ", n.Or, path, depth)
	}
	return b.cond(n, path)
}

// group compiles the children of an and or or group.
func (b *builder) group(kind, sep string, children []*Node, path string, depth int) (string, error) {
	path += "/" + kind
	if len(children) == 0 {
		return "", invalid(path, "empty %q group", kind)
	}
	parts := make([]string, len(children))
	for i, c := range children {
		sql, err := b.node(c, path+"/"+strconv.Itoa(i), depth+1)
		if err != nil {
			return "", err
		}
		parts[i] = sql
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

// cond compiles a condition.
func (b *builder) cond(n *Node, path string) (string, error) {
	b.conditions++
	if b.conditions > MaxConditions {
		return "", invalid(path, "more than %d conditions", MaxConditions)
	}
	if n.Field == "" {
		return "", invalid(path+"/field", "missing field")
	}
	if n.Op == "" {
		return "", invalid(path+"/op", "missing op")
	}
	if !ops[n.Op] {
		return "", invalid(path+"/op", "unknown operator %s", quote(string(n.Op)))
	}
	f, ok, err := b.schema.Lookup(n.Field)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", invalid(path+"/field", "unknown field %s", quote(n.Field))
	}
	if !f.Type.Accepts(n.Op) {
		return "", invalid(path+"/op", "operator %q does not apply to %s field %s", n.Op, f.Type, quote(f.Name))
	}
	vpath := path + "/value"
	if n.Value == nil && n.Op != IsEmpty {
		return "", invalid(vpath, "missing value")
	}

	switch n.Op {
	case IsEmpty:
		empty := true
		if n.Value != nil {
			v, ok := n.Value.(bool)
			if !ok {
				return "", invalid(vpath, "isEmpty wants true or false, got %s", describe(n.Value))
			}
			empty = v
		}
		col := b.column(f)
		switch {
		case f.Type == String && empty:
			return "(" + col + " IS NULL OR " + col + " = '')", nil
		case f.Type == String:
			return col + " <> ''", nil
		case f.Type == StringArray && empty:
			return "(" + col + " IS NULL OR cardinality(" + col + ") = 0)", nil
		case f.Type == StringArray:
			return "cardinality(" + col + ") > 0", nil
		case empty:
			return col + " IS NULL", nil
		}
		return col + " IS NOT NULL", nil

	case Within:
		d, err := within(n.Value, f, vpath)
		if err != nil {
			return "", err
		}
		col := b.column(f)
		p := b.param(d)
		if f.Type == Date {
			return "(" + col + " >= (current_date - " + p + "::interval)::date AND " + col + " <= current_date)", nil
		}
		return "(" + col + " >= now() - " + p + "::interval AND " + col + " <= now())", nil

	case In:
		vs, err := b.list(n.Value, f, vpath)
		if err != nil {
			return "", err
		}
		col := b.column(f)
		if f.Type == StringArray {
			return col + " && " + b.textArray(vs), nil
		}
		return col + " IN (" + b.params(vs) + ")", nil

	case Contains:
		if f.Type == StringArray {
			var vs []any
			if _, isList := asList(n.Value); isList {
				var err error
				if vs, err = b.list(n.Value, f, vpath); err != nil {
					return "", err
				}
			} else {
				v, err := scalar(n.Value, f, vpath)
				if err != nil {
					return "", err
				}
				vs = []any{v}
			}
			col := b.column(f)
			return col + " @> " + b.textArray(vs), nil
		}
		v, err := scalar(n.Value, f, vpath)
		if err != nil {
			return "", err
		}
		col := b.column(f)
		return col + " ILIKE " + b.param("%"+escapeLike(v.(string))+"%"), nil

	case StartsWith:
		v, err := scalar(n.Value, f, vpath)
		if err != nil {
			return "", err
		}
		col := b.column(f)
		return col + " ILIKE " + b.param(escapeLike(v.(string))+"%"), nil
	}

	// eq, ne, lt, lte, gt, gte
	v, err := scalar(n.Value, f, vpath)
	if err != nil {
		return "", err
	}
	col := b.column(f)
	return col + " " + comparison[n.Op] + " " + b.param(v), nil
}

// comparison maps the scalar comparison operators to SQL.
var comparison = map[Op]string{
	Eq: "=", Ne: "IS DISTINCT FROM", Lt: "<", Lte: "<=", Gt: ">", Gte: ">=",
}

// params binds vs and returns their placeholders, comma-separated.
func (b *builder) params(vs []any) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = b.param(v)
	}
	return strings.Join(ps, ", ")
}

// textArray binds vs and returns an ARRAY[...] of text placeholders.
func (b *builder) textArray(vs []any) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = b.param(v) + "::text"
	}
	return "ARRAY[" + strings.Join(ps, ", ") + "]"
}
