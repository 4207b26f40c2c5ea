package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// validEnv is a complete, valid environment.
func validEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL":           "postgres://gateway@127.0.0.1/gateway",
		"GATEWAY_DATA_KEY":       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"GATEWAY_PLATFORM_TOKEN": strings.Repeat("p", 32),
		"STATIC_UPSTREAMS":       "contacts=127.0.0.1:8081",
	}
}

func TestLoadConfig(t *testing.T) {
	valid := validEnv()
	tests := []struct {
		name     string
		override map[string]string
		wantErr  string // the variable the error must name; "" for none
	}{
		{"valid", nil, ""},
		{"no database", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{"malformed migrate url", map[string]string{"DATABASE_MIGRATE_URL": "not a url"}, "DATABASE_MIGRATE_URL"},
		{"short data key", map[string]string{"GATEWAY_DATA_KEY": "c2hvcnQ="}, "GATEWAY_DATA_KEY"},
		{"short platform token", map[string]string{"GATEWAY_PLATFORM_TOKEN": "short"}, "GATEWAY_PLATFORM_TOKEN"},
		{"bad public url", map[string]string{"GATEWAY_PUBLIC_URL": "ftp:/x"}, "GATEWAY_PUBLIC_URL"},
		{"bad log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad metrics address", map[string]string{"GATEWAY_METRICS_ADDR": "9090"}, "GATEWAY_METRICS_ADDR"},
		{"metrics on the public port", map[string]string{"GATEWAY_ADDR": ":8080", "GATEWAY_METRICS_ADDR": ":8080"}, "GATEWAY_METRICS_ADDR"},
		{"bad shutdown timeout", map[string]string{"GATEWAY_SHUTDOWN_TIMEOUT": "soon"}, "GATEWAY_SHUTDOWN_TIMEOUT"},
		{"no upstreams", map[string]string{"STATIC_UPSTREAMS": ""}, "STATIC_UPSTREAMS"},
		{"consul instead of static", map[string]string{"STATIC_UPSTREAMS": "", "CONSUL_HTTP_ADDR": "127.0.0.1:8500"}, ""},
		{"bad tenant limit", map[string]string{"RATE_LIMIT_TENANT": "fast"}, "RATE_LIMIT_TENANT"},
		{"bad api key limit", map[string]string{"RATE_LIMIT_API_KEY": "1:x"}, "RATE_LIMIT_API_KEY"},
		{"bad portal address limit", map[string]string{"RATE_LIMIT_PORTAL_ADDRESS": "0:5"}, "RATE_LIMIT_PORTAL_ADDRESS"},
		{"bad portal tenant limit", map[string]string{"RATE_LIMIT_PORTAL_TENANT": "x"}, "RATE_LIMIT_PORTAL_TENANT"},
		{"bad retention", map[string]string{"AUDIT_RETENTION": "forever"}, "AUDIT_RETENTION"},
		{"bad bulk read limit", map[string]string{"AUDIT_BULK_READ_LIMIT": "-1"}, "AUDIT_BULK_READ_LIMIT"},
		{"bad dial timeout", map[string]string{"UPSTREAM_DIAL_TIMEOUT": "-1s"}, "UPSTREAM_DIAL_TIMEOUT"},
		{"bad retries", map[string]string{"UPSTREAM_RETRIES": "many"}, "UPSTREAM_RETRIES"},
		{"bad breaker", map[string]string{"BREAKER_FAILURES": "-2"}, "BREAKER_FAILURES"},
		{"breaker that never opens", map[string]string{"BREAKER_FAILURES": "0"}, "BREAKER_FAILURES"},
		{"smtp", map[string]string{"GATEWAY_SMTP_URL": "smtp://u:p@mail:587", "GATEWAY_MAIL_FROM": "Rapport <noreply@example.com>"}, ""},
		{"bad smtp url", map[string]string{"GATEWAY_SMTP_URL": "mail:25", "GATEWAY_MAIL_FROM": "noreply@example.com"}, "GATEWAY_SMTP_URL"},
		{"smtp without a sender", map[string]string{"GATEWAY_SMTP_URL": "smtp://mail:25"}, "GATEWAY_MAIL_FROM"},
		{"webhooks off", map[string]string{"GATEWAY_WEBHOOKS": "off"}, ""},
		{"bad webhooks switch", map[string]string{"GATEWAY_WEBHOOKS": "maybe"}, "GATEWAY_WEBHOOKS"},
		{"bad webhook allow private", map[string]string{"GATEWAY_WEBHOOK_ALLOW_PRIVATE": "yes please"}, "GATEWAY_WEBHOOK_ALLOW_PRIVATE"},
		{"bad webhook workers", map[string]string{"GATEWAY_WEBHOOK_WORKERS": "0"}, "GATEWAY_WEBHOOK_WORKERS"},
		{"bad webhook timeout", map[string]string{"GATEWAY_WEBHOOK_TIMEOUT": "-1s"}, "GATEWAY_WEBHOOK_TIMEOUT"},
		{"bad webhook disable after", map[string]string{"GATEWAY_WEBHOOK_DISABLE_AFTER": "never"}, "GATEWAY_WEBHOOK_DISABLE_AFTER"},
		{"bad webhook schedule", map[string]string{"GATEWAY_WEBHOOK_SCHEDULE": "0s,soon"}, "GATEWAY_WEBHOOK_SCHEDULE"},
		{"negative webhook wait", map[string]string{"GATEWAY_WEBHOOK_SCHEDULE": "0s,-5s"}, "GATEWAY_WEBHOOK_SCHEDULE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range valid {
				env[k] = v
			}
			for k, v := range tt.override {
				env[k] = v
			}
			cfg, err := loadConfig(func(k string) string { return env[k] })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one naming %s", err, tt.wantErr)
			case tt.wantErr == "" && (cfg.Addr != ":8080" || cfg.MetricsAddr != "127.0.0.1:9090" || cfg.AuditBulkRead != audit.DefaultBulkReadLimit || len(cfg.DataKey) != 32):
				t.Errorf("defaults: %+v", cfg)
			}
		})
	}
}

