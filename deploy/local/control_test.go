package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// serveEnv, when set, makes the test binary a stand-in service: it answers
// GET /readyz on the address it names.
const serveEnv = "LOCAL_TEST_SERVE"

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" {
		http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// controlled is a launcher running two stand-in replicas of contacts, with
// its control API served by an httptest server; out holds its console.
type controlled struct {
	l   *launcher
	url string
	out string // the console's file
}

func newControlled(t *testing.T) *controlled {
	t.Helper()
	out := filepath.Join(t.TempDir(), "console")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	l := &launcher{cfg: Config{ReadyTimeout: 30 * time.Second}, con: newConsole(f, 12)}
	for r := 1; r <= 2; r++ {
		svc := Service{Name: "contacts", Replica: r, Replicated: true, Port: testkit.FreePort(t), Bin: os.Args[0]}
		c := &child{svc: svc, env: append(os.Environ(), serveEnv+"="+svc.Addr()), logf: l.logf, watch: t.Context(),
			out: func() *lineWriter { return l.con.lineWriter(svc.Label(), r) }}
		if err := c.start(); err != nil {
			t.Fatal(err)
		}
		l.children = append(l.children, c)
	}
	t.Cleanup(func() { stopChildren(l.children, nil, l.logf) })
	for _, c := range l.children {
		if err := waitReady(t.Context(), c.process(), c.svc, l.cfg.ReadyTimeout); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(l.controlAPI())
	t.Cleanup(srv.Close)
	return &controlled{l: l, url: srv.URL, out: out}
}

func (c *controlled) post(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Post(c.url+path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	fmt.Fprint(&b, resp.Header.Get("Content-Type"), " ")
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	return resp.StatusCode, b.String()
}

func (c *controlled) process(t *testing.T, name string) ProcessInfo {
	t.Helper()
	resp, err := http.Get(c.url + "/processes")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ps []ProcessInfo
	if err := json.NewDecoder(resp.Body).Decode(&ps); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no %s in %+v", name, ps)
	return ProcessInfo{}
}

// state is the /proc state letter of pid (T: stopped).
func state(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[0]
}

// TestLauncherControlProcesses kills, restarts, pauses and resumes a
// process through the control API; a process killed through it is not
// reported as a failure, one that dies otherwise is.
func TestLauncherControlProcesses(t *testing.T) {
	c := newControlled(t)
	first := c.process(t, "contacts-1")
	if !first.Running || first.Service != "contacts" || first.Replica != 1 || first.MetricsURL != "http://"+first.Addr+"/metrics" {
		t.Fatalf("contacts-1: %+v", first)
	}

	if status, body := c.post(t, "/processes/contacts-1/kill"); status != http.StatusNoContent {
		t.Fatalf("kill: %d %s", status, body)
	}
	testkit.Eventually(t, 10*time.Second, "contacts-1 is down", func() (bool, string) {
		p := c.process(t, "contacts-1")
		return !p.Running, fmt.Sprintf("%+v", p)
	})
	if status, body := c.post(t, "/processes/contacts-1/restart"); status != http.StatusNoContent {
		t.Fatalf("restart: %d %s", status, body)
	}
	again := c.process(t, "contacts-1")
	if !again.Running || again.PID == first.PID {
		t.Errorf("after restart: %+v, before %+v", again, first)
	}
	if resp, err := http.Get("http://" + again.Addr + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("restarted process does not answer: %v", err)
	}

	second := c.process(t, "contacts-2")
	if status, body := c.post(t, "/processes/contacts-2/pause"); status != http.StatusNoContent {
		t.Fatalf("pause: %d %s", status, body)
	}
	if st := state(t, second.PID); st != "T" || !c.process(t, "contacts-2").Paused {
		t.Errorf("paused: state %s, %+v", st, c.process(t, "contacts-2"))
	}
	if status, body := c.post(t, "/processes/contacts-2/resume"); status != http.StatusNoContent {
		t.Fatalf("resume: %d %s", status, body)
	}
	if st := state(t, second.PID); st == "T" || c.process(t, "contacts-2").Paused {
		t.Errorf("resumed: state %s", st)
	}

	// Dying on its own (not through the API) is reported; the kill was not.
	syscall.Kill(second.PID, syscall.SIGKILL)
	testkit.Eventually(t, 10*time.Second, "the exit of contacts-2 reported", func() (bool, string) {
		b, _ := os.ReadFile(c.out)
		return strings.Contains(string(b), "contacts-2 exited: signal: killed"), string(b)
	})
	if b, _ := os.ReadFile(c.out); strings.Contains(string(b), "contacts-1 exited") {
		t.Errorf("the kill asked for was reported as a failure:\n%s", b)
	}
}

// TestLauncherControlErrors: unknown names, actions and what the launcher
// did not start answer problem+json naming what is wrong.
func TestLauncherControlErrors(t *testing.T) {
	c := newControlled(t)
	c.l.kafka = &kafka{Brokers: []string{"k1:9092"}}
	c.l.pg = &postgres{}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/processes/billing-1/kill", http.StatusNotFound, `no process called \"billing-1\"`},
		{"/processes/contacts-1/explode", http.StatusNotFound, `\"explode\" is not one of kill, restart, pause, resume`},
		{"/kafka/restart", http.StatusConflict, "KAFKA_BROKERS is set"},
		{"/kafka/move-leader?topic=t", http.StatusBadRequest, `"field":"partition"`},
		{"/kafka/move-leader?topic=t&partition=0", http.StatusConflict, "KAFKA_BROKERS is set"},
		{"/postgres/restart", http.StatusConflict, "DATABASE_URL is set"},
	} {
		status, body := c.post(t, tc.path)
		if status != tc.status || !strings.HasPrefix(body, "application/problem+json") || !strings.Contains(body, tc.want) {
			t.Errorf("POST %s: %d %s; want %d problem+json with %s", tc.path, status, body, tc.status, tc.want)
		}
	}
}

// TestLauncherControlKafka restarts the two-broker in-process Kafka of a
// replicated launcher: events written before are read after, and a
// partition's leader moves to the other broker.
func TestLauncherControlKafka(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	port := testkit.FreePort(t)
	for tries := 0; !portFree(port+1) && tries < 20; tries++ {
		port = testkit.FreePort(t)
	}
	cfg := Config{StateDir: t.TempDir(), LocalKafkaPort: port, Replicas: 2}
	k, err := startKafka(ctx, cfg, []string{"rapport.contacts.v1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	if len(k.Brokers) != 2 {
		t.Fatalf("brokers %v, want two", k.Brokers)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Brokers...), kgo.ConsumeTopics("rapport.contacts.v1"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "rapport.contacts.v1", Value: []byte("before")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := k.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "rapport.contacts.v1", Value: []byte("after")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if got := values(poll(ctx, t, cl, 2)); !strings.Contains(got, "before") || !strings.Contains(got, "after") {
		t.Errorf("read %s, want both events", got)
	}
	from, to, err := k.MoveLeader("rapport.contacts.v1", 1)
	if err != nil || from == to || k.fake.LeaderFor("rapport.contacts.v1", 1) != to {
		t.Errorf("move leader: %d -> %d, %v; leader now %d", from, to, err, k.fake.LeaderFor("rapport.contacts.v1", 1))
	}
	if _, _, err := k.MoveLeader("rapport.contacts.v1", 7); err == nil {
		t.Error("moved the leader of a partition that does not exist")
	}
}

func portFree(port int) bool { return checkPortFree(loopback(port), "test", "-") == nil }

func values(rs []*kgo.Record) string {
	var vs []string
	for _, r := range rs {
		vs = append(vs, string(r.Value))
	}
	return strings.Join(vs, ",")
}
