package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// consulStartTimeout bounds how long Consul may take to elect itself leader.
const consulStartTimeout = 30 * time.Second

// Consul starts a Consul agent in dev mode (the binary `make tools` built)
// on free loopback ports, waits until it has elected a leader, stops it when
// the test ends and returns its HTTP address ("127.0.0.1:port"). It fails the
// test, never skips it, when the binary is missing.
func Consul(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(ToolsDir(), "consul", "consul")
	requireTool(t, bin)

	// Free ports are only free until someone takes them: retry on a lost race.
	var errs []error
	for range 3 {
		addr, err := startConsul(t, bin)
		if err == nil {
			return addr
		}
		errs = append(errs, err)
	}
	t.Fatalf("testkit: start consul: %v", errors.Join(errs...))
	return ""
}

// startConsul runs one agent and waits for its leader; on failure the agent
// is stopped and the error carries the tail of its log.
func startConsul(t testing.TB, bin string) (string, error) {
	ports, err := consulPorts(4)
	if err != nil {
		return "", err
	}
	httpPort, serfLAN, serfWAN, server := ports[0], ports[1], ports[2], ports[3]
	dir := t.TempDir()
	logPath := filepath.Join(dir, "consul.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", fmt.Errorf("create log: %w", err)
	}
	defer logFile.Close()

	cmd := exec.Command(bin, "agent", "-dev",
		"-node=testkit",
		"-bind=127.0.0.1",
		"-client=127.0.0.1",
		"-data-dir="+filepath.Join(dir, "data"),
		"-http-port="+strconv.Itoa(httpPort),
		"-dns-port=-1",
		"-grpc-port=-1",
		"-grpc-tls-port=-1",
		"-serf-lan-port="+strconv.Itoa(serfLAN),
		"-serf-wan-port="+strconv.Itoa(serfWAN),
		"-server-port="+strconv.Itoa(server),
		"-log-level=warn",
		"-hcl=disable_update_check = true",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
	if err := waitConsulLeader(addr, exited); err != nil {
		stop()
		return "", fmt.Errorf("%w; log:\n%s", err, logTail(logPath, 4096))
	}
	t.Cleanup(stop)
	return addr, nil
}

// waitConsulLeader polls /v1/status/leader until it names a leader, the
// agent exits or consulStartTimeout passes.
func waitConsulLeader(addr string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), consulStartTimeout)
	defer cancel()
	url := "http://" + addr + "/v1/status/leader"
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		leader, err := consulLeader(ctx, url)
		if err == nil && leader != "" {
			return nil
		}
		if err == nil {
			err = errors.New("no leader yet")
		}
		last = err
		select {
		case <-exited:
			return errors.New("consul exited before electing a leader")
		case <-ctx.Done():
			return fmt.Errorf("consul at %s has no leader after %s: %w", addr, consulStartTimeout, last)
		case <-tick.C:
		}
	}
}

// consulLeader returns the leader address the agent at url reports.
func consulLeader(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var leader string
	if err := json.NewDecoder(resp.Body).Decode(&leader); err != nil {
		return "", fmt.Errorf("decode leader: %w", err)
	}
	return leader, nil
}

// consulPorts returns n distinct loopback ports free for both TCP and UDP
// (Serf uses both on the same port).
func consulPorts(n int) ([]int, error) {
	var (
		ports   []int
		holders []io.Closer
	)
	defer func() {
		for _, h := range holders {
			h.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		holders = append(holders, l)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // UDP side taken: try another port
		}
		holders = append(holders, u)
		ports = append(ports, port)
	}
	return ports, nil
}

// logTail returns up to the last n bytes of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}
