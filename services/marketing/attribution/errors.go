package attribution

import (
	"errors"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrContactNotFound is a contact id that is no UUID.
var ErrContactNotFound = errs.New(errs.NotFound, "contact-not-found", "no such contact")

// errNoID is an event of sales naming no opportunity or lead.
var errNoID = errors.New("no id (a UUID)")
