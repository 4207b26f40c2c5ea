package catalogue

import (
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/filter"
)

// DataFields returns the filterable top-level properties of the payloads of
// types (exact types or patterns, see events.TypeMatches) with their filter types:
// a string is filter.String (filter.UUID, filter.Time or filter.Date by its
// format; an enum or const of strings is filter.String too, as the values
// differ by type), an integer filter.Number, a number filter.Decimal, a
// boolean filter.Bool, an array of strings filter.StringArray. Objects,
// other arrays, and a property whose type differs between the types are
// left out. Names and types the catalogue does not know are ignored.
func (c *Catalogue) DataFields(types []string) map[string]filter.Type {
	out := map[string]filter.Type{}
	conflict := map[string]bool{}
	for _, t := range c.Types() {
		if !events.TypeMatchesAny(types, t) {
			continue
		}
		props, _ := c.messages[t].Schema["properties"].(map[string]any)
		for name, p := range props {
			typ, ok := c.fieldType(p)
			if !ok || conflict[name] {
				continue
			}
			if prev, seen := out[name]; seen && prev != typ {
				delete(out, name)
				conflict[name] = true
				continue
			}
			out[name] = typ
		}
	}
	return out
}

// fieldType maps a property's schema to a filter type.
func (c *Catalogue) fieldType(p any) (filter.Type, bool) {
	s, _ := c.deref(p).(map[string]any)
	if s == nil {
		return 0, false
	}
	if _, ok := s["enum"]; ok {
		return allStrings(s["enum"])
	}
	if v, ok := s["const"]; ok {
		_, isString := v.(string)
		return filter.String, isString
	}
	switch jsonType(s["type"]) {
	case "string":
		switch s["format"] {
		case "uuid":
			return filter.UUID, true
		case "date-time":
			return filter.Time, true
		case "date":
			return filter.Date, true
		}
		return filter.String, true
	case "integer":
		return filter.Number, true
	case "number":
		return filter.Decimal, true
	case "boolean":
		return filter.Bool, true
	case "array":
		items, _ := c.deref(s["items"]).(map[string]any)
		if items != nil && jsonType(items["type"]) == "string" {
			return filter.StringArray, true
		}
	}
	return 0, false
}

// jsonType returns a schema's type, the one that is not "null" of a list.
func jsonType(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var found string
		for _, e := range v {
			if s, _ := e.(string); s != "null" {
				if found != "" {
					return ""
				}
				found = s
			}
		}
		return found
	}
	return ""
}

// allStrings reports filter.String when every value of an enum is a string
// (or null).
func allStrings(v any) (filter.Type, bool) {
	values, _ := v.([]any)
	for _, e := range values {
		if _, ok := e.(string); !ok && e != nil {
			return 0, false
		}
	}
	return filter.String, len(values) > 0
}
