package reports

import (
	"strconv"
	"time"
)

// cellText writes v, a value of a column of type typ, as text: a
// period's date ("2026-03-01"), a number, a string; "" for nil.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.DateOnly)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// jsonValue is v as a JSON row holds it: a period as its date, anything
// else as it is.
func jsonValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.DateOnly)
	}
	return v
}

// label is c's header in lang ("zh": its Chinese label when it has one).
func label(c Column, lang string) string {
	if lang == "zh" && c.LabelZh != "" {
		return c.LabelZh
	}
	if c.Label == "" {
		return c.Name
	}
	return c.Label
}
