package testkit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/pgcluster"
)

// ClusterPostgres is Postgres on a PostgreSQL cluster of the test's own,
// initialised by libs/pgcluster as `make run` initialises its cluster, for
// behaviour that depends on how a cluster was initialised (its locale)
// rather than on the shared test server's defaults. The cluster starts in a
// few seconds from the system's binaries and is removed when the test ends.
func ClusterPostgres(t testing.TB) PG {
	t.Helper()
	parent, err := os.MkdirTemp("", "rapport-cluster-")
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil { // the postgres OS user must reach it when we are root
		t.Fatalf("testkit: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(parent, "pg"), Port: FreePort(t)})
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("testkit: %v", err)
		}
	})
	db, _, err := CreateDatabase(ctx, c.URL("postgres"), "rt_") // the cluster goes with the test
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return db
}
