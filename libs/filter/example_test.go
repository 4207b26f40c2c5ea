package filter_test

import (
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/filter"
)

var contactFields = filter.Schema{Fields: []filter.Field{
	{Name: "firstName", Column: "c.first_name", Type: filter.String, Sortable: true},
	{Name: "lifecycleStage", Column: "c.lifecycle_stage", Type: filter.Enum,
		Values: []string{"lead", "prospect", "customer"}},
	{Name: "tags", Column: "c.tags", Type: filter.StringArray},
	{Name: "lastActivityAt", Column: "c.last_activity_at", Type: filter.Time, Sortable: true},
}}

func ExampleCompile() {
	node, err := filter.Parse([]byte(`{"and": [
		{"field": "tags", "op": "contains", "value": "purchase-intent"},
		{"field": "lastActivityAt", "op": "within", "value": "90d"},
		{"field": "lifecycleStage", "op": "ne", "value": "customer"}
	]}`))
	if err != nil {
		panic(err)
	}
	where, args, err := filter.Compile(node, contactFields, 2) // $1 is the tenant
	if err != nil {
		panic(err)
	}
	fmt.Println(where)
	fmt.Printf("%q\n", args)
	// Output:
	// (c.tags @> ARRAY[$2::text] AND (c.last_activity_at >= now() - $3::interval AND c.last_activity_at <= now()) AND c.lifecycle_stage IS DISTINCT FROM $4)
	// ["purchase-intent" "90 days" "customer"]
}

func ExampleCompile_error() {
	node, _ := filter.Parse([]byte(`{"and": [
		{"field": "firstName", "op": "startsWith", "value": "张"},
		{"field": "colour", "op": "eq", "value": "red"}
	]}`))
	_, _, err := filter.Compile(node, contactFields, 1)
	fmt.Println(err)
	// Output:
	// invalid filter: unknown field "colour" at filter/and/1/field
}

func ExampleJSONBField() {
	s := contactFields
	s.CustomField = func(name string) (filter.Field, bool) {
		key, ok := strings.CutPrefix(name, "custom.")
		if !ok || key != "budget" { // look the key up in the tenant's definitions
			return filter.Field{}, false
		}
		return filter.JSONBField(name, "c.custom_fields", key, filter.Decimal), true
	}
	where, args, _ := filter.Compile(filter.Cond("custom.budget", filter.Gte, 1000), s, 1)
	fmt.Println(where)
	fmt.Printf("%q\n", args)
	// Output:
	// (CASE WHEN jsonb_typeof(c.custom_fields->$1::text) = 'number' THEN (c.custom_fields->>$2::text)::numeric END) >= $3
	// ["budget" "budget" "1000"]
}

func ExampleSort() {
	orderBy, _, err := filter.Sort("-lastActivityAt,firstName", contactFields, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("ORDER BY " + orderBy + ", c.id")
	// Output:
	// ORDER BY c.last_activity_at DESC, c.first_name ASC, c.id
}
