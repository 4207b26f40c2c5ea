// Package ids mints and checks the ids of Rapport's records, events, tokens
// and requests: UUIDs, minted as version 7 so that they sort by time.
package ids

import "github.com/google/uuid"

// New returns a fresh UUIDv7, or a random UUID should the clock-based
// generator ever fail.
func New() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// Valid reports whether s is a UUID (in any form uuid.Parse takes).
func Valid(s string) bool {
	return uuid.Validate(s) == nil
}
