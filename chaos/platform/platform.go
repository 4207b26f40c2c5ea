package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// readyTimeout bounds Start's wait for the launcher: it builds every
// service, starts PostgreSQL and Kafka and waits for each process.
const readyTimeout = 10 * time.Minute

// stopGrace is how long the launcher gets to stop everything on SIGTERM.
const stopGrace = 60 * time.Second

// Options configures Start.
type Options struct {
	RepoRoot string    // repository root (proc.RepoRoot() when empty)
	StateDir string    // the launcher's RAPPORT_STATE_DIR; a temp dir when empty
	Replicas int       // processes per service and of the gateway (RAPPORT_REPLICAS), default 2
	Env      []string  // extra environment for the launcher (passed to the services)
	Log      io.Writer // the launcher's output (nil: discarded, tail kept for errors)
}

// Platform is a running launcher (bin/rapport-local) with its control API.
type Platform struct {
	GatewayURL    string   // the balancing front over every gateway replica (what clients use)
	ControlURL    string   // the launcher's control API
	PlatformToken string   // for /admin/v1
	DemoPassword  string   // admin@demo.rapport.local in tenant demo
	DatabaseURL   string   // admin DSN of the launcher's PostgreSQL (superuser)
	Brokers       []string // the in-process Kafka

	launcher *proc.Process
	tempDir  string // removed by Stop; empty when Options.StateDir was given
}

