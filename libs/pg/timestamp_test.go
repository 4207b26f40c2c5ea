package pg_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"
)

func TestTimestamp(t *testing.T) {
	in := time.Date(2026, 3, 1, 14, 30, 15, 123456789, time.FixedZone("CET", 3600))
	want := time.Date(2026, 3, 1, 13, 30, 15, 123456000, time.UTC)
	if got := pg.Timestamp(in); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Timestamp(%v) = %v, want %v", in, got, want)
	}
	if now := pg.Now(); now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
		t.Errorf("Now() = %v, want UTC whole microseconds", now)
	}
}