// TestRetriesZeroMeansNone: UPSTREAM_RETRIES=0 must reach the proxy as "no
// retries", not as its zero value, which means the default.
func TestRetriesZeroMeansNone(t *testing.T) {
	env := validEnv()
	for _, tt := range []struct {
		value string
		want  int
	}{{"", 2}, {"0", -1}, {"3", 3}} {
		t.Run(tt.value, func(t *testing.T) {
			env["UPSTREAM_RETRIES"] = tt.value
			cfg, err := loadConfig(func(k string) string { return env[k] })
			if err != nil || cfg.Retries != tt.want {
				t.Errorf("Retries = %d (%v), want %d", cfg.Retries, err, tt.want)
			}
		})
	}
}

// TestDeliveryWebhookConfig: the GATEWAY_WEBHOOK* settings, their
// defaults, and the dispatcher configuration they make.
func TestDeliveryWebhookConfig(t *testing.T) {
	env := validEnv()
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.webhookDelivery()
	if !cfg.Webhooks || d.Workers != 32 || d.Timeout != 15*time.Second || d.DisableAfter != 72*time.Hour || d.AllowLoopback || d.AllowHTTP ||
		!slices.Equal(d.Schedule, delivery.DefaultSchedule(72*time.Hour)) || d.DatabaseURL != env["DATABASE_URL"] {
		t.Errorf("defaults: %+v", d)
	}
	env["GATEWAY_WEBHOOKS"], env["GATEWAY_WEBHOOK_WORKERS"], env["GATEWAY_WEBHOOK_TIMEOUT"] = "off", "4", "2s"
	env["GATEWAY_WEBHOOK_DISABLE_AFTER"], env["GATEWAY_WEBHOOK_SCHEDULE"], env["GATEWAY_WEBHOOK_ALLOW_PRIVATE"] = "1h", "0s, 1s,2s", "true"
	if cfg, err = loadConfig(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	d = cfg.webhookDelivery()
	if cfg.Webhooks || d.Workers != 4 || d.Timeout != 2*time.Second || d.DisableAfter != time.Hour || !d.AllowLoopback || !d.AllowHTTP ||
		!slices.Equal(d.Schedule, []time.Duration{0, time.Second, 2 * time.Second}) {
		t.Errorf("set: %+v", d)
	}
}
