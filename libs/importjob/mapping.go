package importjob

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Mapping maps the names of a file's header to the fields their columns
// fill; a column mapped to "" (or not named) is left out.
type Mapping map[string]string

// Value implements driver.Valuer.
func (m Mapping) Value() (driver.Value, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// Scan implements sql.Scanner.
func (m *Mapping) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("importjob: cannot scan %T as a mapping", src)
	}
	return json.Unmarshal(b, m)
}

// mapped returns the entries of m that map a column.
func mapped(m map[string]string) Mapping {
	out := Mapping{}
	for name, field := range m {
		if field = strings.TrimSpace(field); field != "" {
			out[name] = field
		}
	}
	return out
}

// PlanImport checks m against header and t, and returns the plan of the
// rows: every name it maps must be one column of the header, every field
// one of t's, a field that takes one value filled from one column, and
// t.Check must take the plan with policy. Each fault names its mapping
// entry.
func PlanImport(header []string, m Mapping, policy string, t Target) (Plan, error) {
	v := errs.NewValidator()
	known := t.Fields()
	at := map[string][]int{}
	for i, h := range header {
		at[h] = append(at[h], i)
	}
	var p Plan
	from := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		field, path := strings.TrimSpace(m[name]), "mapping/"+name
		if field == "" {
			continue
		}
		cols := at[name]
		switch {
		case len(cols) == 0:
			v.Check(false, path, fmt.Sprintf("no column of the header is called %q; it has %s", name, quoteAll(header)))
			continue
		case len(cols) > 1:
			v.Check(false, path, fmt.Sprintf("%d columns of the header are called %q: rename them to map one", len(cols), name))
			continue
		case !slices.Contains(known, field):
			v.Check(false, path, fmt.Sprintf("%q is no field a column can fill; one of %s", field, strings.Join(known, ", ")))
			continue
		}
		if prev, taken := from[field]; taken && !t.Multi(field) {
			v.Check(false, path, fmt.Sprintf("%s takes one value, and column %q fills it already", field, prev))
			continue
		}
		from[field] = name
		p.Columns = append(p.Columns, Column{Index: cols[0], Name: name, Field: field})
	}
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	if len(p.Columns) == 0 {
		return Plan{}, ErrNothingMapped.WithDetail("the mapping maps no column of the header, which has %s", quoteAll(header))
	}
	slices.SortFunc(p.Columns, func(a, b Column) int { return a.Index - b.Index })
	return p, t.Check(p, policy)
}

// quoteAll quotes names for a message.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Synonyms are the header names that suggest Field (compared as HeaderKey
// writes them).
type Synonyms struct {
	Field string
	Names []string
}

// HeaderKey is a header name as suggestions compare it: lower-cased,
// without spaces and punctuation ("E-mail Address" is "emailaddress").
func HeaderKey(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// SuggestMapping maps each column of header whose name is one of a field's
// synonyms to that field (a name two fields list goes to the first); a
// field that takes one value (multi says which do not) goes to the first
// column suggesting it, and a name the header has twice is left out.
func SuggestMapping(header []string, synonyms []Synonyms, multi func(field string) bool) Mapping {
	byKey := map[string]string{}
	for _, s := range synonyms {
		for _, name := range s.Names {
			if k := HeaderKey(name); byKey[k] == "" {
				byKey[k] = s.Field
			}
		}
	}
	out, used, seen := Mapping{}, map[string]bool{}, map[string]int{}
	for _, h := range header {
		seen[h]++
	}
	for _, h := range header {
		field, ok := byKey[HeaderKey(h)]
		if !ok || seen[h] > 1 || used[field] && !multi(field) {
			continue
		}
		out[h], used[field] = field, true
	}
	return out
}
