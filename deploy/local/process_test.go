package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// script writes an executable shell script standing in for a service binary.
func script(t *testing.T, body string) Service {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "svc")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return Service{Name: "svc", Port: testkit.FreePort(t), Bin: bin}
}

func TestWaitReadyNamesAServiceThatExits(t *testing.T) {
	var out bytes.Buffer
	con := &console{out: &out, width: 5}
	c, err := startChild(script(t, "echo starting; exit 3"), t.TempDir(), os.Environ(), con.lineWriter("svc", 1))
	if err != nil {
		t.Fatal(err)
	}
	err = waitReady(context.Background(), c, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "svc exited before it was ready: exit status 3") {
		t.Fatalf("got %v, want the service named with its exit status", err)
	}
	if !strings.Contains(out.String(), "[svc  ] starting\n") {
		t.Errorf("output not prefixed: %q", out.String())
	}
}

func TestWaitReadyTimeout(t *testing.T) {
	con := &console{out: &bytes.Buffer{}, width: 5}
	c, err := startChild(script(t, "exec sleep 30"), t.TempDir(), os.Environ(), con.lineWriter("svc", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer stopChildren([]*child{c}, time.Second, nil, t.Logf)
	err = waitReady(context.Background(), c, 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "svc: not ready after 500ms") {
		t.Fatalf("got %v, want a timeout naming svc", err)
	}
}

// TestStopChildrenKillsTheGroup starts a child that ignores SIGTERM and has a
// grandchild; both must be gone after stopChildren.
func TestStopChildrenKillsTheGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	svc := script(t, `trap '' TERM; sleep 60 & echo $! > `+pidFile+`; while :; do sleep 1; done`)
	con := &console{out: &bytes.Buffer{}, width: 5}
	c, err := startChild(svc, t.TempDir(), os.Environ(), con.lineWriter("svc", 1))
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	for deadline := time.Now().Add(5 * time.Second); grandchild == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		grandchild, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if grandchild == 0 {
		t.Fatal("grandchild did not start")
	}

	start := time.Now()
	stopChildren([]*child{c}, 500*time.Millisecond, nil, t.Logf)
	t.Logf("stop took %v", time.Since(start))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stop took %v", took)
	}
	if !c.exited() {
		t.Fatal("child still running")
	}
	// The grandchild was reparented to init, which reaps it; give it a moment.
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if !alive(grandchild) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d survived", grandchild)
		}
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
