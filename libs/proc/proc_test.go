package proc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// serveEnv, when set, makes the test binary a stand-in service instead:
// it listens on the address it names and answers GET /readyz 503 twice,
// then 200.
const serveEnv = "PROC_TEST_SERVE"

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" {
		serve(addr)
		return
	}
	os.Exit(m.Run())
}

func serve(addr string) {
	var asked atomic.Int32
	fmt.Println("serving on", addr)
	err := http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && asked.Add(1) > 2 {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "warming up", http.StatusServiceUnavailable)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// script writes an executable shell script standing in for a service binary.
func script(t *testing.T, body string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "svc")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func start(t *testing.T, cfg proc.Config) *proc.Process {
	t.Helper()
	p, err := proc.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(time.Second) })
	return p
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := proc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestWaitReadyUntil200(t *testing.T) {
	addr := freeAddr(t)
	p := start(t, proc.Config{Name: "svc", Path: os.Args[0], Env: append(os.Environ(), serveEnv+"="+addr)})
	if err := p.WaitReady(context.Background(), "http://"+addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := p.Tail(0); got != "serving on "+addr+"\n" {
		t.Errorf("kept output %q, want the service's line", got)
	}
}

func TestWaitReadyNamesAProcessThatExits(t *testing.T) {
	p := start(t, proc.Config{Name: "svc", Path: script(t, "echo starting; exit 3")})
	err := p.WaitReady(context.Background(), "http://"+freeAddr(t), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "svc exited before it was ready: exit status 3\nstarting\n") {
		t.Fatalf("got %v, want the process named with its exit status and its output", err)
	}
	if errors.Is(err, proc.ErrNotReady) {
		t.Errorf("an exit matches ErrNotReady")
	}
}

func TestWaitReadyTimeout(t *testing.T) {
	p := start(t, proc.Config{Name: "svc", Path: script(t, "echo waiting; exec sleep 30")})
	base := "http://" + freeAddr(t)
	err := p.WaitReady(context.Background(), base, 500*time.Millisecond)
	if err == nil || !errors.Is(err, proc.ErrNotReady) {
		t.Fatalf("got %v, want ErrNotReady", err)
	}
	if want := "svc: not ready after 500ms; last GET " + base + "/readyz: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %q, want it to start %q", err, want)
	}
	if !strings.HasSuffix(err.Error(), "\nwaiting\n") {
		t.Errorf("got %q, want the output's tail at the end", err)
	}
}

// TestOutputGoesToTheWriter: a process given an Output writes there,
// flushed at exit, and errors carry no tail.
func TestOutputGoesToTheWriter(t *testing.T) {
	var out flushBuffer
	p := start(t, proc.Config{Path: script(t, "echo one; echo two >&2; exit 1"), Output: &out})
	err := p.WaitReady(context.Background(), "http://"+freeAddr(t), 10*time.Second)
	if err == nil || err.Error() != "svc exited before it was ready: exit status 1" {
		t.Errorf("got %v, want the exit named by the binary's name, no tail", err)
	}
	if out.String() != "one\ntwo\n" || out.flushed.Load() != 1 || p.Tail(0) != "" {
		t.Errorf("output %q flushed %d times, kept %q; want both lines, one flush, nothing kept", out.String(), out.flushed.Load(), p.Tail(0))
	}
}

type flushBuffer struct {
	bytes.Buffer
	flushed atomic.Int32
}

func (b *flushBuffer) Flush() { b.flushed.Add(1) }

// TestStopKillsTheGroup starts a process that ignores SIGTERM and has a
// grandchild; both must be gone after Stop.
func TestStopKillsTheGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	p := start(t, proc.Config{Path: script(t, `trap '' TERM; sleep 60 & echo $! > `+pidFile+`; while :; do sleep 1; done`)})
	var grandchild int
	testkit.Eventually(t, 5*time.Second, "the grandchild started", func() (bool, string) {
		b, _ := os.ReadFile(pidFile)
		grandchild, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return grandchild != 0, ""
	})

	start := time.Now()
	var logged []string
	proc.StopAll([]*proc.Process{p}, 500*time.Millisecond, nil, func(format string, args ...any) {
		logged = append(logged, fmt.Sprintf(format, args...))
	})
	t.Logf("stop took %v", time.Since(start))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stop took %v", took)
	}
	if !p.Exited() {
		t.Fatal("process still running")
	}
	if want := "svc did not stop within 500ms; killing it"; len(logged) != 1 || logged[0] != want {
		t.Errorf("logged %q, want %q", logged, want)
	}
	// The grandchild was reparented to init, which reaps it; give it a moment.
	testkit.Eventually(t, 3*time.Second, fmt.Sprintf("grandchild %d gone", grandchild), func() (bool, string) {
		return !alive(grandchild), ""
	})
}

// TestStopAllForce: a closed force channel cuts the grace period short.
func TestStopAllForce(t *testing.T) {
	p := start(t, proc.Config{Path: script(t, `trap '' TERM; while :; do sleep 1; done`)})
	force := make(chan struct{})
	close(force)
	start := time.Now()
	proc.StopAll([]*proc.Process{p}, time.Hour, force, nil)
	if !p.Exited() || time.Since(start) > 10*time.Second {
		t.Errorf("exited %v after %v, want killed at once", p.Exited(), time.Since(start))
	}
}

func TestBuild(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"go.work":            "go 1.26.0\n\nuse .\n",
		"go.mod":             "module example.test/hello\n\ngo 1.26.0\n",
		"cmd/hello/main.go":  "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"hello\") }\n",
		"cmd/broken/main.go": "package main\n\nfunc main() { undefined() }\n",
	} {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	if err := proc.Build(t.Context(), root, out, "./cmd/hello"); err != nil {
		t.Fatal(err)
	}
	p := start(t, proc.Config{Path: filepath.Join(out, "hello")})
	if err := p.Err(); err != nil || p.Tail(0) != "hello" {
		t.Errorf("built binary: %v, output %q; want hello", err, p.Tail(0))
	}
	err := proc.Build(t.Context(), root, out, "./cmd/broken")
	if err == nil || !strings.Contains(err.Error(), "undefined: undefined") {
		t.Errorf("broken build: %v, want the compiler's message", err)
	}

	t.Chdir(filepath.Join(root, "cmd", "hello"))
	if got, err := proc.RepoRoot(); err != nil || got != root {
		t.Errorf("RepoRoot() = %q, %v; want %q", got, err, root)
	}
}

// alive reports whether pid runs; a zombie (killed, not yet reaped by an init
// that may never reap) counts as dead.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
		return s[i+2] != 'Z'
	}
	return true
}

// TestFreeAddrsAreDistinct asks for many addresses at once: each is a
// loopback address of its own that nothing listens on once they are given.
func TestFreeAddrsAreDistinct(t *testing.T) {
	addrs, err := proc.FreeAddrs(50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		if seen[a] || !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("address %s given twice or not loopback: %v", a, addrs)
		}
		seen[a] = true
		if c, err := net.Dial("tcp", a); err == nil {
			c.Close()
			t.Errorf("something still listens on %s", a)
		}
	}
}
