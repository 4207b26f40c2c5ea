package main

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/registry"
)

// Config is the launcher's whole configuration, read from the environment
// once at start by LoadConfig.
type Config struct {
	// RepoRoot is the directory holding go.work (RAPPORT_REPO_ROOT, default:
	// found by walking up from the working directory).
	RepoRoot string
	// StateDir holds the throwaway cluster and generated passwords
	// (RAPPORT_STATE_DIR, default <RepoRoot>/.local).
	StateDir string
	// DatabaseURL is the admin DSN of an existing PostgreSQL (DATABASE_URL);
	// nil means start a throwaway cluster.
	DatabaseURL *url.URL
	// LocalPGPort is the throwaway cluster's port (RAPPORT_LOCAL_PG_PORT).
	LocalPGPort int
	// KafkaBrokers are the brokers of a real cluster (KAFKA_BROKERS); empty
	// means run the in-process kfake.
	KafkaBrokers []string
	// LocalKafkaPort is the in-process Kafka's port (RAPPORT_LOCAL_KAFKA_PORT).
	LocalKafkaPort int
	// ConsulAddr is passed through to services (CONSUL_HTTP_ADDR).
	ConsulAddr string
	// HTTPBasePort is the first service port (RAPPORT_HTTP_BASE_PORT).
	HTTPBasePort int
	// GatewayPort is the public door (RAPPORT_GATEWAY_PORT): the gateway's
	// port, or the stand-in token issuer's while there is no gateway.
	GatewayPort int
	// GatewayMetricsPort is where the gateway serves /metrics, on loopback
	// (RAPPORT_GATEWAY_METRICS_PORT); the public door does not serve them.
	GatewayMetricsPort int
	// DemoPassword is the demo administrator's password
	// (RAPPORT_DEMO_PASSWORD); empty means generate one and keep it.
	DemoPassword string
	// LogLevel is passed to services as LOG_LEVEL.
	LogLevel string
	// Services restricts which services run (RAPPORT_SERVICES); nil means all.
	Services []string
	// ReadyTimeout bounds the wait for each service's /readyz
	// (RAPPORT_READY_TIMEOUT).
	ReadyTimeout time.Duration
	// Replicas is how many processes run of each service and of the
	// gateway (RAPPORT_REPLICAS, default 1); above 1 the launcher fronts
	// each service and the gateway with a balancer (replicas.go).
	Replicas int
	// ControlAddr is the loopback host:port of the control API
	// (RAPPORT_CONTROL_ADDR); empty means no control API (control.go).
	ControlAddr string
}

// Defaults of the optional variables.
const (
	defaultLocalPGPort    = 55432
	defaultLocalKafkaPort = 9092
	defaultHTTPBasePort   = 8081
	defaultGatewayPort    = 8080
	defaultMetricsPort    = 9090
	defaultLogLevel       = "info"
	defaultReadyTimeout   = 60 * time.Second
	maxReplicas           = 9
)

// ConfigError is a missing or malformed variable; its message names it.
type ConfigError struct {
	Var string // the environment variable
	Msg string // what is wrong, e.g. `"abc" is not a port`
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Msg }

