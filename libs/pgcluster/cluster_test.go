package pgcluster_test

import (
	"context"
	"database/sql"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgcluster"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// dataDir returns a fresh directory for a cluster. t.TempDir is mode 0700 and
// owned by the test's user; when that is root the server runs as postgres and
// must be able to reach the directory, so the parent is opened up.
func dataDir(t *testing.T) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(parent, "data")
}

func selectOne(ctx context.Context, url string) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	var one int
	return db.QueryRowContext(ctx, "select 1").Scan(&one)
}

// checkTextClassification fails the test unless the cluster's databases,
// templates included, classify CJK text (pg.CheckTextClassification).
func checkTextClassification(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := pg.CheckTextClassification(ctx, db); err != nil {
		t.Error(err)
	}
	var ctype string
	if err := db.QueryRowContext(ctx, `SELECT datctype FROM pg_database WHERE datname = 'template1'`).Scan(&ctype); err != nil {
		t.Fatal(err)
	}
	if ctype != pg.CType {
		t.Errorf("template1 has LC_CTYPE %q, want %q", ctype, pg.CType)
	}
}

func TestStartStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, port := dataDir(t), testkit.FreePort(t)

	var logs []string
	logf := func(f string, a ...any) {
		logs = append(logs, f)
		t.Logf(f, a...)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Logf: logf})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			c.Stop()
		}
	})

	if got, want := c.URL("postgres"), "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/postgres?sslmode=disable"; got != want {
		t.Errorf("URL: got %q, want %q", got, want)
	}
	if err := selectOne(ctx, c.URL("postgres")); err != nil {
		t.Fatalf("select 1: %v", err)
	}
	checkTextClassification(ctx, t, c.URL("postgres"))
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped = true
	if conn, err := net.DialTimeout("tcp", c.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("port %d still open after Stop", port)
	}

	t.Run("reuses an initialised dir", func(t *testing.T) {
		logs = nil
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Logf: logf})
		if err != nil {
			t.Fatalf("second Start: %v", err)
		}
		defer c.Stop()
		if err := selectOne(ctx, c.URL("postgres")); err != nil {
			t.Fatalf("select 1 after restart: %v", err)
		}
	})
	for _, l := range logs {
		if strings.Contains(l, "initialising") {
			t.Errorf("second Start initialised the directory again")
		}
	}
}

func TestStartRestartsAStrayServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := dataDir(t)
	first, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: testkit.FreePort(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	// A crashed launcher leaves the server running; the next Start takes it over.
	second, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: testkit.FreePort(t), Logf: t.Logf})
	if err != nil {
		first.Stop()
		t.Fatalf("Start over a running server: %v", err)
	}
	defer second.Stop()
	if err := selectOne(ctx, second.URL("postgres")); err != nil {
		t.Fatalf("select 1: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", first.Addr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("old port %d still open", first.Port())
	}
}

func TestStartRefusesForeignDir(t *testing.T) {
	dir := dataDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: dir, Port: testkit.FreePort(t)})
	if err == nil || !strings.Contains(err.Error(), "neither empty nor") {
		t.Fatalf("got %v, want a refusal to initialise over a non-empty directory", err)
	}
}
