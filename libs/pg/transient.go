package pg

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"
)

// sqlState is what PostgreSQL drivers' errors (lib/pq's, pgx's) tell of the
// server's SQLSTATE.
type sqlState interface{ SQLState() string }

// Unavailable reports whether err means the database was too slow or
// unreachable for this work, rather than that the work was wrong: a lock or
// statement timeout, a cancelled statement, a deadline passed while waiting
// (WithLimits' connection wait), no connection to be had (refused, reset,
// a connection the driver found dead), the server shutting down, crashed or
// starting, too many connections or another lack of resources. Waiting
// cures it; trying the same work again at once, or piece by piece, would
// wait as long again. libs/kitx answers it with 503 (kitx.Overloaded).
func Unavailable(err error) bool {
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

// Conflicted reports whether err is a serialization failure or a deadlock
// (SQLSTATE 40001, 40P01): the same work, tried again, may well succeed.
func Conflicted(err error) bool {
	var st sqlState
	return errors.As(err, &st) && (st.SQLState() == "40001" || st.SQLState() == "40P01")
}

// Transient reports whether err will pass if the same work is tried again
// later: Unavailable or Conflicted. Background work (libs/events'
// consumers) retries such a failure without counting it against the work,
// which is not at fault.
func Transient(err error) bool {
	return Unavailable(err) || Conflicted(err)
}
