package main

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func fixedRoot() (string, error) { return "/repo", nil }

func TestLoadConfigDefaults(t *testing.T) {
	got, err := LoadConfig(envOf(nil), fixedRoot)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		RepoRoot:           "/repo",
		StateDir:           filepath.Join("/repo", ".local"),
		LocalPGPort:        55432,
		LocalKafkaPort:     9092,
		HTTPBasePort:       8081,
		GatewayPort:        8080,
		GatewayMetricsPort: 9090,
		LogLevel:           "info",
		ReadyTimeout:       60 * time.Second,
		Replicas:           1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestLoadConfigValues(t *testing.T) {
	got, err := LoadConfig(envOf(map[string]string{
		"RAPPORT_REPO_ROOT":            "/src/rapport",
		"RAPPORT_STATE_DIR":            "/var/tmp/rapport",
		"DATABASE_URL":                 "postgres://admin:secret@db.local:5433/postgres?sslmode=disable",
		"RAPPORT_LOCAL_PG_PORT":        "6000",
		"KAFKA_BROKERS":                "k1:9092, k2:9093",
		"RAPPORT_LOCAL_KAFKA_PORT":     "19092",
		"CONSUL_HTTP_ADDR":             "127.0.0.1:8500",
		"RAPPORT_HTTP_BASE_PORT":       "9000",
		"RAPPORT_GATEWAY_PORT":         "7070",
		"RAPPORT_GATEWAY_METRICS_PORT": "7071",
		"LOG_LEVEL":                    "DEBUG",
		"RAPPORT_SERVICES":             "contacts,gateway",
		"RAPPORT_READY_TIMEOUT":        "2m",
		"RAPPORT_REPLICAS":             "2",
		"RAPPORT_CONTROL_ADDR":         "127.0.0.1:7072",
	}), func() (string, error) { return "", errors.New("must not be called") })
	if err != nil {
		t.Fatal(err)
	}
	if got.DatabaseURL == nil || got.DatabaseURL.Host != "db.local:5433" {
		t.Errorf("DatabaseURL: got %v", got.DatabaseURL)
	}
	got.DatabaseURL = nil
	want := Config{
		RepoRoot:           "/src/rapport",
		StateDir:           "/var/tmp/rapport",
		LocalPGPort:        6000,
		KafkaBrokers:       []string{"k1:9092", "k2:9093"},
		LocalKafkaPort:     19092,
		ConsulAddr:         "127.0.0.1:8500",
		HTTPBasePort:       9000,
		GatewayPort:        7070,
		GatewayMetricsPort: 7071,
		LogLevel:           "debug",
		Services:           []string{"contacts", "gateway"},
		ReadyTimeout:       2 * time.Minute,
		Replicas:           2,
		ControlAddr:        "127.0.0.1:7072",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		wantMsg     string
	}{
		{"RAPPORT_HTTP_BASE_PORT", "abc", `RAPPORT_HTTP_BASE_PORT: "abc" is not a port`},
		{"RAPPORT_HTTP_BASE_PORT", "0", `RAPPORT_HTTP_BASE_PORT: "0" is not a port`},
		{"RAPPORT_HTTP_BASE_PORT", "70000", `RAPPORT_HTTP_BASE_PORT: "70000" is not a port`},
		{"RAPPORT_GATEWAY_PORT", "x", `RAPPORT_GATEWAY_PORT: "x" is not a port`},
		{"RAPPORT_GATEWAY_METRICS_PORT", "x", `RAPPORT_GATEWAY_METRICS_PORT: "x" is not a port`},
		{"RAPPORT_GATEWAY_METRICS_PORT", "8080", `RAPPORT_GATEWAY_METRICS_PORT: 8080 is the gateway's public port (RAPPORT_GATEWAY_PORT); metrics need their own`},
		{"RAPPORT_DEMO_PASSWORD", "short", `RAPPORT_DEMO_PASSWORD: must be at least 10 characters`},
		{"RAPPORT_LOCAL_PG_PORT", "-1", `RAPPORT_LOCAL_PG_PORT: "-1" is not a port`},
		{"RAPPORT_LOCAL_KAFKA_PORT", "9092x", `RAPPORT_LOCAL_KAFKA_PORT: "9092x" is not a port`},
		{"DATABASE_URL", "mysql://root@db/x", `DATABASE_URL: "mysql://root@db/x" is not a postgres://user@host:port/db URL`},
		{"DATABASE_URL", "host=db user=postgres", `DATABASE_URL: "host=db user=postgres" is not a postgres://user@host:port/db URL`},
		{"DATABASE_URL", "postgres://u:hunter2@/x", `DATABASE_URL: "postgres://u:xxxxx@/x" is not a postgres://user@host:port/db URL`},
		{"DATABASE_URL", "host=db password=hunter2", `DATABASE_URL: "host=db password=xxxxx" is not a postgres://user@host:port/db URL`},
		{"KAFKA_BROKERS", "localhost", `KAFKA_BROKERS: "localhost" is not a host:port`},
		{"KAFKA_BROKERS", "k1:9092,k2:http", `KAFKA_BROKERS: "k2:http" has a bad port`},
		{"LOG_LEVEL", "loud", `LOG_LEVEL: "loud" is not one of debug, info, warn, error`},
		{"RAPPORT_SERVICES", "contacts,Bad-Name", `RAPPORT_SERVICES: "Bad-Name" is not a service name`},
		{"RAPPORT_READY_TIMEOUT", "60", `RAPPORT_READY_TIMEOUT: "60" is not a positive duration (e.g. 60s, 2m)`},
		{"RAPPORT_REPLICAS", "0", `RAPPORT_REPLICAS: "0" is not a number of processes from 1 to 9`},
		{"RAPPORT_REPLICAS", "two", `RAPPORT_REPLICAS: "two" is not a number of processes from 1 to 9`},
		{"RAPPORT_CONTROL_ADDR", "0.0.0.0:7072", `RAPPORT_CONTROL_ADDR: "0.0.0.0:7072" is not a loopback host:port (e.g. 127.0.0.1:7070)`},
		{"RAPPORT_CONTROL_ADDR", "7072", `RAPPORT_CONTROL_ADDR: "7072" is not a loopback host:port (e.g. 127.0.0.1:7070)`},
		{"RAPPORT_CONTROL_ADDR", "127.0.0.1:x", `RAPPORT_CONTROL_ADDR: "127.0.0.1:x" has a bad port`},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := LoadConfig(envOf(map[string]string{tc.name: tc.value}), fixedRoot)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if ce.Var != tc.name {
				t.Errorf("Var: got %q, want %q", ce.Var, tc.name)
			}
			if got := err.Error(); got != tc.wantMsg {
				t.Errorf("message:\n got %s\nwant %s", got, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err.Error())
			}
		})
	}
}

func TestLoadConfigNoRepoRoot(t *testing.T) {
	_, err := LoadConfig(envOf(nil), func() (string, error) { return "", errors.New("no go.work found") })
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "RAPPORT_REPO_ROOT" {
		t.Fatalf("got %v, want an error naming RAPPORT_REPO_ROOT", err)
	}
}
