package reporting_test

import (
	"slices"
	"time"
)

// utcDay is midnight UTC of the date given.
func utcDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// equalIDs reports whether got and want are the same in order.
func equalIDs(got, want []string) bool { return slices.Equal(got, want) }
