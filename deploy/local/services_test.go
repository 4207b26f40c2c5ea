package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
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

// asyncAPI gives service an AsyncAPI document: it publishes events.
func asyncAPI(t *testing.T, root, service string) {
	t.Helper()
	dir := filepath.Join(root, "services", service, "api")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "asyncapi.yaml"), []byte("asyncapi: 3.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverServices(t *testing.T) {
	root := serviceTree(t, map[string]string{
		"gateway": "gateway", "contacts": "contacts", "billing": "billing", "sales": "seed", // sales has only a helper command
	})
	asyncAPI(t, root, "contacts")
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
		{"all", nil, []svc{{"billing", 8081}, {"contacts", 8082}, {"gateway", 8083}}},
		{"filtered keeps ports", []string{"gateway", "contacts"}, []svc{{"contacts", 8082}, {"gateway", 8083}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := discoverServices(root, 8081, tc.only)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(brief(got), tc.want) {
				t.Errorf("got %v, want %v", brief(got), tc.want)
			}
		})
	}
	if got, _ := discoverServices(root, 8081, nil); got[1].Bin != filepath.Join(root, "bin", "contacts") {
		t.Errorf("Bin: got %s", got[1].Bin)
	}
	t.Run("topics of the services that publish events, none planned", func(t *testing.T) {
		services, err := discoverServices(root, 8081, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := topics(services), []string{"rapport.contacts.v1", "rapport.contacts.v1.dlq"}; !reflect.DeepEqual(got, want) {
			t.Errorf("topics = %v, want %v", got, want)
		}
	})

	t.Run("unknown name in RAPPORT_SERVICES", func(t *testing.T) {
		_, err := discoverServices(root, 8081, []string{"support"})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "RAPPORT_SERVICES" {
			t.Fatalf("got %v, want an error naming RAPPORT_SERVICES", err)
		}
	})
	t.Run("no services", func(t *testing.T) {
		got, err := discoverServices(t.TempDir(), 8081, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want none", got, err)
		}
	})
	t.Run("base port too high", func(t *testing.T) {
		_, err := discoverServices(root, 65534, nil)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "RAPPORT_HTTP_BASE_PORT" {
			t.Fatalf("got %v, want an error naming RAPPORT_HTTP_BASE_PORT", err)
		}
	})
}

func TestStaticUpstreams(t *testing.T) {
	got := staticUpstreams([]Service{{Name: "contacts", Port: 8081}, {Name: "sales", Port: 8082}})
	if want := "contacts=127.0.0.1:8081,sales=127.0.0.1:8082"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
