package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// buildLauncher compiles this package into a temporary binary.
func buildLauncher(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rapport-local")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestLauncherInfrastructureOnly runs the launcher on an empty repository
// (no services) against the local PostgreSQL and the in-process Kafka on a
// free port, then stops it with SIGTERM.
func TestLauncherInfrastructureOnly(t *testing.T) {
	bin := buildLauncher(t)
	root := t.TempDir() // an empty repository: go.work and no services/
	if err := os.WriteFile(filepath.Join(root, "go.work"), []byte("go 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kafkaPort := testkit.FreePort(t)
	kafkaAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(kafkaPort))

	cmd := exec.Command(bin)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"RAPPORT_REPO_ROOT="+root,
		"RAPPORT_STATE_DIR="+filepath.Join(root, ".local"),
		"DATABASE_URL="+testAdminURL(),
		"RAPPORT_LOCAL_KAFKA_PORT="+strconv.Itoa(kafkaPort),
		"KAFKA_BROKERS=",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	exited := make(chan struct{})
	var output syncBuffer
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			output.WriteLine(line)
			if !signalled && strings.HasPrefix(line, "[local") && strings.Contains(line, "] ready") {
				signalled = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stdout)
		err := cmd.Wait()
		close(exited)
		done <- err
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})

	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("launcher exited before ready: %v\n%s", err, output.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no ready line within 60s\n%s", output.String())
	}

	t.Run("kafka answers, with no topic of a service not in the repository", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("metadata: %v", err)
		}
		var got []string
		for _, tp := range resp.Topics {
			if tp.Topic != nil {
				got = append(got, *tp.Topic)
			}
		}
		if slices.ContainsFunc(got, func(topic string) bool { return strings.HasPrefix(topic, "rapport.") }) {
			t.Errorf("topics %v, want none: the repository has no services", got)
		}
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: got %v, want 0\n%s", err, output.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("launcher still running 15s after SIGTERM\n%s", output.String())
	}
	if conn, err := net.DialTimeout("tcp", kafkaAddr, time.Second); err == nil {
		conn.Close()
		t.Errorf("Kafka port %d still open after the launcher exited", kafkaPort)
	}
	if !strings.Contains(output.String(), "no services under services/ yet") {
		t.Errorf("launcher did not say it runs without services:\n%s", output.String())
	}
}

// syncBuffer collects output lines from one goroutine for another to read.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) WriteLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(line + "\n")
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLauncherBadConfig checks a malformed variable stops the launcher with
// one line naming it.
func TestLauncherBadConfig(t *testing.T) {
	cmd := exec.Command(buildLauncher(t))
	cmd.Env = append(os.Environ(), "RAPPORT_HTTP_BASE_PORT=abc")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("got %v, want exit status 2", err)
	}
	if got, want := string(out), "rapport-local: RAPPORT_HTTP_BASE_PORT: \"abc\" is not a port\n"; got != want {
		t.Errorf("output: got %q, want %q", got, want)
	}
}
