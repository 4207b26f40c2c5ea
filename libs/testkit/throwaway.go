package testkit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/libs/pgcluster"
)

// ThrowawayPort is the port of the cluster tests start when no server answers.
const ThrowawayPort = 55433

// ThrowawayDir is where that cluster lives: RAPPORT_TEST_PG_DIR, else a
// per-user directory under the system's temporary directory. `make test`
// stops a cluster it finds there when the tests end.
func ThrowawayDir() string {
	if d := os.Getenv("RAPPORT_TEST_PG_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "rapport-testpg-"+strconv.Itoa(os.Getuid()))
}

// throwawayServer starts, or reuses, a PostgreSQL cluster from the system's
// binaries. Test binaries run in parallel, so the start is serialised by a
// file lock and a running cluster is reused, never restarted.
func throwawayServer() (string, error) {
	dir := ThrowawayDir()
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", ThrowawayPort)
	if ping(url) == nil {
		return url, nil
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", fmt.Errorf("throwaway cluster lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("throwaway cluster lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	if ping(url) == nil {
		return url, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: ThrowawayPort})
	if err != nil {
		return "", fmt.Errorf("no server at %s, TEST_DATABASE_URL unset, and a throwaway cluster failed: %w", DefaultPostgresURL, err)
	}
	return c.URL("postgres"), nil
}
