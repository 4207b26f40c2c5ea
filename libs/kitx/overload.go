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

// overloaded reports whether err, left unmapped by the service, means the
// database or a dependency was too slow or unreachable for this request
// rather than that the request was wrong: a lock or statement timeout, a
// cancelled statement, a deadline passed while waiting (libs/pg's
// connection wait), no connection to be had, the server shutting down or
// starting, too many connections. Such a request may be tried again.
func overloaded(err error) bool {
	var st sqlState
	if errors.As(err, &st) {
		code := st.SQLState()
		switch {
		case code == "55P03", // lock_not_available: lock_timeout
			code == "57014",                  // query_canceled: statement_timeout
			code == "40001", code == "40P01", // serialization failure, deadlock
			strings.HasPrefix(code, "53"),                     // insufficient resources: too many connections, out of memory
			strings.HasPrefix(code, "08"),                     // connection exception
			code == "57P01", code == "57P02", code == "57P03": // shutting down, crashed, starting up
			return true
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
