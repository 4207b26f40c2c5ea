package filter

import (
	"strings"
)

// MaxSortKeys is how many fields a sort specification may name.
const MaxSortKeys = 3

// SortKey is one parsed key of a sort specification.
type SortKey struct {
	// Field is the schema field sorted on.
	Field Field
	// Desc sorts in descending order.
	Desc bool
}

// ParseSort parses a sort specification: up to MaxSortKeys comma-separated
// field names, each optionally prefixed with "-" for descending order
// ("lastName,-createdAt"). Every name must be a Sortable field of s, and
// none may repeat. An empty spec yields no keys. Errors are ErrInvalidSort
// copies whose FieldError names "sort".
func ParseSort(spec string, s Schema) ([]SortKey, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	parts := strings.Split(spec, ",")
	if len(parts) > MaxSortKeys {
		return nil, located(ErrInvalidSort, "sort", "more than 3 sort fields")
	}
	keys := make([]SortKey, 0, len(parts))
	seen := map[string]bool{}
	for _, p := range parts {
		name := strings.TrimSpace(p)
		desc := strings.HasPrefix(name, "-")
		name = strings.TrimPrefix(name, "-")
		if name == "" {
			return nil, located(ErrInvalidSort, "sort", "empty sort field")
		}
		if seen[name] {
			return nil, located(ErrInvalidSort, "sort", "field "+quote(name)+" named twice")
		}
		seen[name] = true
		f, ok, err := s.Lookup(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, located(ErrInvalidSort, "sort", "unknown field "+quote(name))
		}
		if !f.Sortable {
			return nil, located(ErrInvalidSort, "sort", "field "+quote(name)+" is not sortable")
		}
		keys = append(keys, SortKey{Field: f, Desc: desc})
	}
	return keys, nil
}

// Sort parses spec as ParseSort does and renders it as the list for an
// ORDER BY clause, without the keywords ("c.last_name ASC, c.created_at
// DESC"), so the caller can append a unique tie-breaker such as the id. A
// custom field's column arguments are bound from $firstParam upwards and
// returned in args. An empty spec yields "" and no args.
func Sort(spec string, s Schema, firstParam int) (orderBy string, args []any, err error) {
	if firstParam < 1 {
		return "", nil, schemaErr("firstParam %d is below 1", firstParam)
	}
	keys, err := ParseSort(spec, s)
	if err != nil {
		return "", nil, err
	}
	b := &builder{schema: s, first: firstParam}
	parts := make([]string, len(keys))
	for i, k := range keys {
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		parts[i] = b.column(k.Field) + dir
	}
	return strings.Join(parts, ", "), b.args, nil
}
