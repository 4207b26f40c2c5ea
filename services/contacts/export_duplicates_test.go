package contacts

import "github.com/rapport-crm/rapport/libs/auth"

// DuplicateCheck is one duplicate-check query: Name, SQL and Args.
type DuplicateCheck = dupQuery

// DuplicateChecks returns the queries that check c and a for duplicates as
// p does on create, for the EXPLAIN test.
func DuplicateChecks(p auth.Principal, c *Contact, a *Account) []DuplicateCheck {
	return append(contactDupQueries(p, c), accountDupQueries(p, a)...)
}
