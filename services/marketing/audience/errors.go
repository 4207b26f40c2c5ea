package audience

import "github.com/rapport-crm/rapport/libs/errs"

// The audience's errors.
var (
	// ErrContactNotFound is a contact the projection has no row for.
	ErrContactNotFound = errs.New(errs.NotFound, "audience-contact-not-found", "contact not found in the audience")
)
