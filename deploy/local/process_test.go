package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
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
	svc := script(t, "echo starting; exit 3")
	c, err := startChild(svc, t.TempDir(), os.Environ(), con.lineWriter("svc", 1))
	if err != nil {
		t.Fatal(err)
	}
	err = waitReady(context.Background(), c, svc, 10*time.Second)
	if err == nil || err.Error() != "svc exited before it was ready: exit status 3" {
		t.Fatalf("got %v, want the service named with its exit status", err)
	}
	if !strings.Contains(out.String(), "[svc  ] starting\n") {
		t.Errorf("output not prefixed: %q", out.String())
	}
}

func TestWaitReadyTimeout(t *testing.T) {
	con := &console{out: &bytes.Buffer{}, width: 5}
	svc := script(t, "exec sleep 30")
	c, err := startChild(svc, t.TempDir(), os.Environ(), con.lineWriter("svc", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer proc.StopAll([]*proc.Process{c}, time.Second, nil, t.Logf)
	err = waitReady(context.Background(), c, svc, 500*time.Millisecond)
	if err == nil || !errors.Is(err, proc.ErrNotReady) || !strings.HasPrefix(err.Error(), "svc: not ready after 500ms") ||
		!strings.HasSuffix(err.Error(), " (RAPPORT_READY_TIMEOUT)") {
		t.Fatalf("got %v, want a timeout naming svc and RAPPORT_READY_TIMEOUT", err)
	}
}
