package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestThrowawayServerStartsAndIsReused starts the fallback cluster in a
// directory of its own and checks a second call reuses it.
func TestThrowawayServerStartsAndIsReused(t *testing.T) {
	parent, err := os.MkdirTemp("", "rapport-throwaway-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil { // the postgres OS user must reach it when we are root
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	t.Setenv("RAPPORT_TEST_PG_DIR", dir)
	if ping("postgres://postgres@127.0.0.1:55433/postgres?sslmode=disable") == nil {
		t.Fatalf("port %d already serves a cluster; stop it first", ThrowawayPort)
	}
	t.Cleanup(func() {
		cmd := exec.Command("bash", "-c", `bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$bin/pg_ctl -D '`+dir+`' -m fast stop"; else "$bin/pg_ctl" -D '`+dir+`' -m fast stop; fi`)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("stop throwaway cluster: %v\n%s", err, out)
		}
		os.RemoveAll(parent)
	})
	first, err := throwawayServer()
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	if err := ping(first); err != nil {
		t.Fatalf("ping %s: %v", first, err)
	}
	second, err := throwawayServer()
	if err != nil || second != first {
		t.Fatalf("second call: got %q, %v; want the same server %q", second, err, first)
	}
}
