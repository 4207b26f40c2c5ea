package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/registry"
)

// valid is the smallest environment the operator starts with.
func valid() map[string]string {
	return map[string]string{
		"RAPPORT_VERSION":        "1.2.3",
		"KAFKA_BROKERS":          "kafka-0:9092, kafka-1:9092",
		"GATEWAY_URL":            "http://gateway.rapport-system.svc:8080/",
		"GATEWAY_PLATFORM_TOKEN": strings.Repeat("t", 32),
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	env := valid()
	got, err := loadConfig(func(k string) string { return env[k] }, registry.Default())
	if err != nil {
		t.Fatal(err)
	}
	c := got.Controller
	checks := []struct {
		name      string
		got, want any
	}{
		{"namespace", c.Namespace, "rapport-system"},
		{"services", strings.Join(c.Services, ","), "contacts,sales,marketing,support,reporting"},
		{"brokers", strings.Join(c.KafkaBrokers, ","), "kafka-0:9092,kafka-1:9092"},
		{"gateway url", c.GatewayURL, "http://gateway.rapport-system.svc:8080"},
		{"jwks url", c.JWKSURL, "http://gateway.rapport-system.svc:8080/.well-known/jwks.json"},
		{"gateway namespace", c.GatewayNamespace, "rapport-system"},
		{"gateway pods", c.GatewayPodLabels["app.kubernetes.io/name"], "gateway"},
		{"images", c.ImageRepository, "ghcr.io/rapport-crm"},
		{"concurrency", c.MaxConcurrentReconciles, 8},
		{"step timeout", c.StepTimeout, 10 * time.Second},
		{"retry base", c.RetryBaseDelay, time.Second},
		{"retry max", c.RetryMaxDelay, 5 * time.Minute},
		{"leader election", got.LeaderElect, true},
		{"metrics", got.MetricsAddr, ":8080"},
		{"health", got.HealthAddr, ":8081"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadConfigSettings(t *testing.T) {
	env := valid()
	for k, v := range map[string]string{
		"OPERATOR_NAMESPACE": "ops", "TENANT_SERVICES": "contacts, sales", "GATEWAY_POD_LABELS": "app=gw,tier=edge",
		"MAX_CONCURRENT_RECONCILES": "3", "RETRY_BASE_DELAY": "250ms", "LEADER_ELECT": "false",
	} {
		env[k] = v
	}
	got, err := loadConfig(func(k string) string { return env[k] }, registry.Default())
	if err != nil {
		t.Fatal(err)
	}
	c := got.Controller
	if c.Namespace != "ops" || c.GatewayNamespace != "ops" || !slices.Equal(c.Services, []string{"contacts", "sales"}) ||
		c.GatewayPodLabels["tier"] != "edge" || c.MaxConcurrentReconciles != 3 || c.RetryBaseDelay != 250*time.Millisecond || got.LeaderElect {
		t.Errorf("config = %+v, leader election %v; want the settings of the environment", c, got.LeaderElect)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		set      map[string]string
		unset    string
		wantName string
	}{
		{name: "no version", unset: "RAPPORT_VERSION", wantName: "RAPPORT_VERSION"},
		{name: "no brokers", set: map[string]string{"KAFKA_BROKERS": " , "}, wantName: "KAFKA_BROKERS"},
		{name: "no gateway", unset: "GATEWAY_URL", wantName: "GATEWAY_URL"},
		{name: "gateway not a URL", set: map[string]string{"GATEWAY_URL": "gateway:8080"}, wantName: "GATEWAY_URL"},
		{name: "short token", set: map[string]string{"GATEWAY_PLATFORM_TOKEN": "short"}, wantName: "GATEWAY_PLATFORM_TOKEN"},
		{name: "unknown service", set: map[string]string{"TENANT_SERVICES": "contacts,billing"}, wantName: "TENANT_SERVICES"},
		{name: "the gateway as a tenant's service", set: map[string]string{"TENANT_SERVICES": "gateway"}, wantName: "TENANT_SERVICES"},
		{name: "bad labels", set: map[string]string{"GATEWAY_POD_LABELS": "gateway"}, wantName: "GATEWAY_POD_LABELS"},
		{name: "zero concurrency", set: map[string]string{"MAX_CONCURRENT_RECONCILES": "0"}, wantName: "MAX_CONCURRENT_RECONCILES"},
		{name: "bad timeout", set: map[string]string{"STEP_TIMEOUT": "soon"}, wantName: "STEP_TIMEOUT"},
		{name: "negative delay", set: map[string]string{"RETRY_BASE_DELAY": "-1s"}, wantName: "RETRY_BASE_DELAY"},
		{name: "max below base", set: map[string]string{"RETRY_BASE_DELAY": "1m", "RETRY_MAX_DELAY": "1s"}, wantName: "RETRY_MAX_DELAY"},
		{name: "bad leader election", set: map[string]string{"LEADER_ELECT": "maybe"}, wantName: "LEADER_ELECT"},
		{name: "bad log level", set: map[string]string{"LOG_LEVEL": "loud"}, wantName: "LOG_LEVEL"},
		{name: "bad jwks url", set: map[string]string{"GATEWAY_JWKS_URL": "jwks"}, wantName: "GATEWAY_JWKS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := valid()
			delete(env, tt.unset)
			for k, v := range tt.set {
				env[k] = v
			}
			_, err := loadConfig(func(k string) string { return env[k] }, registry.Default())
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantName) {
				t.Errorf("loadConfig error = %v, want one starting with %s", err, tt.wantName)
			}
		})
	}
}

// TestLoadConfigFollowsRegistry adds a built and a planned service to a copy
// of the registry: a tenant runs the built one by default and may be given
// either.
func TestLoadConfigFollowsRegistry(t *testing.T) {
	reg := registry.Default()
	reg = slices.Insert(reg, len(reg)-1,
		registry.Service{Name: "billing", Context: "billing", Built: true},
		registry.Service{Name: "ledger"})
	env := valid()
	got, err := loadConfig(func(k string) string { return env[k] }, reg)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"contacts", "sales", "marketing", "support", "reporting", "billing"}; !slices.Equal(got.Controller.Services, want) {
		t.Errorf("default services = %v, want %v", got.Controller.Services, want)
	}
	env["TENANT_SERVICES"] = "ledger,sales"
	if got, err = loadConfig(func(k string) string { return env[k] }, reg); err != nil || !slices.Equal(got.Controller.Services, []string{"ledger", "sales"}) {
		t.Errorf("TENANT_SERVICES=ledger,sales: services %v, error %v", got.Controller.Services, err)
	}
}
