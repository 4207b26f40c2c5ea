package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/registry"
)

// TestLauncherReplicasPortPlan: with RAPPORT_REPLICAS=2 every service and
// the gateway run two processes on the planned ports, their old ports
// become the fronts, and each gateway replica has its own metrics port.
func TestLauncherReplicasPortPlan(t *testing.T) {
	root := serviceTree(t, map[string]string{"gateway": "gateway", "contacts": "contacts", "billing": "billing"})
	reg := registry.Registry{
		{Name: "contacts", Context: "contacts", Built: true},
		{Name: "sales", Context: "sales"}, // planned: keeps its slot
		{Name: "billing", Built: true},
		{Name: "gateway", Entry: true, Built: true},
	}
	cfg := Config{RepoRoot: root, HTTPBasePort: 8081, GatewayPort: 8080, GatewayMetricsPort: 9090, Replicas: 2}
	got, err := discoverServices(reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	type proc struct {
		Name             string
		Port, Front, Met int
		Label            string
	}
	var brief []proc
	for _, s := range got {
		brief = append(brief, proc{s.ProcName(), s.Port, s.Front, s.MetricsPort, s.Label()})
	}
	// 3 slots: contacts 0, sales 1, billing 2.
	want := []proc{
		{"contacts-1", 8084, 8081, 0, "contacts-1"},
		{"contacts-2", 8087, 8081, 0, "contacts-2"},
		{"billing-1", 8086, 8083, 0, "billing-1"},
		{"billing-2", 8089, 8083, 0, "billing-2"},
		{"gateway-1", 8090, 8080, 9090, "gateway-1"},
		{"gateway-2", 8091, 8080, 9091, "gateway-2"},
	}
	if !reflect.DeepEqual(brief, want) {
		t.Errorf("got  %v\nwant %v", brief, want)
	}
	if got, want := staticUpstreams(got), "contacts=127.0.0.1:8084|127.0.0.1:8087,billing=127.0.0.1:8086|127.0.0.1:8089,gateway=127.0.0.1:8090|127.0.0.1:8091"; got != want {
		t.Errorf("STATIC_UPSTREAMS = %s, want %s", got, want)
	}
	if got, want := fronts(got), map[int][]string{
		8081: {"127.0.0.1:8084", "127.0.0.1:8087"},
		8083: {"127.0.0.1:8086", "127.0.0.1:8089"},
		8080: {"127.0.0.1:8090", "127.0.0.1:8091"},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("fronts = %v, want %v", got, want)
	}
	if got, want := topics(got), []string{"rapport.contacts.v1", "rapport.contacts.v1.dlq"}; !reflect.DeepEqual(got, want) {
		t.Errorf("topics = %v, want each once: %v", got, want)
	}
	if got, want := serviceNames(got), []string{"contacts", "billing", "gateway"}; !reflect.DeepEqual(got, want) {
		t.Errorf("serviceNames = %v, want %v", got, want)
	}
	l := &launcher{services: got}
	if got, want := strings.Join(l.peerEnv(), " "), "CONTACTS_URL=http://127.0.0.1:8081 BILLING_URL=http://127.0.0.1:8083"; got != want {
		t.Errorf("peerEnv = %s, want %s", got, want)
	}
}

// TestLauncherReplicasOneIsTodaysPlan: RAPPORT_REPLICAS=1 changes nothing:
// no fronts, the gateway on the public door with its metrics port.
func TestLauncherReplicasOneIsTodaysPlan(t *testing.T) {
	root := serviceTree(t, map[string]string{"gateway": "gateway", "contacts": "contacts"})
	reg := registry.Registry{
		{Name: "contacts", Context: "contacts", Built: true},
		{Name: "gateway", Entry: true, Built: true},
	}
	got, err := discoverServices(reg, Config{RepoRoot: root, HTTPBasePort: 8081, GatewayPort: 8080, GatewayMetricsPort: 9090, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Port != 8081 || got[0].Label() != "contacts" || got[1].Port != 8080 || got[1].MetricsURL() != "http://127.0.0.1:9090/metrics" {
		t.Errorf("got %+v", got)
	}
	if f := fronts(got); len(f) != 0 {
		t.Errorf("fronts = %v, want none", f)
	}
	if got, want := got[0].MetricsURL(), "http://127.0.0.1:8081/metrics"; got != want {
		t.Errorf("contacts metrics %s, want %s", got, want)
	}
}

// TestLauncherReplicasPortsOutOfRange names the variable that moves them.
func TestLauncherReplicasPortsOutOfRange(t *testing.T) {
	root := serviceTree(t, map[string]string{"gateway": "gateway", "contacts": "contacts"})
	reg := registry.Registry{
		{Name: "contacts", Context: "contacts", Built: true},
		{Name: "gateway", Entry: true, Built: true},
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{HTTPBasePort: 65533, GatewayPort: 8080, GatewayMetricsPort: 9090}, "RAPPORT_HTTP_BASE_PORT"},
		{Config{HTTPBasePort: 8081, GatewayPort: 8080, GatewayMetricsPort: 65535}, "RAPPORT_GATEWAY_METRICS_PORT"},
	} {
		tc.cfg.RepoRoot, tc.cfg.Replicas = root, 2
		_, err := discoverServices(reg, tc.cfg)
		if ce, ok := err.(*ConfigError); !ok || ce.Var != tc.want {
			t.Errorf("%+v: got %v, want an error naming %s", tc.cfg, err, tc.want)
		}
	}
}

// TestLauncherReplicasPortClash: a plan in which two listeners share a
// port is refused, naming the variable that moves one.
func TestLauncherReplicasPortClash(t *testing.T) {
	root := serviceTree(t, map[string]string{"gateway": "gateway", "contacts": "contacts"})
	reg := registry.Registry{
		{Name: "contacts", Context: "contacts", Built: true},
		{Name: "gateway", Entry: true, Built: true},
	}
	base := Config{RepoRoot: root, HTTPBasePort: 8081, GatewayPort: 8080, GatewayMetricsPort: 9090, LocalKafkaPort: 9092, LocalPGPort: 55432}
	for _, tc := range []struct {
		name     string
		change   func(*Config)
		wantVar  string
		wantText string
	}{
		{"metrics run into Kafka", func(c *Config) { c.Replicas = 3 }, "RAPPORT_LOCAL_KAFKA_PORT", "port 9092 would serve both the in-process Kafka and gateway-3 metrics"},
		{"Kafka's second broker", func(c *Config) { c.Replicas, c.LocalKafkaPort = 2, 9089 }, "RAPPORT_LOCAL_KAFKA_PORT", "port 9090 would serve both the in-process Kafka and gateway-1 metrics"},
		{"control on a service", func(c *Config) { c.ControlAddr = "127.0.0.1:8081" }, "RAPPORT_CONTROL_ADDR", "port 8081 would serve both the control API and contacts"},
		{"PostgreSQL on the door", func(c *Config) { c.LocalPGPort = 8080 }, "RAPPORT_LOCAL_PG_PORT", "port 8080 would serve both the throwaway PostgreSQL and gateway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.change(&cfg)
			_, err := discoverServices(reg, cfg)
			ce, ok := err.(*ConfigError)
			if !ok || ce.Var != tc.wantVar || !strings.Contains(ce.Msg, tc.wantText) {
				t.Errorf("got %v, want %s: %s", err, tc.wantVar, tc.wantText)
			}
		})
	}
	ok := base
	ok.Replicas = 2
	ok.KafkaBrokers = []string{"k:9092"} // not ours: its port is no clash
	ok.GatewayMetricsPort = 9091
	if _, err := discoverServices(reg, ok); err != nil {
		t.Errorf("a plan without clashes: %v", err)
	}
}
