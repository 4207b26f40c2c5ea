package testenv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// Gateway is a running gateway: its base URL and platform token.
type Gateway struct {
	URL   string
	Token string
}

// StartGateway builds services/gateway/cmd/gateway, starts it on a fresh
// database (migrations as the owner, running as a role under RLS), waits
// until it answers /readyz, and stops it when the test ends.
func StartGateway(t testing.TB) Gateway {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "gateway")
	build := exec.Command("go", "build", "-o", bin, "./services/gateway/cmd/gateway")
	build.Dir = RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("testenv: build the gateway: %v\n%s", err, out)
	}
	db := testkit.Postgres(t)
	addr := testkit.FreeAddr(t)
	g := Gateway{URL: "http://" + addr, Token: randomHex(24)}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	logPath := filepath.Join(dir, "gateway.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+db.AppURL, "DATABASE_MIGRATE_URL="+db.AdminURL,
		"GATEWAY_ADDR="+addr, "GATEWAY_METRICS_ADDR="+testkit.FreeAddr(t), "GATEWAY_PUBLIC_URL="+g.URL,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString(key),
		"GATEWAY_PLATFORM_TOKEN="+g.Token,
		// No service runs behind it: the operator's tests use the admin API.
		"STATIC_UPSTREAMS=contacts="+testkit.FreeAddr(t),
		"LOG_LEVEL=warn",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start the gateway: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("gateway log:\n%s", b)
		}
	})
	if err := waitReady(g.URL, exited); err != nil {
		b, _ := os.ReadFile(logPath)
		t.Fatalf("testenv: %v\n%s", err, b)
	}
	return g
}

// waitReady polls base/readyz until it answers 200, the process exits or a
// minute passes.
func waitReady(base string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("the gateway exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("the gateway was not ready within a minute")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
