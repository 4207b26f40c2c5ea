package customfields

import "github.com/rapport-crm/rapport/libs/filter"

// decimalSQL matches the stored text a decimal field reads as numeric: its
// canonical strings, the JSON numbers of a key retyped to decimal, and
// nothing a cast could fail on (quantifiers are bounded, numeric's range
// is far larger).
const decimalSQL = `'^-?[0-9]{1,255}(\.[0-9]{1,255})?([eE][-+]?[0-9]{1,4})?$'`

// FilterField is the libs/filter field called name reading d's value from
// the jsonb column column (a record's values by key). Decimals are stored
// as canonical strings and compared as numeric, so filters and sorts are
// numeric; currencies are stored as {amountMinor, currency}, and a
// currency field filters and sorts on its amount in minor units; a single
// select is an enum of its options, a multi select a string array.
func FilterField(name, column string, d Field) filter.Field {
	switch d.Type {
	case "number":
		return filter.JSONBField(name, column, d.Key, filter.Decimal)
	case "decimal":
		value := column + "->>" + filter.ArgMarker + "::text"
		return filter.Field{Name: name, Type: filter.Decimal, ColumnArgs: []any{d.Key, d.Key},
			Column: "CASE WHEN " + value + " ~ " + decimalSQL + " THEN (" + value + ")::numeric END"}
	case "currency":
		return filter.Field{Name: name, Type: filter.Number, ColumnArgs: []any{d.Key, d.Key},
			Column: "CASE WHEN jsonb_typeof(" + column + "->" + filter.ArgMarker + "::text->'amountMinor') = 'number' THEN (" +
				column + "->" + filter.ArgMarker + "::text->>'amountMinor')::numeric END"}
	case "date":
		return filter.JSONBField(name, column, d.Key, filter.Date)
	case "datetime":
		return filter.JSONBField(name, column, d.Key, filter.Time)
	case "boolean":
		return filter.JSONBField(name, column, d.Key, filter.Bool)
	case "singleSelect":
		f := filter.JSONBField(name, column, d.Key, filter.Enum)
		f.Values = d.Options
		return f
	case "multiSelect":
		return filter.JSONBField(name, column, d.Key, filter.StringArray)
	}
	return filter.JSONBField(name, column, d.Key, filter.String)
}
