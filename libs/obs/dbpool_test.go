package obs_test

import (
	"context"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// gathered returns the value of the series name whose labels include want,
// from m's registry; it fails the test when there is no such series.
func gathered(t *testing.T, m *obs.Metrics, name string, want map[string]string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if hasLabels(s, want) {
				switch {
				case s.Counter != nil:
					return s.GetCounter().GetValue()
				case s.Gauge != nil:
					return s.GetGauge().GetValue()
				case s.Untyped != nil:
					return s.GetUntyped().GetValue()
				}
			}
		}
	}
	t.Fatalf("no series %s%v gathered", name, want)
	return 0
}

func hasLabels(s *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range s.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(want)
}

// TestWatchPool checks the pool's series follow a real PostgreSQL pool: a
// held connection is in use, a second caller waiting for the only
// connection counts a wait, and its release leaves the connection idle.
func TestWatchPool(t *testing.T) {
	db := testkit.Open(t, testkit.Postgres(t).AppURL)
	db.SetMaxOpenConns(1)
	m := obs.NewMetrics("contacts")
	m.WatchPool(db.DB, "contacts")
	pool := map[string]string{"db_name": "contacts"}
	ctx := context.Background()

	held, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := gathered(t, m, "go_sql_in_use_connections", pool); got != 1 {
		t.Errorf("go_sql_in_use_connections = %v with a connection held, want 1", got)
	}
	if got := gathered(t, m, "go_sql_max_open_connections", pool); got != 1 {
		t.Errorf("go_sql_max_open_connections = %v, want 1", got)
	}

	// A second caller waits for the pool's only connection.
	done := make(chan error, 1)
	go func() {
		c, err := db.Conn(ctx)
		if err == nil {
			err = c.Close()
		}
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for db.Stats().WaitCount == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := gathered(t, m, "go_sql_wait_count_total", pool); got != 1 {
		t.Errorf("go_sql_wait_count_total = %v while a caller waits, want 1", got)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := gathered(t, m, "go_sql_wait_duration_seconds_total", pool); got <= 0 {
		t.Errorf("go_sql_wait_duration_seconds_total = %v after a wait, want > 0", got)
	}
	if got := gathered(t, m, "go_sql_in_use_connections", pool); got != 0 {
		t.Errorf("go_sql_in_use_connections = %v after the release, want 0", got)
	}
	if got := gathered(t, m, "go_sql_idle_connections", pool); got != 1 {
		t.Errorf("go_sql_idle_connections = %v after the release, want 1", got)
	}
	if got := gathered(t, m, "go_sql_open_connections", pool); got != 1 {
		t.Errorf("go_sql_open_connections = %v, want 1", got)
	}
}
