package templates

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The system fields the sender supplies for every message, besides the
// contact's.
const (
	FieldUnsubscribeURL = "unsubscribeUrl"
	FieldPreferencesURL = "preferencesUrl"
)

// ContactFields are the contact's merge fields a template may name, as
// audience.Contact.MergeFields makes them; contact.customFields.<key>
// names any custom field.
var ContactFields = []string{"contact.firstName", "contact.lastName", "contact.displayName", "contact.email",
	"contact.phone", "contact.jobTitle", "contact.city", "contact.country"}

// customFieldPrefix starts the name of a contact's custom field.
const customFieldPrefix = "contact.customFields."

// Filters are the filters a merge tag may apply, in order, after its
// field: default takes a quoted string, the others nothing.
var Filters = []string{"default", "upper", "lower", "capitalize"}

// The errors of merge tags.
var (
	// ErrUnresolved is a rendering whose fields have no value and no
	// default; its Fields name them.
	ErrUnresolved = errs.New(errs.Invalid, "marketing-template-unresolved", "the template has merge fields with no value and no default")
	// errTag is a malformed merge tag (the slug a template's validation reports).
	errTag = errs.New(errs.Invalid, "marketing-template-tag", "malformed merge tag")
)

// tag is a merge tag: {{field | filter: "arg" | filter}}.
type tag struct {
	start, end int // the tag's bytes in its text, braces included
	field      string
	filters    []filter
}

// filter is one filter of a tag.
type filter struct {
	name string
	arg  string
	// hasArg: the filter was given an argument (default's may be "").
	hasArg bool
}

// segment is a piece of a parsed text: a literal or a tag.
type segment struct {
	literal string
	tag     *tag
}

// parse splits text into literals and merge tags, refusing an unbalanced
// brace pair, an empty or malformed tag, an unknown field or filter. The
// error says where (line and column, 1-based).
func parse(text string) ([]segment, error) {
	var out []segment
	i := 0
	for i < len(text) {
		open := strings.Index(text[i:], "{{")
		closing := strings.Index(text[i:], "}}")
		if closing >= 0 && (open < 0 || closing < open) {
			return nil, fmt.Errorf("%s: \"}}\" with no \"{{\" before it", position(text, i+closing))
		}
		if open < 0 {
			out = append(out, segment{literal: text[i:]})
			break
		}
		start := i + open
		if start > i {
			out = append(out, segment{literal: text[i:start]})
		}
		rest := text[start+2:]
		end := strings.Index(rest, "}}")
		if nested := strings.Index(rest, "{{"); end < 0 || (nested >= 0 && nested < end) {
			return nil, fmt.Errorf("%s: \"{{\" is not closed by \"}}\"", position(text, start))
		}
		t, err := parseTag(rest[:end])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", position(text, start), err)
		}
		t.start, t.end = start, start+2+end+2
		out = append(out, segment{tag: &t})
		i = t.end
	}
	return out, nil
}

// parseTag parses the inside of a merge tag.
func parseTag(inner string) (tag, error) {
	parts := splitPipes(inner)
	t := tag{field: strings.TrimSpace(parts[0])}
	if t.field == "" {
		return t, fmt.Errorf("empty merge tag")
	}
	if !knownField(t.field) {
		return t, fmt.Errorf("unknown merge field %q; the fields are %s, %s.<key>, %s and %s", t.field,
			strings.Join(ContactFields, ", "), strings.TrimSuffix(customFieldPrefix, "."), FieldUnsubscribeURL, FieldPreferencesURL)
	}
	for _, p := range parts[1:] {
		f, err := parseFilter(p)
		if err != nil {
			return t, err
		}
		t.filters = append(t.filters, f)
	}
	return t, nil
}

// splitPipes splits a tag's inside at the pipes outside quotes.
func splitPipes(s string) []string {
	var out []string
	quoted := false
	last := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '|' && !quoted:
			out = append(out, s[last:i])
			last = i + 1
		}
	}
	return append(out, s[last:])
}

// parseFilter parses `name` or `name: "arg"`.
func parseFilter(s string) (filter, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	f := filter{name: strings.TrimSpace(name), hasArg: hasArg}
	if !slices.Contains(Filters, f.name) {
		return f, fmt.Errorf("unknown filter %q; the filters are %s", f.name, strings.Join(Filters, ", "))
	}
	switch {
	case f.name == "default" && !hasArg:
		return f, fmt.Errorf(`filter default needs a value: default: "text"`)
	case f.name != "default" && hasArg:
		return f, fmt.Errorf("filter %s takes no value", f.name)
	case hasArg:
		v, err := strconv.Unquote(strings.TrimSpace(arg))
		if err != nil {
			return f, fmt.Errorf(`filter default's value must be a quoted string: default: "text"`)
		}
		f.arg = v
	}
	return f, nil
}

// knownField reports whether name is a merge field a template may name.
func knownField(name string) bool {
	if key, ok := strings.CutPrefix(name, customFieldPrefix); ok {
		return key != "" && !strings.ContainsFunc(key, unicode.IsSpace)
	}
	return slices.Contains(ContactFields, name) || name == FieldUnsubscribeURL || name == FieldPreferencesURL
}

// position is offset in text as "line L, column C" (columns in characters).
func position(text string, offset int) string {
	before := text[:offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// apply is the value of t given the fields' values: the field's, else the
// default's, through the filters in order; ok is false when the field has
// no value and the tag no default.
func (t tag) apply(fields map[string]string) (string, bool) {
	v, ok := fields[t.field]
	ok = ok && v != ""
	for _, f := range t.filters {
		switch f.name {
		case "default":
			if !ok {
				v, ok = f.arg, true
			}
		case "upper":
			v = strings.ToUpper(v)
		case "lower":
			v = strings.ToLower(v)
		case "capitalize":
			v = capitalize(v)
		}
	}
	return v, ok
}

// capitalize is s with its first letter upper-cased.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToTitle(r)) + s[n:]
}
