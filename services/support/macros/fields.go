package macros

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Fields are the merge fields a body may name, as {{case.number}}: the
// case's number, subject, status, priority, channel and type, and its
// customer's name and address as the thread knows them (the author of its
// first customer entry: a mail's From, a portal form's name). A field
// with no value renders empty.
var Fields = []string{"case.number", "case.subject", "case.status", "case.priority", "case.channel", "case.type",
	"contact.name", "contact.email"}

// fieldPattern is a merge field: anything between double braces, spaces
// around its name allowed.
var fieldPattern = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

// unknownFields are the names between double braces in body that are no
// merge field, once each, in order.
func unknownFields(body string) []string {
	var out []string
	for _, m := range fieldPattern.FindAllStringSubmatch(body, -1) {
		name := strings.TrimSpace(m[1])
		if !slices.Contains(Fields, name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// values are the merge fields' values for the case c, whose customer
// wrote as customer (the zero Entry when the thread has no customer's
// entry).
func values(c cases.Case, customer cases.Entry) map[string]string {
	return map[string]string{
		"case.number": strconv.FormatInt(c.Number, 10), "case.subject": c.Subject, "case.status": c.Status,
		"case.priority": c.Priority, "case.channel": c.Channel, "case.type": c.Type,
		"contact.name": customer.AuthorName, "contact.email": customer.AuthorEmail,
	}
}

// render is body with each merge field replaced by its value in vals.
func render(body string, vals map[string]string) string {
	return fieldPattern.ReplaceAllStringFunc(body, func(m string) string {
		return vals[strings.TrimSpace(m[2:len(m)-2])]
	})
}
