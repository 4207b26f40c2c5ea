package testenv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Gateway is a running gateway: its base URL and platform token.
type Gateway struct {
	URL   string
	Token string
	p     *proc.Process
	undo  []func() error // newest last
}

// StartGateway is NewGateway for one test: closed when the test ends, its
// log shown if the test failed.
func StartGateway(t testing.TB) *Gateway {
	t.Helper()
	g, err := NewGateway(context.Background())
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway log:\n%s", g.Log())
		}
		if err := g.Close(); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	return g
}

// NewGateway builds services/gateway/cmd/gateway, starts it on a fresh
// database (migrations as the owner, running as a role under RLS) and waits
// until it answers /readyz. The caller must Close it.
func NewGateway(ctx context.Context) (_ *Gateway, err error) {
	g := &Gateway{Token: randomHex(24)}
	defer func() {
		if err != nil {
			err = errors.Join(err, g.Close())
		}
	}()
	dir, err := os.MkdirTemp("", "rapport-testenv-")
	if err != nil {
		return nil, err
	}
	g.undo = append(g.undo, func() error { return os.RemoveAll(dir) })
	root, err := proc.RepoRoot()
	if err != nil {
		return nil, err
	}
	if err := proc.Build(ctx, root, dir, "./services/gateway/cmd/gateway"); err != nil {
		return nil, fmt.Errorf("build the gateway: %w", err)
	}
	db, drop, err := testkit.NewPostgres()
	if err != nil {
		return nil, err
	}
	g.undo = append(g.undo, drop)
	addrs, err := proc.FreeAddrs(3)
	if err != nil {
		return nil, err
	}
	g.URL = "http://" + addrs[0]
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	g.p, err = proc.Start(proc.Config{Name: "gateway", Path: filepath.Join(dir, "gateway"), Env: append(os.Environ(),
		"DATABASE_URL="+db.AppURL, "DATABASE_MIGRATE_URL="+db.AdminURL,
		"GATEWAY_ADDR="+addrs[0], "GATEWAY_METRICS_ADDR="+addrs[1], "GATEWAY_PUBLIC_URL="+g.URL,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString(key),
		"GATEWAY_PLATFORM_TOKEN="+g.Token,
		// No service runs behind it: the operator's tests use the admin API.
		"STATIC_UPSTREAMS=contacts="+addrs[2],
		"LOG_LEVEL=warn",
	)})
	if err != nil {
		return nil, err
	}
	g.undo = append(g.undo, func() error { g.p.Stop(10 * time.Second); return nil })
	if err := g.p.WaitReady(ctx, g.URL, time.Minute); err != nil {
		return nil, err
	}
	return g, nil
}

// Log returns what the gateway wrote, for a failure's report.
func (g *Gateway) Log() string { return g.p.Tail(0) }

// Close stops the gateway and drops its database.
func (g *Gateway) Close() error {
	var errs []error
	for i := len(g.undo) - 1; i >= 0; i-- {
		errs = append(errs, g.undo[i]())
	}
	g.undo = nil
	return errors.Join(errs...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
