package pg

import "time"

// Timestamp returns t as a timestamptz column gives it back: in UTC, at
// PostgreSQL's microsecond precision, so that what a service returns on a
// write equals what it reads later.
func Timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Now is Timestamp of the current time.
func Now() time.Time { return Timestamp(time.Now()) }
