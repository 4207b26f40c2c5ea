package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/chaos/platform"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// client speaks to the platform's public door as the demo administrator.
type client struct {
	t     *testing.T
	base  string
	token string
}

func login(t *testing.T, p *platform.Platform) *client {
	t.Helper()
	tok, err := gatewayadmin.New(p.GatewayURL, p.PlatformToken, 30*time.Second).Login(t.Context(), "demo", "admin@demo.rapport.local", p.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: p.GatewayURL, token: tok.AccessToken}
}

// do sends one request, with no retry, and returns its status and body.
func (c *client) do(method, path string, body any) (int, []byte, error) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("platform-test-%d", time.Now().UnixNano()))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), nil
}

// createContact creates a contact and returns its id; any answer but 201,
// on the first attempt, fails the test.
func (c *client) createContact(name string) string {
	c.t.Helper()
	status, body, err := c.do(http.MethodPost, "/v1/contacts", map[string]any{"firstName": name, "lastName": "Platform"})
	if err != nil || status != http.StatusCreated {
		c.t.Fatalf("create contact %s: %d %s %v", name, status, body, err)
	}
	var out struct {
		ID string `json:"id"`
	}
	json.Unmarshal(body, &out)
	return out.ID
}

func startPlatform(t *testing.T) *platform.Platform {
	t.Helper()
	log, err := os.Create(filepath.Join(t.TempDir(), "launcher.log"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := platform.Start(t.Context(), platform.Options{Replicas: 2, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("launcher output (last 8 KB):\n%s", tail(b, 8<<10))
		}
		log.Close()
	})
	return p
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func process(t *testing.T, p *platform.Platform, name string) platform.Process {
	t.Helper()
	ps, err := p.Processes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range ps {
		if pr.Name == name {
			return pr
		}
	}
	t.Fatalf("no process %s in %+v", name, ps)
	return platform.Process{}
}

// TestPlatform starts the whole platform with two replicas of everything
// and injects each fault of the control API, checking the platform
// answers through it.
func TestPlatform(t *testing.T) {
	p := startPlatform(t)
	ctx := t.Context()

	ps, err := p.Processes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	replicas := map[string]int{}
	for _, pr := range ps {
		if !pr.Running || pr.PID == 0 || pr.Name != fmt.Sprintf("%s-%d", pr.Service, pr.Replica) {
			t.Errorf("process %+v: want running, named service-replica", pr)
		}
		replicas[pr.Service]++
	}
	for _, svc := range []string{"contacts", "sales", "marketing", "support", "reporting", "gateway"} {
		if replicas[svc] != 2 {
			t.Errorf("%s has %d processes, want 2 (%v)", svc, replicas[svc], replicas)
		}
	}
	for _, pr := range ps { // what the soak reads of each process
		resp, err := http.Get(pr.MetricsURL)
		if err != nil {
			t.Errorf("%s metrics: %v", pr.Name, err)
			continue
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		for _, m := range []string{"go_goroutines ", "process_resident_memory_bytes ", "process_open_fds "} {
			if !strings.Contains(b.String(), "\n"+m) {
				t.Errorf("%s metrics (%s, %d) lack %s", pr.Name, pr.MetricsURL, resp.StatusCode, m)
			}
		}
	}
	c := login(t, p)

	t.Run("kill a contacts replica: every create succeeds on the other", func(t *testing.T) {
		if err := p.Kill(ctx, "contacts-1"); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, "contacts-1 is down", func() (bool, string) {
			pr := process(t, p, "contacts-1")
			return !pr.Running, fmt.Sprintf("%+v", pr)
		})
		for i := range 10 {
			c.createContact(fmt.Sprintf("Killed%d", i))
		}
		if err := p.Restart(ctx, "contacts-1"); err != nil {
			t.Fatal(err)
		}
		if pr := process(t, p, "contacts-1"); !pr.Running {
			t.Fatalf("after restart: %+v", pr)
		}
		for i := range 4 {
			c.createContact(fmt.Sprintf("Restarted%d", i))
		}
	})

	t.Run("kill a gateway replica: the door sends every request to the other", func(t *testing.T) {
		if err := p.Kill(ctx, "gateway-2"); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, "gateway-2 is down", func() (bool, string) {
			pr := process(t, p, "gateway-2")
			return !pr.Running, fmt.Sprintf("%+v", pr)
		})
		for i := range 6 {
			c.createContact(fmt.Sprintf("GatewayKilled%d", i))
		}
		if err := p.Restart(ctx, "gateway-2"); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			c.createContact(fmt.Sprintf("GatewayBack%d", i))
		}
	})

	t.Run("pause and resume", func(t *testing.T) {
		pr := process(t, p, "sales-2")
		if err := p.Pause(ctx, pr.Name); err != nil {
			t.Fatal(err)
		}
		if st := procState(t, pr.PID); st != "T" || !process(t, p, pr.Name).Paused {
			t.Errorf("paused %s: state %q, listed %+v", pr.Name, st, process(t, p, pr.Name))
		}
		if err := p.Resume(ctx, pr.Name); err != nil {
			t.Fatal(err)
		}
		if st := procState(t, pr.PID); st == "T" || process(t, p, pr.Name).Paused {
			t.Errorf("resumed %s: state %q", pr.Name, st)
		}
	})

	t.Run("restart Kafka, move partition leaders: events still arrive", func(t *testing.T) {
		events := newEventWatch(t, p.Brokers, "rapport.contacts.v1")
		if err := p.RestartKafka(ctx); err != nil {
			t.Fatal(err)
		}
		events.waitFor(c.createContact("AfterKafka"))
		for part := range 3 {
			if err := p.MoveLeader(ctx, "rapport.contacts.v1", part); err != nil {
				t.Fatal(err)
			}
		}
		events.waitFor(c.createContact("AfterMove"))
		if err := p.MoveLeader(ctx, "rapport.contacts.v1", 99); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("moving a partition that does not exist: %v, want a 404", err)
		}
	})

	t.Run("restart PostgreSQL", func(t *testing.T) {
		if err := p.RestartPostgres(ctx); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		testkit.Eventually(t, 20*time.Second, "the platform answers after a PostgreSQL restart", func() (bool, string) {
			status, body, err := c.do(http.MethodPost, "/v1/contacts", map[string]any{"firstName": "AfterPG", "lastName": "Platform"})
			return status == http.StatusCreated, fmt.Sprintf("%d %s %v", status, body, err)
		})
		t.Logf("first create %v after PostgreSQL was back", time.Since(start).Round(time.Millisecond))
	})
}

// procState returns the state letter of pid in /proc (T: stopped).
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// pid (comm) state ...
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return fields[0]
}

// eventWatch reads a topic from its start, with its own client, so it
// sees the events published before and after a fault.
type eventWatch struct {
	t    *testing.T
	cl   *kgo.Client
	seen map[string]bool // record values that name an id, by id
}

func newEventWatch(t *testing.T, brokers []string, topic string) *eventWatch {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &eventWatch{t: t, cl: cl, seen: map[string]bool{}}
}

// waitFor polls the topic until an event naming id has arrived.
func (w *eventWatch) waitFor(id string) {
	w.t.Helper()
	testkit.Eventually(w.t, 30*time.Second, "an event of "+id, func() (bool, string) {
		ctx, cancel := context.WithTimeout(w.t.Context(), time.Second)
		defer cancel()
		fs := w.cl.PollFetches(ctx)
		n := 0
		fs.EachRecord(func(r *kgo.Record) {
			n++
			if bytes.Contains(r.Value, []byte(id)) || bytes.Contains(r.Key, []byte(id)) {
				w.seen[id] = true
			}
		})
		return w.seen[id], fmt.Sprintf("%d records in the last poll, errors %v", n, fs.Errors())
	})
}
