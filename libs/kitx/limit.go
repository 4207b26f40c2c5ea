package kitx

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Page sizes for list endpoints.
const (
	DefaultLimit = 50  // items per page when the request names no limit
	MaxLimit     = 200 // the largest limit a request may ask for
)

// ErrBadLimit is returned for a limit query parameter that is not an integer
// between 1 and MaxLimit.
var ErrBadLimit = errs.New(errs.Invalid, "invalid-limit", "the limit is not valid")

// Limit returns the page size asked for by r's "limit" query parameter, or
// DefaultLimit when there is none.
func Limit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		reason := fmt.Sprintf("must be an integer from 1 to %d", MaxLimit)
		e := ErrBadLimit.WithDetail("limit %q %s", s, reason)
		e.Fields = []errs.FieldError{{Field: "limit", Reason: reason}}
		return 0, e
	}
	return n, nil
}