// LoadConfig parses the environment (read through getenv) into a Config.
// findRoot is called only when RAPPORT_REPO_ROOT is unset. The first bad
// variable stops parsing with a *ConfigError.
func LoadConfig(getenv func(string) string, findRoot func() (string, error)) (Config, error) {
	c := Config{
		LocalPGPort:        defaultLocalPGPort,
		LocalKafkaPort:     defaultLocalKafkaPort,
		HTTPBasePort:       defaultHTTPBasePort,
		GatewayPort:        defaultGatewayPort,
		GatewayMetricsPort: defaultMetricsPort,
		LogLevel:           defaultLogLevel,
		ReadyTimeout:       defaultReadyTimeout,
		Replicas:           1,
	}
	var err error
	if c.RepoRoot, err = dirVar(getenv, "RAPPORT_REPO_ROOT"); err != nil {
		return Config{}, err
	}
	if c.RepoRoot == "" {
		if c.RepoRoot, err = findRoot(); err != nil {
			return Config{}, &ConfigError{"RAPPORT_REPO_ROOT", "unset and " + err.Error()}
		}
	}
	if c.StateDir, err = dirVar(getenv, "RAPPORT_STATE_DIR"); err != nil {
		return Config{}, err
	}
	if c.StateDir == "" {
		c.StateDir = filepath.Join(c.RepoRoot, ".local")
	}
	if c.DatabaseURL, err = postgresURLVar(getenv, "DATABASE_URL"); err != nil {
		return Config{}, err
	}
	if err := portVar(getenv, "RAPPORT_LOCAL_PG_PORT", &c.LocalPGPort); err != nil {
		return Config{}, err
	}
	if c.KafkaBrokers, err = brokersVar(getenv, "KAFKA_BROKERS"); err != nil {
		return Config{}, err
	}
	if err := portVar(getenv, "RAPPORT_LOCAL_KAFKA_PORT", &c.LocalKafkaPort); err != nil {
		return Config{}, err
	}
	c.ConsulAddr = strings.TrimSpace(getenv("CONSUL_HTTP_ADDR"))
	if err := portVar(getenv, "RAPPORT_HTTP_BASE_PORT", &c.HTTPBasePort); err != nil {
		return Config{}, err
	}
	if err := portVar(getenv, "RAPPORT_GATEWAY_PORT", &c.GatewayPort); err != nil {
		return Config{}, err
	}
	if err := portVar(getenv, "RAPPORT_GATEWAY_METRICS_PORT", &c.GatewayMetricsPort); err != nil {
		return Config{}, err
	}
	if c.GatewayMetricsPort == c.GatewayPort {
		return Config{}, &ConfigError{"RAPPORT_GATEWAY_METRICS_PORT", fmt.Sprintf("%d is the gateway's public port (RAPPORT_GATEWAY_PORT); metrics need their own", c.GatewayMetricsPort)}
	}
	if c.DemoPassword = getenv("RAPPORT_DEMO_PASSWORD"); c.DemoPassword != "" && len(c.DemoPassword) < 10 {
		return Config{}, &ConfigError{"RAPPORT_DEMO_PASSWORD", "must be at least 10 characters"}
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		switch l := strings.ToLower(v); l {
		case "debug", "info", "warn", "error":
			c.LogLevel = l
		default:
			return Config{}, &ConfigError{"LOG_LEVEL", fmt.Sprintf("%q is not one of debug, info, warn, error", v)}
		}
	}
	if c.Services, err = namesVar(getenv, "RAPPORT_SERVICES"); err != nil {
		return Config{}, err
	}
	if v := strings.TrimSpace(getenv("RAPPORT_READY_TIMEOUT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, &ConfigError{"RAPPORT_READY_TIMEOUT", fmt.Sprintf("%q is not a positive duration (e.g. 60s, 2m)", v)}
		}
		c.ReadyTimeout = d
	}
	if v := strings.TrimSpace(getenv("RAPPORT_REPLICAS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxReplicas {
			return Config{}, &ConfigError{"RAPPORT_REPLICAS", fmt.Sprintf("%q is not a number of processes from 1 to %d", v, maxReplicas)}
		}
		c.Replicas = n
	}
	if c.ControlAddr, err = loopbackVar(getenv, "RAPPORT_CONTROL_ADDR"); err != nil {
		return Config{}, err
	}
	return c, nil
}

// loopbackVar accepts a host:port on a loopback address: the control API
// kills processes and so never listens beyond this machine.
func loopbackVar(getenv func(string) string, name string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return "", nil
	}
	host, port, err := net.SplitHostPort(v)
	ip := net.ParseIP(host)
	if err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return "", &ConfigError{name, fmt.Sprintf("%q is not a loopback host:port (e.g. 127.0.0.1:7070)", v)}
	}
	if _, err := parsePort(port); err != nil {
		return "", &ConfigError{name, fmt.Sprintf("%q has a bad port", v)}
	}
	return v, nil
}

func dirVar(getenv func(string) string, name string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return "", nil
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", &ConfigError{name, fmt.Sprintf("%q is not a usable path: %v", v, err)}
	}
	return abs, nil
}

func portVar(getenv func(string) string, name string, dst *int) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	p, err := parsePort(v)
	if err != nil {
		return &ConfigError{name, fmt.Sprintf("%q is not a port", v)}
	}
	*dst = p
	return nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%q is not a port", s)
	}
	return p, nil
}

// postgresURLVar accepts a postgres:// or postgresql:// URL with a host; the
// launcher derives per-service DSNs from it, so the key=value form is refused.
func postgresURLVar(getenv func(string) string, name string) (*url.URL, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, &ConfigError{name, fmt.Sprintf("%q is not a postgres://user@host:port/db URL", redactDSN(v))}
	}
	return u, nil
}

// redactDSN hides a password in a malformed DSN before it is printed.
func redactDSN(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
		return s
	}
	return kvPassword.ReplaceAllString(s, "${1}xxxxx")
}

// kvPassword finds the password of a key=value DSN.
var kvPassword = regexp.MustCompile(`(password\s*=\s*)('[^']*'|\S+)`)

func brokersVar(getenv func(string) string, name string) ([]string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil, nil
	}
	var brokers []string
	for _, b := range strings.Split(v, ",") {
		b = strings.TrimSpace(b)
		host, port, err := net.SplitHostPort(b)
		if err != nil || host == "" {
			return nil, &ConfigError{name, fmt.Sprintf("%q is not a host:port", b)}
		}
		if _, err := parsePort(port); err != nil {
			return nil, &ConfigError{name, fmt.Sprintf("%q has a bad port", b)}
		}
		brokers = append(brokers, b)
	}
	return brokers, nil
}

func namesVar(getenv func(string) string, name string) ([]string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil, nil
	}
	var names []string
	for _, n := range strings.Split(v, ",") {
		n = strings.TrimSpace(n)
		if !registry.ValidName(n) {
			return nil, &ConfigError{name, fmt.Sprintf("%q is not a service name", n)}
		}
		names = append(names, n)
	}
	return names, nil
}
