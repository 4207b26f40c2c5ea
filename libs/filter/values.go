package filter

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// list checks that v is a non-empty array of values for f and converts them.
func (b *builder) list(v any, f Field, path string) ([]any, error) {
	items, ok := asList(v)
	if !ok {
		return nil, invalid(path, "want an array, got %s", describe(v))
	}
	if len(items) == 0 {
		return nil, invalid(path, "empty array")
	}
	if len(items) > MaxListValues {
		return nil, invalid(path, "more than %d values", MaxListValues)
	}
	out := make([]any, len(items))
	for i, item := range items {
		c, err := scalar(item, f, path+"/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// asList returns the elements of a slice value (other than []byte).
func asList(v any) ([]any, bool) {
	switch l := v.(type) {
	case []any:
		return l, true
	case []byte, json.RawMessage, nil:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// scalar checks that v is a single value of f's type and returns what to bind.
func scalar(v any, f Field, path string) (any, error) {
	if v == nil {
		return nil, invalid(path, "missing value")
	}
	typ := f.Type
	if typ == StringArray { // elements of a string array are strings
		typ = String
	}
	switch typ {
	case String, Enum:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(path, "field %s wants a string, got %s", quote(f.Name), describe(v))
		}
		if err := checkString(s, path); err != nil {
			return nil, err
		}
		if typ == Enum && !contains(f.Values, s) {
			return nil, invalid(path, "%s is not a value of field %s (want one of %s)", quote(s), quote(f.Name), listValues(f.Values))
		}
		return s, nil
	case UUID:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(path, "field %s wants a UUID string, got %s", quote(f.Name), describe(v))
		}
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, invalid(path, "field %s wants a UUID, got %s", quote(f.Name), quote(s))
		}
		return id.String(), nil
	case Bool:
		x, ok := v.(bool)
		if !ok {
			return nil, invalid(path, "field %s wants true or false, got %s", quote(f.Name), describe(v))
		}
		return x, nil
	case Number:
		n, ok := wholeNumber(v)
		if !ok {
			return nil, invalid(path, "field %s wants a whole number, got %s", quote(f.Name), describe(v))
		}
		return n, nil
	case Decimal:
		d, ok := decimal(v)
		if !ok {
			got := describe(v)
			if s, isString := v.(string); isString {
				got = quote(s)
			}
			return nil, invalid(path, "field %s wants a number or a string holding one, got %s", quote(f.Name), got)
		}
		return d, nil
	case Time:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil && t.UTC().Year() >= 1 {
				return t.UTC(), nil
			}
			if t, err := time.Parse(time.DateOnly, x); err == nil && t.Year() >= 1 {
				return t, nil
			}
			return nil, invalid(path, "field %s wants an RFC 3339 time, got %s", quote(f.Name), quote(x))
		}
		return nil, invalid(path, "field %s wants an RFC 3339 time string, got %s", quote(f.Name), describe(v))
	case Date:
		switch x := v.(type) {
		case time.Time:
			return x.Format(time.DateOnly), nil
		case string:
			t, err := time.Parse(time.DateOnly, x)
			if err != nil || t.Year() < 1 {
				return nil, invalid(path, "field %s wants a date YYYY-MM-DD, got %s", quote(f.Name), quote(x))
			}
			return t.Format(time.DateOnly), nil
		}
		return nil, invalid(path, "field %s wants a date string YYYY-MM-DD, got %s", quote(f.Name), describe(v))
	}
	return nil, schemaErr("field %q has unknown type %d", f.Name, int(f.Type))
}

// checkString rejects strings PostgreSQL cannot store or that are too long.
func checkString(s, path string) error {
	switch {
	case len(s) > MaxStringLen:
		return invalid(path, "string longer than %d bytes", MaxStringLen)
	case !utf8.ValidString(s):
		return invalid(path, "string is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return invalid(path, "string contains a NUL character")
	}
	return nil
}

// wholeNumber converts a JSON or Go number holding an integer to int64.
func wholeNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, true
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, false
		}
		return wholeNumber(f)
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 || math.IsNaN(x) {
			return 0, false
		}
		return int64(x), true
	case float32:
		return wholeNumber(float64(x))
	case int, int8, int16, int32, int64:
		return reflect.ValueOf(x).Int(), true
	case uint, uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(x).Uint()
		return int64(u), u <= math.MaxInt64
	}
	return 0, false
}

// numberText is JSON's number syntax, which a Decimal field also takes in a
// string ("10000.50"): no NaN, infinity, hex or leading plus.
var numberText = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// decimal converts a JSON or Go number, or a string holding a JSON number,
// to its decimal text.
func decimal(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if !numberText.MatchString(x) {
			return "", false
		}
		return decimal(json.Number(x))
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return "", false
		}
		return string(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case float32:
		return decimal(float64(x))
	}
	if n, ok := wholeNumber(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

var durationRE = regexp.MustCompile(`^([1-9][0-9]{0,6})([hdwmy])$`)

// durationUnits maps a within unit to its interval word and the most of it
// allowed (about 100 years).
var durationUnits = map[string]struct {
	word string
	max  int
}{
	"h": {"hours", 876600}, "d": {"days", 36525}, "w": {"weeks", 5218},
	"m": {"months", 1200}, "y": {"years", 100},
}

// within parses a within duration ("90d") to interval text ("90 days").
func within(v any, f Field, path string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalid(path, "within wants a duration such as \"90d\", got %s", describe(v))
	}
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return "", invalid(path, "within wants a duration such as \"90d\" (units h, d, w, m, y), got %s", quote(s))
	}
	n, _ := strconv.Atoi(m[1])
	u := durationUnits[m[2]]
	if n > u.max {
		return "", invalid(path, "duration %s is longer than 100 years", quote(s))
	}
	if f.Type == Date && m[2] == "h" {
		return "", invalid(path, "date field %s takes no duration in hours", quote(f.Name))
	}
	return m[1] + " " + u.word, nil
}

// escapeLike escapes LIKE's metacharacters with backslash, its default
// escape character.
func escapeLike(s string) string { return likeEscaper.Replace(s) }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// describe names the JSON kind of v for an error message.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case map[string]any:
		return "an object"
	case time.Time:
		return "a time"
	}
	if _, ok := asList(v); ok {
		return "an array"
	}
	return "a value of Go type " + reflect.TypeOf(v).String()
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listValues renders an enum's values for an error message.
func listValues(vs []string) string {
	const max = 20
	qs := make([]string, 0, max+1)
	for i, v := range vs {
		if i == max {
			qs = append(qs, "…")
			break
		}
		qs = append(qs, strconv.Quote(v))
	}
	return strings.Join(qs, ", ")
}
