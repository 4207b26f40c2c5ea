package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
)

// ErrBadDSN is an admin DSN that is not a postgres:// URL with a host.
var ErrBadDSN = errors.New("postgres: the admin DSN is not a postgres:// URL with a host")

// ErrUnreachable wraps every failure to reach the server: refused or
// timed-out connections and broken sessions. Other errors come from the
// server itself.
var ErrUnreachable = errors.New("postgres: server unreachable")

// classify wraps err with ErrUnreachable when it is a connection failure.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w: %v", op, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
