package pgcluster_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/pgcluster"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestRestartImmediate: with SynchronousCommit, an acknowledged row
// survives an immediate shutdown (recovered from the WAL), the server has a
// new postmaster, and an open pool works again once it is back.
func TestRestartImmediate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dataDir(t), Port: testkit.FreePort(t), SynchronousCommit: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var started time.Time
	if err := db.QueryRowContext(ctx, `select pg_postmaster_start_time()`).Scan(&started); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `create table kept (v text); insert into kept values ('committed')`); err != nil {
		t.Fatal(err)
	}

	if err := c.RestartImmediate(ctx); err != nil {
		t.Fatalf("RestartImmediate: %v", err)
	}
	var v string
	var again time.Time
	testkit.Eventually(t, 30*time.Second, "the pool answers again", func() (bool, string) {
		err := db.QueryRowContext(ctx, `select v, pg_postmaster_start_time() from kept`).Scan(&v, &again)
		return err == nil, errText(err)
	})
	if v != "committed" || !again.After(started) {
		t.Errorf("after the restart: row %q, postmaster started %v (before %v); want the row and a new postmaster", v, again, started)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
