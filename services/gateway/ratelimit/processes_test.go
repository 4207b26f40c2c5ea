package ratelimit

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// childEnv, when set, makes the test binary run as a gateway process (see
// TestMain) instead of running tests.
const childEnv = "RATELIMIT_TEST_GATEWAY_PREFIX"

func TestMain(m *testing.M) {
	if prefix := os.Getenv(childEnv); prefix != "" {
		if err := runGatewayProcess(prefix); err != nil {
			fmt.Fprintln(os.Stderr, "gateway process:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// processLimit is the tenant limit of the gateway processes.
var processLimit = Limit{Rate: 20, Burst: 10}

// runGatewayProcess serves the rate-limit middleware with a Redis limiter
// on a free port, prints the address, and stops when stdin closes.
func runGatewayProcess(prefix string) error {
	opts, err := redis.ParseURL(testRedisURL())
	if err != nil {
		return err
	}
	client := redis.NewClient(opts)
	defer client.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := withPrincipal(Middleware(Config{Limiter: NewRedis(client, prefix), Tenant: processLimit})(okHandler()))
	srv := &http.Server{Handler: h}
	go srv.Serve(l) //nolint:errcheck // ends with Close
	fmt.Printf("listening %s\n", l.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return srv.Close()
}

// gatewayProcess is a running child gateway.
type gatewayProcess struct {
	addr  string
	stdin io.WriteCloser
	cmd   *exec.Cmd
}

func startGatewayProcess(t *testing.T, prefix string) *gatewayProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+prefix)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	g := &gatewayProcess{stdin: stdin, cmd: cmd}
	t.Cleanup(func() {
		g.stdin.Close()
		if err := g.cmd.Wait(); err != nil {
			t.Errorf("gateway process %d: %v", g.cmd.Process.Pid, err)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("gateway process: no address: %v", err)
	}
	g.addr = strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	return g
}

func TestRateLimitHeldAcrossTwoGatewayProcesses(t *testing.T) {
	c := newRedisClient(t)
	prefix := testPrefix(t, c)
	gateways := []*gatewayProcess{startGatewayProcess(t, prefix), startGatewayProcess(t, prefix)}
	if gateways[0].cmd.Process.Pid == gateways[1].cmd.Process.Pid {
		t.Fatal("one process")
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	window := 2 * time.Second
	deadline := time.Now().Add(window)
	type count struct{ ok, limited, other atomic.Int64 }
	counts := []*count{{}, {}}
	var wg sync.WaitGroup
	start := time.Now()
	for i, g := range gateways {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					req, _ := http.NewRequest(http.MethodGet, "http://"+g.addr+"/v1/contacts", nil)
					req.Header.Set("X-Test-Tenant", tenantA)
					resp, err := client.Do(req)
					if err != nil {
						counts[i].other.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch resp.StatusCode {
					case http.StatusNoContent:
						counts[i].ok.Add(1)
					case http.StatusTooManyRequests:
						counts[i].limited.Add(1)
					default:
						counts[i].other.Add(1)
					}
				}
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	total := counts[0].ok.Load() + counts[1].ok.Load()
	max := int64(processLimit.Burst) + int64(processLimit.Rate*elapsed.Seconds()) + 1
	t.Logf("two processes over %v: accepted %d + %d = %d, refused %d + %d; one shared limit allows at most %d, two unshared %d",
		elapsed.Round(time.Millisecond), counts[0].ok.Load(), counts[1].ok.Load(), total,
		counts[0].limited.Load(), counts[1].limited.Load(), max, 2*max)
	for i, c := range counts {
		if n := c.other.Load(); n > 0 {
			t.Errorf("gateway %d: %d requests failed or got another status", i, n)
		}
		if c.limited.Load() == 0 {
			t.Errorf("gateway %d never answered 429", i)
		}
	}
	if total > max {
		t.Errorf("accepted %d, want at most %d", total, max)
	}
	if total < int64(processLimit.Burst) {
		t.Errorf("accepted %d, want at least the burst %d", total, processLimit.Burst)
	}
}
