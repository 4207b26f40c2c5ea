package starter

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
)

// Config is what every service reads from the environment (the README's
// "Every service" table).
type Config struct {
	Name        string     // SERVICE_NAME, default the Service's name; also the token audience
	HTTPAddr    string     // HTTP_ADDR, default ":8080"
	DatabaseURL string     // DATABASE_URL (required): the app role, no RLS bypass
	MigrateURL  string     // DATABASE_MIGRATE_URL: the owner; set, the service migrates at start, else waits for `<name> migrate`
	Brokers     []string   // KAFKA_BROKERS (required), comma-separated
	TopicPrefix string     // TOPIC_PREFIX, "" for the shared tier
	LogLevel    slog.Level // LOG_LEVEL, default info
	JWKSURL     string     // AUTH_JWKS_URL (required): the gateway's JWKS
	CursorKey   []byte     // CURSOR_KEY, at least 32 bytes; random per process when unset
	// ConsulAddr (CONSUL_HTTP_ADDR) is the Consul agent to register with;
	// unset, the instance does not register.
	ConsulAddr string
	// ConsulTags (CONSUL_SERVICE_TAGS, comma-separated, default "shared")
	// carry the tenant tag the gateway resolves by.
	ConsulTags []string
	// ServiceAddress (SERVICE_ADDRESS, required with CONSUL_HTTP_ADDR) is
	// the address others dial, e.g. the pod's IP.
	ServiceAddress string
	// GatewayURL (GATEWAY_URL, default AUTH_JWKS_URL without
	// /.well-known/jwks.json) is the gateway's base URL for its internal
	// routes: token exchange and the team directory (libs/svcclient).
	GatewayURL string
	// ServiceURLs are the base URLs of the services this one calls directly
	// with its caller's authority, by name: <NAME>_URL (CONTACTS_URL, …),
	// by default http://host:port from STATIC_UPSTREAMS; a service with
	// neither is absent.
	ServiceURLs map[string]string
	// Overload bounds what the instance takes on before it sheds load
	// (overload.go): MAX_IN_FLIGHT, DB_ACQUIRE_TIMEOUT, DB_LOCK_TIMEOUT,
	// DB_STATEMENT_TIMEOUT.
	Overload Overload
}

// ParseConfig reads the configuration of service name through getenv; the
// error names the first missing or malformed variable.
func ParseConfig(name string, getenv func(string) string) (Config, error) {
	c := Config{
		Name:        or(getenv("SERVICE_NAME"), name),
		HTTPAddr:    or(getenv("HTTP_ADDR"), ":8080"),
		DatabaseURL: getenv("DATABASE_URL"),
		MigrateURL:  getenv("DATABASE_MIGRATE_URL"),
		TopicPrefix: getenv("TOPIC_PREFIX"),
		JWKSURL:     getenv("AUTH_JWKS_URL"),
		CursorKey:   []byte(getenv("CURSOR_KEY")),
	}
	if err := checkURLs(c.DatabaseURL, c.MigrateURL); err != nil {
		return c, err
	}
	if err := checkURL("AUTH_JWKS_URL", c.JWKSURL, true); err != nil {
		return c, err
	}
	c.Brokers = list(getenv("KAFKA_BROKERS"))
	if len(c.Brokers) == 0 {
		return c, fmt.Errorf("KAFKA_BROKERS is required")
	}
	c.ConsulAddr, c.ServiceAddress = strings.TrimSpace(getenv("CONSUL_HTTP_ADDR")), strings.TrimSpace(getenv("SERVICE_ADDRESS"))
	c.ConsulTags = list(or(getenv("CONSUL_SERVICE_TAGS"), discovery.SharedTag))
	if c.ConsulAddr != "" && c.ServiceAddress == "" {
		return c, fmt.Errorf("SERVICE_ADDRESS is required with CONSUL_HTTP_ADDR: the address the gateway dials")
	}
	level, err := obs.ParseLevel(getenv("LOG_LEVEL"))
	if err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	c.LogLevel = level
	if len(c.CursorKey) > 0 && len(c.CursorKey) < kitx.MinCursorKeyLen {
		return c, fmt.Errorf("CURSOR_KEY must be at least %d bytes", kitx.MinCursorKeyLen)
	}
	if err := parseOverload(&c, getenv); err != nil {
		return c, err
	}
	return c, parsePeers(&c, getenv)
}

// MigrateConfig is what `<prog> migrate` reads from the environment.
type MigrateConfig struct {
	DatabaseURL string     // DATABASE_URL (required): the runtime role, granted DML
	MigrateURL  string     // DATABASE_MIGRATE_URL (required): the owner, applies the migrations
	LogLevel    slog.Level // LOG_LEVEL, default info
}

// ParseMigrateConfig reads the configuration of `<prog> migrate` through
// getenv; the error names the first missing or malformed variable.
func ParseMigrateConfig(getenv func(string) string) (MigrateConfig, error) {
	c := MigrateConfig{DatabaseURL: getenv("DATABASE_URL"), MigrateURL: getenv("DATABASE_MIGRATE_URL")}
	if c.MigrateURL == "" {
		return c, fmt.Errorf("DATABASE_MIGRATE_URL is required: the owner of the database, who applies the migrations")
	}
	if err := checkURLs(c.DatabaseURL, c.MigrateURL); err != nil {
		return c, err
	}
	level, err := obs.ParseLevel(getenv("LOG_LEVEL"))
	if err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	c.LogLevel = level
	return c, nil
}

// checkURLs checks DATABASE_URL (required, naming the application role) and
// DATABASE_MIGRATE_URL (a URL when set).
func checkURLs(databaseURL, migrateURL string) error {
	if err := checkURL("DATABASE_URL", databaseURL, true); err != nil {
		return err
	}
	if u, _ := url.Parse(databaseURL); u.User.Username() == "" {
		return fmt.Errorf("DATABASE_URL names no user (the application role)")
	}
	return checkURL("DATABASE_MIGRATE_URL", migrateURL, false)
}

// checkURL checks that variable name's value is a URL with a scheme and a
// host, or empty when it is not required.
func checkURL(name, value string, required bool) error {
	if value == "" {
		if required {
			return fmt.Errorf("%s is required", name)
		}
		return nil
	}
	if u, err := url.Parse(value); err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%s is not a URL", name)
	}
	return nil
}

// list splits a comma-separated value, dropping blanks.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