// Start builds bin/rapport-local and runs it on free ports with a control
// API, returning once the platform is ready (every process answers, the
// demo tenant exists). Stop ends it.
func Start(ctx context.Context, o Options) (*Platform, error) {
	if o.RepoRoot == "" {
		root, err := proc.RepoRoot()
		if err != nil {
			return nil, err
		}
		o.RepoRoot = root
	}
	if o.Replicas <= 0 {
		o.Replicas = 2
	}
	p := &Platform{}
	if o.StateDir == "" {
		dir, err := os.MkdirTemp("", "rapport-platform-")
		if err != nil {
			return nil, err
		}
		p.tempDir, o.StateDir = dir, dir
	}
	// PostgreSQL runs as the postgres OS user when we are root: it must
	// reach its data under the state dir.
	if err := os.MkdirAll(o.StateDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(o.StateDir, 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(o.RepoRoot, "bin", "rapport-local")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./deploy/local")
	build.Dir = o.RepoRoot
	if out, err := build.CombinedOutput(); err != nil {
		p.removeTemp()
		return nil, fmt.Errorf("platform: go build ./deploy/local: %w\n%s", err, out)
	}
	plan, err := planPorts(o.Replicas)
	if err != nil {
		p.removeTemp()
		return nil, err
	}
	p.GatewayURL = "http://" + loopback(plan.gateway)
	p.ControlURL = "http://" + loopback(plan.control)
	p.DatabaseURL = (&url.URL{Scheme: "postgres", User: url.User("postgres"), Host: loopback(plan.postgres), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	p.Brokers = []string{loopback(plan.kafka)}
	if o.Replicas > 1 {
		p.Brokers = append(p.Brokers, loopback(plan.kafka+1))
	}
	env := append(os.Environ(),
		"RAPPORT_REPO_ROOT="+o.RepoRoot,
		"RAPPORT_STATE_DIR="+o.StateDir,
		"RAPPORT_REPLICAS="+strconv.Itoa(o.Replicas),
		"RAPPORT_CONTROL_ADDR="+loopback(plan.control),
		"RAPPORT_HTTP_BASE_PORT="+strconv.Itoa(plan.base),
		"RAPPORT_GATEWAY_PORT="+strconv.Itoa(plan.gateway),
		"RAPPORT_GATEWAY_METRICS_PORT="+strconv.Itoa(plan.metrics),
		"RAPPORT_LOCAL_KAFKA_PORT="+strconv.Itoa(plan.kafka),
		"RAPPORT_LOCAL_PG_PORT="+strconv.Itoa(plan.postgres),
		"DATABASE_URL=",     // the launcher's own throwaway cluster
		"KAFKA_BROKERS=",    // and its in-process Kafka
		"RAPPORT_SERVICES=", // every service
	)
	env = append(env, o.Env...)
	last := &tailBuffer{}
	out := io.Writer(last)
	if o.Log != nil {
		out = io.MultiWriter(o.Log, last)
	}
	launcher, err := proc.Start(proc.Config{Name: "rapport-local", Path: bin, Dir: o.RepoRoot, Env: env, Output: out})
	if err != nil {
		p.removeTemp()
		return nil, err
	}
	p.launcher = launcher
	if err := launcher.WaitReady(ctx, p.ControlURL, readyTimeout); err != nil {
		p.Stop()
		return nil, fmt.Errorf("platform: %w; the launcher's last lines:\n%s", err, last.String())
	}
	if p.PlatformToken, err = readSecret(o.StateDir, "gateway.platform-token"); err != nil {
		p.Stop()
		return nil, err
	}
	p.DemoPassword = lastEnv(env, "RAPPORT_DEMO_PASSWORD")
	if p.DemoPassword == "" {
		if p.DemoPassword, err = readSecret(o.StateDir, "demo-admin.password"); err != nil {
			p.Stop()
			return nil, err
		}
	}
	return p, nil
}

// Database returns the admin DSN of service's database.
func (p *Platform) Database(service string) string {
	u, _ := url.Parse(p.DatabaseURL)
	u.Path = "/" + service
	return u.String()
}

// Stop stops the launcher (SIGTERM: it stops every process, Kafka and
// PostgreSQL), then removes the state dir if Start made it.
func (p *Platform) Stop() error {
	var err error
	if p.launcher != nil {
		p.launcher.Stop(stopGrace)
		if e := p.launcher.Err(); e != nil && !exitedOnSignal(e) {
			err = fmt.Errorf("platform: the launcher ended with %w", e)
		}
	}
	p.removeTemp()
	return err
}

// exitedOnSignal reports whether err is only an exit the stop itself
// caused: the launcher exits 0 on SIGTERM, but a forced stop kills it.
func exitedOnSignal(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && !ee.Exited()
}

func (p *Platform) removeTemp() {
	if p.tempDir != "" {
		os.RemoveAll(p.tempDir)
	}
}

// The range Start takes its ports from.
const (
	portsFrom = 15000
	portsTo   = 32768
)

// ports is where Start puts everything, inside one free block.
type ports struct {
	base, gateway, metrics, kafka, postgres, control int
}

// planPorts finds a block of free loopback ports for the launcher with n
// replicas: the services' fronts and replicas from base (see deploy/local's
// replicas.go: (n+1)·S+n ports for S registry slots), the gateway door,
// n metrics ports, two Kafka brokers, PostgreSQL and the control API.
func planPorts(n int) (ports, error) {
	slots := len(registry.Default().Domain())
	width := (n+1)*slots + n
	size := width + 1 + n + 2 + 1 + 1
	for range 100 {
		// Below Linux's ephemeral range (32768-60999), where outgoing
		// connections take their ports.
		first := portsFrom + rand.IntN(portsTo-portsFrom-size)
		if !blockFree(first, size) {
			continue
		}
		p := ports{base: first, gateway: first + width}
		p.metrics = p.gateway + 1
		p.kafka = p.metrics + n
		p.postgres = p.kafka + 2
		p.control = p.postgres + 1
		return p, nil
	}
	return ports{}, errors.New("platform: found no block of free ports")
}

// blockFree reports whether ports first..first+size-1 are all free now.
func blockFree(first, size int) bool {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for port := first; port < first+size; port++ {
		l, err := net.Listen("tcp", loopback(port))
		if err != nil {
			return false
		}
		held = append(held, l)
	}
	return true
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// readSecret reads a secret the launcher keeps under <state>/secrets.
func readSecret(stateDir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, "secrets", name))
	if err != nil {
		return "", fmt.Errorf("platform: read the launcher's %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// lastEnv returns the value env gives name last, as exec does.
func lastEnv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// tailKept is how much of the launcher's output a failed Start shows.
const tailKept = 16 << 10

// tailBuffer keeps the last tailKept bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > tailKept {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-tailKept:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
