package kitx

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrOverloaded is the answer of a process that sheds load: its in-flight
// limit is reached, or its database did not give it a connection, a lock or
// a result within the bounds set for a request. Clients retry it after the
// Retry-After the response carries, with the same Idempotency-Key.
var ErrOverloaded = errs.New(errs.Unavailable, "overloaded", "the service is overloaded; try again shortly")

// RetryAfterSeconds is the Retry-After of every 503 that does not set its
// own: load that was shed, a database that was busy.
const RetryAfterSeconds = "1"

// sqlState is what PostgreSQL drivers' errors (lib/pq's, pgx's) tell of the
// server's SQLSTATE.
type sqlState interface{ SQLState() string }

// Overloaded reports whether err means the database or a dependency was too
// slow or unreachable for this work, rather than that the work was wrong: a
// lock or statement timeout, a cancelled statement, a deadline passed while
// waiting (libs/pg's connection wait), no connection to be had, the server
// shutting down or starting, too many connections; or ErrOverloaded itself.
// Trying the same work again at once, or piece by piece, would wait as long
// again: work that retries a failure in smaller parts (a batch record by
// record) gives up on such an error instead.
func Overloaded(err error) bool {
	if errors.Is(err, ErrOverloaded) {
		return true
	}
	var st sqlState
	if errors.As(err, &st) {
		code := st.SQLState()
		return code == "55P03" || // lock_not_available: lock_timeout
			code == "57014" || // query_canceled: statement_timeout
			strings.HasPrefix(code, "53") || // insufficient resources: too many connections, out of memory
			strings.HasPrefix(code, "08") || // connection exception
			code == "57P01" || code == "57P02" || code == "57P03" // shutting down, crashed, starting up
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// overloaded reports whether NewProblem answers err, left unmapped by the
// service, with ErrOverloaded: when Overloaded says so, and for a
// serialization failure or deadlock (40001, 40P01), which the client may
// retry as it is.
func overloaded(err error) bool {
	var st sqlState
	if errors.As(err, &st) && (st.SQLState() == "40001" || st.SQLState() == "40P01") {
		return true
	}
	return Overloaded(err)
}
