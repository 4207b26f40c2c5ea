package filter

import (
	"fmt"
	"regexp"
	"strings"
)

// Type is the type of a field, which decides the operators it accepts and
// the values it compares with.
type Type int

// The field types.
const (
	// String is a text column (text, varchar, citext).
	String Type = iota + 1
	// Number is a whole-number column (smallint, integer, bigint, or a
	// numeric holding whole numbers); values must be integers.
	Number
	// Decimal is a numeric or floating-point column; values are any JSON
	// number, or a string holding one in JSON's number syntax ("10000.50",
	// as arbitrary-precision decimals are often sent), and are bound as
	// decimal text, so no precision is lost.
	Decimal
	// Bool is a boolean column.
	Bool
	// Time is a timestamptz column; values are RFC 3339 strings (or
	// "YYYY-MM-DD", meaning midnight UTC).
	Time
	// Date is a date column; values are "YYYY-MM-DD" strings.
	Date
	// UUID is a uuid column; values are UUID strings.
	UUID
	// Enum is a text or enum column restricted to Field.Values.
	Enum
	// StringArray is a text[] column, such as tags.
	StringArray
)

var typeNames = map[Type]string{
	String: "string", Number: "number", Decimal: "decimal", Bool: "bool",
	Time: "time", Date: "date", UUID: "uuid", Enum: "enum", StringArray: "string array",
}

// String returns the type's name, e.g. "decimal".
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type(%d)", int(t))
}

// allowed lists the operators each type accepts.
var allowed = map[Type][]Op{
	String:      {Eq, Ne, In, Contains, StartsWith, IsEmpty},
	Number:      {Eq, Ne, Lt, Lte, Gt, Gte, In, IsEmpty},
	Decimal:     {Eq, Ne, Lt, Lte, Gt, Gte, In, IsEmpty},
	Bool:        {Eq, Ne, IsEmpty},
	Time:        {Eq, Ne, Lt, Lte, Gt, Gte, Within, IsEmpty},
	Date:        {Eq, Ne, Lt, Lte, Gt, Gte, Within, IsEmpty},
	UUID:        {Eq, Ne, In, IsEmpty},
	Enum:        {Eq, Ne, In, IsEmpty},
	StringArray: {Contains, In, IsEmpty},
}

// Accepts reports whether a field of type t accepts op.
func (t Type) Accepts(op Op) bool {
	for _, o := range allowed[t] {
		if o == op {
			return true
		}
	}
	return false
}

// ArgMarker is the placeholder for a bound argument inside Field.Column. The
// compiler replaces each occurrence, in order, with a fresh $n bound to the
// matching element of Field.ColumnArgs.
const ArgMarker = "{?}"

// Field is one entry of a Schema's allow-list.
type Field struct {
	// Name is the camelCase name filters and sort specifications use.
	Name string
	// Column is the SQL expression the field compiles to, such as
	// "c.lifecycle_stage". It is trusted: only the service writes it, never
	// a user. It may contain ArgMarker placeholders for ColumnArgs. An
	// expression other than a plain (qualified) identifier is parenthesised.
	Column string
	// ColumnArgs are bound, in order, to the ArgMarker placeholders of
	// Column; JSONBField uses them for the key of a custom field.
	ColumnArgs []any
	// Type decides the operators and values the field accepts.
	Type Type
	// Values lists the allowed values of an Enum field.
	Values []string
	// Sortable allows the field in Sort.
	Sortable bool
}

// CustomFieldFunc resolves a field name that is not among Schema.Fields,
// typically "customFields.<key>" from a tenant's custom field definitions, usually
// by returning JSONBField(name, "custom_fields", key, typ). It reports false
// for an unknown name.
type CustomFieldFunc func(name string) (Field, bool)

// Schema is the allow-list of fields a filter may use. Build the static part
// once per resource and set CustomField per request (it is a value type, so
// copying it is cheap and safe).
type Schema struct {
	// Fields are the fixed fields of the resource.
	Fields []Field
	// CustomField, if set, resolves names not found in Fields.
	CustomField CustomFieldFunc
}

