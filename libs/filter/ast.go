package filter

import "encoding/json"

// Op is a comparison operator of a condition.
type Op string

// The operators. Which ones a field accepts depends on its Type; see the
// package documentation for the table.
const (
	Eq         Op = "eq"         // equal
	Ne         Op = "ne"         // not equal; a missing (NULL) value counts as not equal
	Lt         Op = "lt"         // less than
	Lte        Op = "lte"        // less than or equal
	Gt         Op = "gt"         // greater than
	Gte        Op = "gte"        // greater than or equal
	In         Op = "in"         // equal to one of a list (for StringArray: shares an element with it)
	Contains   Op = "contains"   // string: has the substring, case-insensitive; StringArray: has the element(s)
	StartsWith Op = "startsWith" // string: has the prefix, case-insensitive
	IsEmpty    Op = "isEmpty"    // has no value (value true or absent) or has one (value false)
	Within     Op = "within"     // time or date lies within the last duration, e.g. "90d", up to now
)

// ops lists every known operator.
var ops = map[Op]bool{
	Eq: true, Ne: true, Lt: true, Lte: true, Gt: true, Gte: true, In: true,
	Contains: true, StartsWith: true, IsEmpty: true, Within: true,
}

// Limits of a filter.
const (
	// MaxDepth is how many groups (and, or, not) may enclose any node.
	MaxDepth = 10
	// MaxConditions is how many conditions a filter may hold in all.
	MaxConditions = 200
	// MaxListValues is how many values an "in" or "contains" list may hold.
	MaxListValues = 500
	// MaxStringLen is the longest string value, in bytes.
	MaxStringLen = 1000
)

// Node is one node of a filter: exactly one of an "and" group, an "or"
// group, a "not" group, or a condition (Field, Op and Value).
//
// Parse builds Nodes from JSON; And, Or, Not and Cond build them in Go. The
// zero Node is invalid.
type Node struct {
	// And holds the children of an "and" group; non-nil marks the group.
	And []*Node
	// Or holds the children of an "or" group; non-nil marks the group.
	Or []*Node
	// Not holds the negated child of a "not" group.
	Not *Node

	// Field is the API name of the field a condition tests ("lifecycleStage",
	// "customFields.budget").
	Field string
	// Op is the condition's operator.
	Op Op
	// Value is the condition's operand: nil (absent), a string, a bool, a
	// json.Number or Go number, a time.Time, or a slice of those. Parse
	// yields json.Number for numbers and []any for arrays.
	Value any
}

// And returns an "and" group of the given nodes.
func And(nodes ...*Node) *Node { return &Node{And: nonNil(nodes)} }

// Or returns an "or" group of the given nodes.
func Or(nodes ...*Node) *Node { return &Node{Or: nonNil(nodes)} }

// Not returns a "not" group around n.
func Not(n *Node) *Node { return &Node{Not: n} }

// Cond returns a condition on field.
func Cond(field string, op Op, value any) *Node {
	return &Node{Field: field, Op: op, Value: value}
}

// nonNil turns a nil slice into an empty one, so an empty group stays a group.
func nonNil(nodes []*Node) []*Node {
	if nodes == nil {
		return []*Node{}
	}
	return nodes
}

// isGroup reports whether n has any group member set.
func (n *Node) isGroup() bool { return n.And != nil || n.Or != nil || n.Not != nil }

// isCond reports whether n has any condition member set.
func (n *Node) isCond() bool { return n.Field != "" || n.Op != "" || n.Value != nil }

// MarshalJSON renders n in the filter language's JSON form.
func (n *Node) MarshalJSON() ([]byte, error) {
	switch {
	case n.And != nil:
		return json.Marshal(map[string][]*Node{"and": n.And})
	case n.Or != nil:
		return json.Marshal(map[string][]*Node{"or": n.Or})
	case n.Not != nil:
		return json.Marshal(map[string]*Node{"not": n.Not})
	}
	type cond struct {
		Field string `json:"field"`
		Op    Op     `json:"op"`
		Value any    `json:"value,omitempty"`
	}
	return json.Marshal(cond{n.Field, n.Op, n.Value})
}

// UnmarshalJSON parses data strictly, as Parse does; error paths start at
// "filter" wherever the filter sits in the enclosing document. As is the
// convention, the literal null leaves n unchanged.
func (n *Node) UnmarshalJSON(data []byte) error {
	p, err := Parse(data)
	if err != nil || p == nil {
		return err
	}
	*n = *p
	return nil
}
