package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// config is the operator's configuration, read from the environment.
type config struct {
	Controller  controller.Config
	MetricsAddr string     // METRICS_ADDR, default :8080; "0" turns it off
	HealthAddr  string     // HEALTH_ADDR, default :8081
	LeaderElect bool       // LEADER_ELECT, default true
	LogLevel    slog.Level // LOG_LEVEL, default info
}

// loadConfig reads the environment through getenv; the error names the
// first variable that is missing or malformed. TENANT_SERVICES may name the
// services of reg behind the gateway, and defaults to those built.
func loadConfig(getenv func(string) string, reg registry.Registry) (config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := config{
		MetricsAddr: env("METRICS_ADDR", ":8080"),
		HealthAddr:  env("HEALTH_ADDR", ":8081"),
	}
	cc := &c.Controller
	cc.Namespace = env("OPERATOR_NAMESPACE", "rapport-system")
	cc.ImageRepository = strings.TrimSuffix(env("IMAGE_REPOSITORY", "ghcr.io/rapport-crm"), "/")
	cc.Version = env("RAPPORT_VERSION", "")
	cc.GatewayURL = strings.TrimSuffix(env("GATEWAY_URL", ""), "/")
	cc.GatewayToken = env("GATEWAY_PLATFORM_TOKEN", "")
	cc.PublicURL = strings.TrimSuffix(env("GATEWAY_PUBLIC_URL", cc.GatewayURL), "/")
	cc.JWKSURL = env("GATEWAY_JWKS_URL", cc.GatewayURL+controller.JWKSPath)
	cc.GatewayNamespace = env("GATEWAY_NAMESPACE", cc.Namespace)
	cc.ConsulAddr = env("CONSUL_HTTP_ADDR", "")
	cc.DefaultResources = controller.DefaultResources()
	known := reg.Domain()
	cc.Services = list(env("TENANT_SERVICES", strings.Join(known.Built().Names(), ",")))
	cc.KafkaBrokers = list(env("KAFKA_BROKERS", ""))
	cc.BackupURL = env("BACKUP_URL", "")
	cc.PGBinDir = env("PG_BIN_DIR", "")

	for _, s := range cc.Services {
		if _, ok := known.Lookup(s); !ok {
			return c, fmt.Errorf("TENANT_SERVICES: %q is not one of %s", s, strings.Join(known.Names(), ", "))
		}
	}
	switch {
	case len(cc.Services) == 0:
		return c, fmt.Errorf("TENANT_SERVICES must name at least one service")
	case cc.Version == "":
		return c, fmt.Errorf("RAPPORT_VERSION is required: the image tag of the tenants' services")
	case len(cc.KafkaBrokers) == 0:
		return c, fmt.Errorf("KAFKA_BROKERS is required: host:port,… of the tenants' Kafka")
	case !httpURL(cc.GatewayURL):
		return c, fmt.Errorf("GATEWAY_URL is required: the gateway's base URL, http(s)://host:port")
	case len(cc.GatewayToken) < 32:
		return c, fmt.Errorf("GATEWAY_PLATFORM_TOKEN must be the gateway's platform token (at least 32 characters)")
	case !httpURL(cc.PublicURL):
		return c, fmt.Errorf("GATEWAY_PUBLIC_URL must be an http(s) URL: the gateway's public URL, where the links the tenants' marketing mails point")
	case !httpURL(cc.JWKSURL):
		return c, fmt.Errorf("GATEWAY_JWKS_URL must be an http(s) URL")
	}
	var err error
	if cc.GatewayPodLabels, err = labels(env("GATEWAY_POD_LABELS", "app.kubernetes.io/name=gateway")); err != nil {
		return c, fmt.Errorf("GATEWAY_POD_LABELS: %v", err)
	}
	if cc.MaxConcurrentReconciles, err = positive(env("MAX_CONCURRENT_RECONCILES", strconv.Itoa(controller.DefaultMaxConcurrentReconciles))); err != nil {
		return c, fmt.Errorf("MAX_CONCURRENT_RECONCILES: %v", err)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"STEP_TIMEOUT", &cc.StepTimeout, controller.DefaultStepTimeout},
		{"RETRY_BASE_DELAY", &cc.RetryBaseDelay, controller.DefaultRetryBaseDelay},
		{"RETRY_MAX_DELAY", &cc.RetryMaxDelay, controller.DefaultRetryMaxDelay},
	} {
		if *d.dst, err = time.ParseDuration(env(d.name, d.def.String())); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s: %q is not a positive duration such as 10s", d.name, getenv(d.name))
		}
	}
	if cc.RetryMaxDelay < cc.RetryBaseDelay {
		return c, fmt.Errorf("RETRY_MAX_DELAY must not be below RETRY_BASE_DELAY")
	}
	if c.LeaderElect, err = strconv.ParseBool(env("LEADER_ELECT", "true")); err != nil {
		return c, fmt.Errorf("LEADER_ELECT: %q is not true or false", getenv("LEADER_ELECT"))
	}
	if c.LogLevel, err = obs.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %v", err)
	}
	return c, nil
}

// list splits a comma-separated value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// labels parses key=value,… into a map.
func labels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range list(s) {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", item)
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one key=value is required")
	}
	return out, nil
}

// positive parses a whole number above zero.
func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a whole number ≥ 1", s)
	}
	return n, nil
}

// httpURL reports whether s is an absolute http(s) URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