// Lookup returns the field called name: one of Fields, else whatever
// CustomField resolves. The result is checked with Field.Validate.
func (s Schema) Lookup(name string) (Field, bool, error) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true, f.Validate()
		}
	}
	if s.CustomField == nil {
		return Field{}, false, nil
	}
	f, ok := s.CustomField(name)
	if !ok {
		return Field{}, false, nil
	}
	if f.Name == "" {
		f.Name = name
	}
	return f, true, f.Validate()
}

// Validate checks the fixed fields: each valid, no name twice. Call it from
// a test or at start-up.
func (s Schema) Validate() error {
	seen := map[string]bool{}
	for _, f := range s.Fields {
		if err := f.Validate(); err != nil {
			return err
		}
		if seen[f.Name] {
			return schemaErr("field %q declared twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// Validate checks that f is usable: a name, a column whose ArgMarker count
// matches ColumnArgs, a known type, and values for an Enum. It returns an
// ErrSchema copy.
func (f Field) Validate() error {
	if f.Name == "" {
		return schemaErr("field without a name")
	}
	if strings.TrimSpace(f.Column) == "" {
		return schemaErr("field %q has no column", f.Name)
	}
	if n := strings.Count(f.Column, ArgMarker); n != len(f.ColumnArgs) {
		return schemaErr("field %q has %d argument markers and %d arguments", f.Name, n, len(f.ColumnArgs))
	}
	if _, ok := typeNames[f.Type]; !ok {
		return schemaErr("field %q has unknown type %d", f.Name, int(f.Type))
	}
	if f.Type == Enum && len(f.Values) == 0 {
		return schemaErr("enum field %q has no values", f.Name)
	}
	return nil
}

// JSONBField returns a field read from key of the jsonb column column, cast
// to typ, for custom fields: JSONBField("customFields.budget", "c.custom_fields",
// "budget", Decimal). The key is bound as a parameter, never spliced into the
// SQL. A stored value of the wrong JSON type (a string where a number is
// expected) reads as missing rather than failing the query; strings that do
// not parse as a time, date or UUID still fail, so keep the column validated.
// For an Enum set Values on the result; set Sortable to allow sorting.
func JSONBField(name, column, key string, typ Type) Field {
	get := column + "->>" + ArgMarker + "::text" // the value as text
	kind := "jsonb_typeof(" + column + "->" + ArgMarker + "::text)"
	guarded := func(jsonType, expr string) string {
		return "CASE WHEN " + kind + " = '" + jsonType + "' THEN " + expr + " END"
	}
	f := Field{Name: name, Type: typ, ColumnArgs: []any{key, key}}
	switch typ {
	case Number, Decimal:
		f.Column = guarded("number", "("+get+")::numeric")
	case Bool:
		f.Column = guarded("boolean", "("+get+")::boolean")
	case Time:
		f.Column = guarded("string", "("+get+")::timestamptz")
	case Date:
		f.Column = guarded("string", "("+get+")::date")
	case UUID:
		f.Column = guarded("string", "("+get+")::uuid")
	case StringArray:
		f.Column = guarded("array", "ARRAY(SELECT jsonb_array_elements_text("+column+"->"+ArgMarker+"::text))")
	default: // String, Enum
		f.Column = get
		f.ColumnArgs = []any{key}
	}
	return f
}

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// column renders f's column expression, binding its arguments through b.
func (b *builder) column(f Field) string {
	expr := f.Column
	if len(f.ColumnArgs) > 0 {
		parts := strings.Split(expr, ArgMarker)
		var sb strings.Builder
		for i, p := range parts {
			sb.WriteString(p)
			if i < len(f.ColumnArgs) {
				sb.WriteString(b.param(f.ColumnArgs[i]))
			}
		}
		expr = sb.String()
	}
	if !plainIdent.MatchString(expr) {
		expr = "(" + expr + ")"
	}
	return expr
}
