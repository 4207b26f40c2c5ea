package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// serviceTree creates services/<name>/cmd/<cmd>/main.go for each name→cmd.
func serviceTree(t *testing.T, mains map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for svc, cmd := range mains {
		dir := filepath.Join(root, "services", svc, "cmd", cmd)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestDiscoverServices(t *testing.T) {
	root := serviceTree(t, map[string]string{
		"gateway": "gateway", "contacts": "contacts", "billing": "billing",
		"sales": "sales", // planned in the registry: not started though it has a main
		"stray": "stray", // not in the registry
	})
	reg := registry.Registry{
		{Name: "contacts", Context: "contacts", Built: true},
		{Name: "sales", Context: "sales"},
		{Name: "billing", Built: true},                 // publishes no events
		{Name: "ghost", Context: "ghost", Built: true}, // not in this tree
		{Name: "gateway", Entry: true, Built: true},
	}
	cfg := Config{RepoRoot: root, HTTPBasePort: 8081, GatewayPort: 8080}
	type svc struct {
		Name string
		Port int
	}
	brief := func(ss []Service) []svc {
		var out []svc
		for _, s := range ss {
			out = append(out, svc{s.Name, s.Port})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		only []string
		want []svc
	}{
		// sales keeps 8082 and ghost 8084 for when they are built.
		{"all", nil, []svc{{"contacts", 8081}, {"billing", 8083}, {"gateway", 8080}}},
		{"filtered keeps ports", []string{"gateway", "billing"}, []svc{{"billing", 8083}, {"gateway", 8080}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Services = tc.only
			got, err := discoverServices(reg, c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(brief(got), tc.want) {
				t.Errorf("got %v, want %v", brief(got), tc.want)
			}
		})
	}
	if got, _ := discoverServices(reg, cfg); got[0].Bin != filepath.Join(root, "bin", "contacts") {
		t.Errorf("Bin: got %s", got[0].Bin)
	}
	t.Run("topics of the services that publish events, none planned", func(t *testing.T) {
		services, err := discoverServices(reg, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := topics(services), []string{"rapport.contacts.v1", "rapport.contacts.v1.dlq"}; !reflect.DeepEqual(got, want) {
			t.Errorf("topics = %v, want %v", got, want)
		}
	})

	for _, name := range []string{"sales", "stray", "ghost"} {
		t.Run("RAPPORT_SERVICES names "+name, func(t *testing.T) {
			c := cfg
			c.Services = []string{name}
			_, err := discoverServices(reg, c)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != "RAPPORT_SERVICES" {
				t.Fatalf("got %v, want an error naming RAPPORT_SERVICES", err)
			}
		})
	}
	t.Run("no services", func(t *testing.T) {
		c := cfg
		c.RepoRoot = t.TempDir()
		got, err := discoverServices(reg, c)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want none", got, err)
		}
	})
	t.Run("base port too high", func(t *testing.T) {
		c := cfg
		c.HTTPBasePort = 65534 // billing's would be 65536
		_, err := discoverServices(reg, c)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "RAPPORT_HTTP_BASE_PORT" {
			t.Fatalf("got %v, want an error naming RAPPORT_HTTP_BASE_PORT", err)
		}
	})
}

// TestLauncherFollowsRegistry runs the launcher's discovery on the real
// registry, as make run does, and on a copy with one service added: the
// added one gets the next port, its topic and its static upstream, and
// the others keep theirs.
func TestLauncherFollowsRegistry(t *testing.T) {
	root := serviceTree(t, map[string]string{"gateway": "gateway", "contacts": "contacts", "billing": "billing"})
	cfg := Config{RepoRoot: root, HTTPBasePort: 8081, GatewayPort: 8080}

	services, err := discoverServices(registry.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := staticUpstreams(services), "contacts=127.0.0.1:8081,gateway=127.0.0.1:8080"; got != want {
		t.Errorf("default registry: upstreams %q, want %q", got, want)
	}
	// The gateway's own topic, of its webhook events, is made too.
	if got, want := topics(services), []string{"rapport.contacts.v1", "rapport.contacts.v1.dlq", "rapport.webhooks.v1", "rapport.webhooks.v1.dlq"}; !reflect.DeepEqual(got, want) {
		t.Errorf("default registry: topics %v, want %v", got, want)
	}

	reg := registry.Default()
	reg = slices.Insert(reg, len(reg)-1, registry.Service{Name: "billing", Context: "billing", Built: true}) // before the gateway
	services, err = discoverServices(reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Five services come before billing in the registry: contacts and the
	// four planned ones.
	if got, want := staticUpstreams(services), "contacts=127.0.0.1:8081,billing=127.0.0.1:8086,gateway=127.0.0.1:8080"; got != want {
		t.Errorf("with billing: upstreams %q, want %q", got, want)
	}
	want := []string{"rapport.contacts.v1", "rapport.contacts.v1.dlq", "rapport.billing.v1", "rapport.billing.v1.dlq", "rapport.webhooks.v1", "rapport.webhooks.v1.dlq"}
	if got := topics(services); !reflect.DeepEqual(got, want) {
		t.Errorf("with billing: topics %v, want %v", got, want)
	}
}

// TestRegistryMatchesTree checks libs/registry against this repository:
// a service is built exactly when services/<name>/cmd/<name>/main.go
// exists, and a built one publishes events (has a context, so the launcher
// creates its topic) exactly when it documents them in api/asyncapi.yaml.
func TestRegistryMatchesTree(t *testing.T) {
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Default()
	mains, err := filepath.Glob(filepath.Join(root, "services", "*", "cmd", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mains {
		cmdDir := filepath.Dir(m)
		name := filepath.Base(cmdDir)
		if filepath.Base(filepath.Dir(filepath.Dir(cmdDir))) != name {
			continue // services/a/cmd/b: a helper command, not the service
		}
		if s, ok := reg.Lookup(name); !ok || !s.Built {
			t.Errorf("services/%s exists but libs/registry does not list it as built", name)
		}
	}
	for _, s := range reg.Built() {
		if _, err := os.Stat(filepath.Join(root, "services", s.Name, "cmd", s.Name, "main.go")); err != nil {
			t.Errorf("libs/registry lists %s as built: %v", s.Name, err)
		}
		_, err := os.Stat(filepath.Join(root, "services", s.Name, "api", "asyncapi.yaml"))
		if hasDoc := err == nil; hasDoc != (s.Context != "") {
			t.Errorf("%s: context %q in libs/registry, but api/asyncapi.yaml present = %v", s.Name, s.Context, hasDoc)
		}
	}
}

func TestStaticUpstreams(t *testing.T) {
	got := staticUpstreams([]Service{{Name: "contacts", Port: 8081}, {Name: "sales", Port: 8082}})
	if want := "contacts=127.0.0.1:8081,sales=127.0.0.1:8082"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
