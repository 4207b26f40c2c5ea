package backup

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Tools runs the PostgreSQL client programs.
type Tools struct {
	// BinDir holds pg_dump and pg_restore; empty finds them on PATH. Their
	// major version must be at least the server's.
	BinDir string
}

// command returns the program name with its arguments, its output on
// stdout and its errors kept for the failure's message.
func (t Tools) command(ctx context.Context, name string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	path := name
	if t.BinDir != "" {
		path = filepath.Join(t.BinDir, name)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	return cmd, stderr
}

// failed describes a program's failure with the end of what it wrote.
func failed(name string, err error, stderr *bytes.Buffer) error {
	msg := strings.TrimSpace(stderr.String())
	if len(msg) > 2000 {
		msg = "…" + msg[len(msg)-2000:]
	}
	if msg == "" {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return fmt.Errorf("backup: %s: %w: %s", name, err, msg)
}
