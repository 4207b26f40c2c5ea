package starter

import (
	"maps"
	"strings"
	"testing"
)

func TestParseConfigNamesTheBadVariable(t *testing.T) {
	valid := map[string]string{
		"DATABASE_URL":         "postgres://contacts_app:pw@127.0.0.1:5432/contacts",
		"DATABASE_MIGRATE_URL": "postgres://postgres@127.0.0.1:5432/contacts",
		"KAFKA_BROKERS":        "127.0.0.1:9092",
		"AUTH_JWKS_URL":        "http://127.0.0.1:8080/.well-known/jwks.json",
	}
	tests := []struct{ name, variable, value string }{
		{"missing database", "DATABASE_URL", ""},
		{"malformed migrate url", "DATABASE_MIGRATE_URL", "not a url"},
		{"missing brokers", "KAFKA_BROKERS", ""},
		{"missing jwks", "AUTH_JWKS_URL", ""},
		{"bad log level", "LOG_LEVEL", "loud"},
		{"short cursor key", "CURSOR_KEY", "short"},
		{"consul without an address to dial", "CONSUL_HTTP_ADDR", "127.0.0.1:8500"},
		{"relative gateway url", "GATEWAY_URL", "/gateway"},
		{"contacts url with a query", "CONTACTS_URL", "http://contacts:8080?x=1"},
		{"bad static upstreams", "STATIC_UPSTREAMS", "contacts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{tt.variable: tt.value}
			_, err := ParseConfig("contacts", func(k string) string {
				if v, ok := env[k]; ok {
					return v
				}
				return valid[k]
			})
			want := tt.variable
			if tt.variable == "CONSUL_HTTP_ADDR" {
				want = "SERVICE_ADDRESS"
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not name %s", err, want)
			}
		})
	}
	c, err := ParseConfig("contacts", func(k string) string { return valid[k] })
	if err != nil || c.Name != "contacts" || c.HTTPAddr != ":8080" || len(c.Brokers) != 1 {
		t.Errorf("valid config: %+v, %v", c, err)
	}
	// Without the owner's DSN the service serves and waits for `contacts migrate`.
	c, err = ParseConfig("contacts", func(k string) string {
		if k == "DATABASE_MIGRATE_URL" {
			return ""
		}
		return valid[k]
	})
	if err != nil || c.MigrateURL != "" {
		t.Errorf("config without DATABASE_MIGRATE_URL: %+v, %v", c, err)
	}
}

func TestParseMigrateConfig(t *testing.T) {
	valid := map[string]string{
		"DATABASE_URL":         "postgres://contacts_app:pw@127.0.0.1:5432/contacts",
		"DATABASE_MIGRATE_URL": "postgres://postgres@127.0.0.1:5432/contacts",
	}
	for _, tt := range []struct{ variable, value string }{
		{"DATABASE_MIGRATE_URL", ""},
		{"DATABASE_MIGRATE_URL", "not a url"},
		{"DATABASE_URL", ""},
		{"DATABASE_URL", "postgres://127.0.0.1:5432/contacts"},
		{"LOG_LEVEL", "loud"},
	} {
		_, err := ParseMigrateConfig(func(k string) string {
			if k == tt.variable {
				return tt.value
			}
			return valid[k]
		})
		if err == nil || !strings.Contains(err.Error(), tt.variable) {
			t.Errorf("%s=%q: error %v does not name %s", tt.variable, tt.value, err, tt.variable)
		}
	}
	// The migration needs neither Kafka nor the gateway.
	c, err := ParseMigrateConfig(func(k string) string { return valid[k] })
	if err != nil || c.DatabaseURL != valid["DATABASE_URL"] || c.MigrateURL != valid["DATABASE_MIGRATE_URL"] {
		t.Errorf("valid migrate config: %+v, %v", c, err)
	}
}

func TestParseConfigPeers(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":         "postgres://sales_app:pw@127.0.0.1:5432/sales",
		"DATABASE_MIGRATE_URL": "postgres://postgres@127.0.0.1:5432/sales",
		"KAFKA_BROKERS":        "127.0.0.1:9092",
		"AUTH_JWKS_URL":        "http://127.0.0.1:8080/.well-known/jwks.json",
		"STATIC_UPSTREAMS":     "contacts=127.0.0.1:8081,sales=127.0.0.1:8082",
	}
	c, err := ParseConfig("sales", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"contacts": "http://127.0.0.1:8081", "sales": "http://127.0.0.1:8082"}
	if c.GatewayURL != "http://127.0.0.1:8080" || !maps.Equal(c.ServiceURLs, want) {
		t.Errorf("defaults: gateway %q, services %v; want http://127.0.0.1:8080 and %v", c.GatewayURL, c.ServiceURLs, want)
	}
	env["GATEWAY_URL"], env["CONTACTS_URL"] = "https://gateway.internal/", "https://contacts.t-acme.svc:8080"
	delete(env, "STATIC_UPSTREAMS")
	if c, err = ParseConfig("sales", func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"contacts": "https://contacts.t-acme.svc:8080"}
	if c.GatewayURL != "https://gateway.internal" || !maps.Equal(c.ServiceURLs, want) {
		t.Errorf("set: gateway %q, services %v; want https://gateway.internal and %v", c.GatewayURL, c.ServiceURLs, want)
	}
}
