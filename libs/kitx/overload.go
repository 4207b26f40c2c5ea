package kitx

import (
	"errors"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ErrOverloaded is the answer of a process that sheds load: its in-flight
// limit is reached, or its database did not give it a connection, a lock or
// a result within the bounds set for a request. Clients retry it after the
// Retry-After the response carries, with the same Idempotency-Key.
var ErrOverloaded = errs.New(errs.Unavailable, "overloaded", "the service is overloaded; try again shortly")

// RetryAfterSeconds is the Retry-After of every 503 that does not set its
// own: load that was shed, a database that was busy.
const RetryAfterSeconds = "1"

// Overloaded reports whether err means the database or a dependency was too
// slow or unreachable for this work, rather than that the work was wrong:
// pg.Unavailable (a lock or statement timeout, a deadline passed while
// waiting for a connection, no connection to be had, the server shutting
// down or starting, too many connections), or ErrOverloaded itself. Trying
// the same work again at once, or piece by piece, would wait as long
// again: work that retries a failure in smaller parts (a batch record by
// record) gives up on such an error instead.
func Overloaded(err error) bool {
	return errors.Is(err, ErrOverloaded) || pg.Unavailable(err)
}

// overloaded reports whether NewProblem answers err, left unmapped by the
// service, with ErrOverloaded: when Overloaded says so, and for a
// serialization failure or deadlock (pg.Conflicted), which the client may
// retry as it is.
func overloaded(err error) bool {
	return pg.Conflicted(err) || Overloaded(err)
}
