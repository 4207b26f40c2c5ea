package pgrecord

import (
	"strconv"
	"strings"
)

// Query builds the conditions of a WHERE clause with numbered parameters
// ($1, $2, … in the order they are added after any Args it starts with).
type Query struct {
	Conds []string
	Args  []any
}

// Add ANDs cond, whose "?" placeholders take args in order.
func (q *Query) Add(cond string, args ...any) {
	for _, a := range args {
		q.Args = append(q.Args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(q.Args)), 1)
	}
	q.Conds = append(q.Conds, cond)
}

// Where is the clause, " WHERE …", or "" for no conditions.
func (q *Query) Where() string {
	if len(q.Conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.Conds, " AND ")
}
