package main

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/identity"
	"github.com/rapport-crm/rapport/services/gateway/ratelimit"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// config is the gateway's configuration, read from the environment.
type config struct {
	Addr            string        // GATEWAY_ADDR, default :8080
	MetricsAddr     string        // GATEWAY_METRICS_ADDR, default 127.0.0.1:9090: /metrics (and the probes), never on Addr
	DatabaseURL     string        // DATABASE_URL: the runtime role (no BYPASSRLS)
	MigrateURL      string        // DATABASE_MIGRATE_URL: the owner; set, migrations run at start, else the gateway waits for `gateway migrate`
	SigningKeys     string        // GATEWAY_SIGNING_KEYS: PEM path(s), comma-separated, current first; or PEM text
	DataKey         []byte        // GATEWAY_DATA_KEY: 32 bytes, base64
	PlatformToken   string        // GATEWAY_PLATFORM_TOKEN: the operator's token for /admin/v1 (at least 32 characters)
	PublicURL       string        // GATEWAY_PUBLIC_URL, default http://127.0.0.1:8080
	LogLevel        slog.Level    // LOG_LEVEL
	ShutdownTimeout time.Duration // GATEWAY_SHUTDOWN_TIMEOUT, default 20s

	StaticUpstreams string          // STATIC_UPSTREAMS: name=host:port,… when there is no Consul
	ConsulAddr      string          // CONSUL_HTTP_ADDR: resolve upstreams in Consul by tenant tag
	RedisURL        string          // REDIS_URL: share rate limits and the login throttle across replicas
	TenantLimit     ratelimit.Limit // RATE_LIMIT_TENANT, RATE:BURST, default 100:200
	APIKeyLimit     ratelimit.Limit // RATE_LIMIT_API_KEY, RATE:BURST, default 20:40
	AuditRetention  time.Duration   // AUDIT_RETENTION, default 400d
	AuditBulkRead   int             // AUDIT_BULK_READ_LIMIT: larger pages of personal records are audited, default 100
	DialTimeout     time.Duration   // UPSTREAM_DIAL_TIMEOUT, default 2s
	HeaderTimeout   time.Duration   // UPSTREAM_RESPONSE_HEADER_TIMEOUT, default 30s
	Retries         int             // UPSTREAM_RETRIES, default 2
	BreakerFailures int             // BREAKER_FAILURES, default 5
	BreakerCoolDown time.Duration   // BREAKER_COOLDOWN, default 10s
	OpenAPIRefresh  time.Duration   // OPENAPI_REFRESH, default 5m

	RevocationPoll time.Duration  // GATEWAY_REVOCATION_POLL: how often the revocations table is read, default 500ms, at most 1s (revocation.go)
	CORSOrigins    []string       // GATEWAY_CORS_ORIGINS: comma-separated exact origins browsers may call the API from; none by default
	Overload       overloadConfig // GATEWAY_MAX_IN_FLIGHT, GATEWAY_DB_*_TIMEOUT (overload.go)

	// The public portal's limits: per client address, and per tenant's
	// portal.
	PortalAddressLimit ratelimit.Limit // RATE_LIMIT_PORTAL_ADDRESS, RATE:BURST, default 2:30
	PortalTenantLimit  ratelimit.Limit // RATE_LIMIT_PORTAL_TENANT, RATE:BURST, default 50:100

	// The public marketing pages' limits per client address and per
	// tenant, for tracking links (RATE_LIMIT_MARKETING_TRACK_ADDRESS,
	// default 20:200; _TENANT, 1000:2000), form submissions
	// (RATE_LIMIT_MARKETING_FORM_ADDRESS, 0.1:5; _TENANT, 20:50) and the
	// other pages (RATE_LIMIT_MARKETING_PAGE_ADDRESS, 2:30; _TENANT, 50:100).
	MarketingAddressLimits ratelimit.MarketingLimits
	MarketingTenantLimits  ratelimit.MarketingLimits

	Brokers     []string // KAFKA_BROKERS: the events notifications are made of; none without
	TopicPrefix string   // TOPIC_PREFIX of those topics, "" for the shared tier
	SMTPURL     string   // GATEWAY_SMTP_URL: smtp://user:pass@host:port for notification emails; none without
	MailFrom    string   // GATEWAY_MAIL_FROM: their sender, required with GATEWAY_SMTP_URL

	Webhooks            bool            // GATEWAY_WEBHOOKS on|off, default on: this replica's webhook fan-out and dispatcher
	WebhookWorkers      int             // GATEWAY_WEBHOOK_WORKERS: deliveries sent at once, default 32
	WebhookTimeout      time.Duration   // GATEWAY_WEBHOOK_TIMEOUT: one attempt, default 15s
	WebhookDisableAfter time.Duration   // GATEWAY_WEBHOOK_DISABLE_AFTER: failing this long disables a subscription, default 72h
	WebhookSchedule     []time.Duration // GATEWAY_WEBHOOK_SCHEDULE: comma-separated waits before each attempt; default the Standard Webhooks one
	WebhookAllowPrivate bool            // GATEWAY_WEBHOOK_ALLOW_PRIVATE: the development setting (loopback and http allowed), default false
}

// loadConfig reads the environment; an error names the variable at fault.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:            orDefault(getenv("GATEWAY_ADDR"), ":8080"),
		MetricsAddr:     orDefault(getenv("GATEWAY_METRICS_ADDR"), "127.0.0.1:9090"),
		DatabaseURL:     getenv("DATABASE_URL"),
		MigrateURL:      getenv("DATABASE_MIGRATE_URL"),
		SigningKeys:     getenv("GATEWAY_SIGNING_KEYS"),
		PlatformToken:   getenv("GATEWAY_PLATFORM_TOKEN"),
		PublicURL:       orDefault(getenv("GATEWAY_PUBLIC_URL"), "http://127.0.0.1:8080"),
		ShutdownTimeout: 20 * time.Second,
	}
	if c.DatabaseURL == "" {
		return c, fmt.Errorf("DATABASE_URL is required")
	}
	if _, err := url.Parse(c.DatabaseURL); err != nil {
		return c, fmt.Errorf("DATABASE_URL is not a URL: %v", err)
	}
	if u, err := url.Parse(c.MigrateURL); c.MigrateURL != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		return c, fmt.Errorf("DATABASE_MIGRATE_URL is not a URL")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(getenv("GATEWAY_DATA_KEY")))
	if err != nil || len(key) != identity.DataKeyLen {
		return c, fmt.Errorf("GATEWAY_DATA_KEY must be %d random bytes in base64 (openssl rand -base64 32)", identity.DataKeyLen)
	}
	c.DataKey = key
	if len(c.PlatformToken) < 32 {
		return c, fmt.Errorf("GATEWAY_PLATFORM_TOKEN must be at least 32 characters")
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		return c, fmt.Errorf("GATEWAY_METRICS_ADDR must be host:port, such as 127.0.0.1:9090 or :9090: %v", err)
	}
	if c.MetricsAddr == c.Addr {
		return c, fmt.Errorf("GATEWAY_METRICS_ADDR must differ from GATEWAY_ADDR: metrics are not served on the public port")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return c, fmt.Errorf("GATEWAY_PUBLIC_URL must be an absolute http(s) URL")
	}
	if c.LogLevel, err = obs.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %v", err)
	}
	if v := getenv("GATEWAY_SHUTDOWN_TIMEOUT"); v != "" {
		if c.ShutdownTimeout, err = time.ParseDuration(v); err != nil || c.ShutdownTimeout <= 0 {
			return c, fmt.Errorf("GATEWAY_SHUTDOWN_TIMEOUT must be a positive duration such as 20s")
		}
	}
	if err := loadNotifyConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadRevocationConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadOverloadConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadWebsecConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadWebhookConfig(getenv, &c); err != nil {
		return c, err
	}
	return c, loadEdgeConfig(getenv, &c)
}

// loadNotifyConfig reads the settings of the notifications.
func loadNotifyConfig(getenv func(string) string, c *config) error {
	for _, b := range strings.Split(getenv("KAFKA_BROKERS"), ",") {
		if b = strings.TrimSpace(b); b != "" {
			c.Brokers = append(c.Brokers, b)
		}
	}
	c.TopicPrefix = getenv("TOPIC_PREFIX")
	c.SMTPURL = strings.TrimSpace(getenv("GATEWAY_SMTP_URL"))
	c.MailFrom = strings.TrimSpace(getenv("GATEWAY_MAIL_FROM"))
	if c.SMTPURL == "" {
		return nil
	}
	if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return fmt.Errorf("GATEWAY_SMTP_URL must be smtp://[user:password@]host[:port] (or smtps://)")
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("GATEWAY_MAIL_FROM must be an email address (with GATEWAY_SMTP_URL): %v", err)
	}
	return nil
}

// loadWebhookConfig reads the settings of the webhooks' delivery.
func loadWebhookConfig(getenv func(string) string, c *config) error {
	var err error
	if c.Webhooks, err = parseSwitch(getenv("GATEWAY_WEBHOOKS"), true); err != nil {
		return fmt.Errorf("GATEWAY_WEBHOOKS: %v", err)
	}
	if c.WebhookAllowPrivate, err = parseSwitch(getenv("GATEWAY_WEBHOOK_ALLOW_PRIVATE"), false); err != nil {
		return fmt.Errorf("GATEWAY_WEBHOOK_ALLOW_PRIVATE: %v", err)
	}
	c.WebhookWorkers = delivery.DefaultWorkers
	if v := getenv("GATEWAY_WEBHOOK_WORKERS"); v != "" {
		if c.WebhookWorkers, err = strconv.Atoi(v); err != nil || c.WebhookWorkers < 1 {
			return fmt.Errorf("GATEWAY_WEBHOOK_WORKERS: %q is not a whole number ≥ 1", v)
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"GATEWAY_WEBHOOK_TIMEOUT", &c.WebhookTimeout, delivery.DefaultTimeout},
		{"GATEWAY_WEBHOOK_DISABLE_AFTER", &c.WebhookDisableAfter, delivery.DefaultDisableAfter},
	} {
		*d.dst = d.def
		if v := getenv(d.name); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				return fmt.Errorf("%s: %q is not a positive duration such as 15s", d.name, v)
			}
		}
	}
	c.WebhookSchedule = delivery.DefaultSchedule(c.WebhookDisableAfter)
	if v := getenv("GATEWAY_WEBHOOK_SCHEDULE"); v != "" {
		c.WebhookSchedule = nil
		for _, part := range strings.Split(v, ",") {
			w, err := time.ParseDuration(strings.TrimSpace(part))
			if err != nil || w < 0 {
				return fmt.Errorf("GATEWAY_WEBHOOK_SCHEDULE: %q is not a comma-separated list of durations such as 0s,5s,5m", v)
			}
			c.WebhookSchedule = append(c.WebhookSchedule, w)
		}
	}
	return nil
}

// webhookDelivery is the dispatcher's configuration these settings make;
// the caller adds Open, OnDisabled, Logger and Metrics.
func (c config) webhookDelivery() delivery.Config {
	return delivery.Config{
		DatabaseURL: c.DatabaseURL, Workers: c.WebhookWorkers, Timeout: c.WebhookTimeout, Schedule: c.WebhookSchedule,
		DisableAfter: c.WebhookDisableAfter, AllowLoopback: c.WebhookAllowPrivate, AllowHTTP: c.WebhookAllowPrivate,
	}
}

// parseSwitch reads on|off (also true|false, 1|0); def when empty.
func parseSwitch(v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither on nor off", v)
}

// loadEdgeConfig reads the settings of the proxy, the rate limits and the
// audit log.
func loadEdgeConfig(getenv func(string) string, c *config) error {
	c.StaticUpstreams = strings.TrimSpace(getenv("STATIC_UPSTREAMS"))
	c.ConsulAddr = strings.TrimSpace(getenv("CONSUL_HTTP_ADDR"))
	c.RedisURL = strings.TrimSpace(getenv("REDIS_URL"))
	if c.StaticUpstreams == "" && c.ConsulAddr == "" {
		return fmt.Errorf("STATIC_UPSTREAMS or CONSUL_HTTP_ADDR is required: the gateway must find the services")
	}
	var err error
	for _, l := range []struct {
		name string
		dst  *ratelimit.Limit
		def  ratelimit.Limit
	}{{"RATE_LIMIT_TENANT", &c.TenantLimit, ratelimit.DefaultTenantLimit}, {"RATE_LIMIT_API_KEY", &c.APIKeyLimit, ratelimit.DefaultAPIKeyLimit},
		{"RATE_LIMIT_PORTAL_ADDRESS", &c.PortalAddressLimit, ratelimit.DefaultPortalClientLimit},
		{"RATE_LIMIT_PORTAL_TENANT", &c.PortalTenantLimit, ratelimit.DefaultPortalTenantLimit},
		{"RATE_LIMIT_MARKETING_TRACK_ADDRESS", &c.MarketingAddressLimits.Track, ratelimit.DefaultMarketingClientLimits.Track},
		{"RATE_LIMIT_MARKETING_TRACK_TENANT", &c.MarketingTenantLimits.Track, ratelimit.DefaultMarketingTenantLimits.Track},
		{"RATE_LIMIT_MARKETING_FORM_ADDRESS", &c.MarketingAddressLimits.Submit, ratelimit.DefaultMarketingClientLimits.Submit},
		{"RATE_LIMIT_MARKETING_FORM_TENANT", &c.MarketingTenantLimits.Submit, ratelimit.DefaultMarketingTenantLimits.Submit},
		{"RATE_LIMIT_MARKETING_PAGE_ADDRESS", &c.MarketingAddressLimits.Page, ratelimit.DefaultMarketingClientLimits.Page},
		{"RATE_LIMIT_MARKETING_PAGE_TENANT", &c.MarketingTenantLimits.Page, ratelimit.DefaultMarketingTenantLimits.Page}} {
		*l.dst = l.def
		if v := getenv(l.name); v != "" {
			if *l.dst, err = ratelimit.ParseLimit(v); err != nil {
				return fmt.Errorf("%s: %v", l.name, err)
			}
		}
	}
	c.AuditRetention = audit.DefaultRetention
	if v := getenv("AUDIT_RETENTION"); v != "" {
		if c.AuditRetention, err = audit.ParseRetention(v); err != nil {
			return fmt.Errorf("AUDIT_RETENTION: %v", err)
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"UPSTREAM_DIAL_TIMEOUT", &c.DialTimeout, 2 * time.Second},
		{"UPSTREAM_RESPONSE_HEADER_TIMEOUT", &c.HeaderTimeout, 30 * time.Second},
		{"BREAKER_COOLDOWN", &c.BreakerCoolDown, 10 * time.Second},
		{"OPENAPI_REFRESH", &c.OpenAPIRefresh, 5 * time.Minute},
	} {
		*d.dst = d.def
		if v := getenv(d.name); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				return fmt.Errorf("%s: %q is not a positive duration such as 2s", d.name, v)
			}
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
		def  int
		min  int
	}{
		{"UPSTREAM_RETRIES", &c.Retries, 2, 0}, {"BREAKER_FAILURES", &c.BreakerFailures, 5, 1},
		{"AUDIT_BULK_READ_LIMIT", &c.AuditBulkRead, audit.DefaultBulkReadLimit, 0},
	} {
		*n.dst = n.def
		if v := getenv(n.name); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil || *n.dst < n.min {
				return fmt.Errorf("%s: %q is not a whole number ≥ %d", n.name, v, n.min)
			}
		}
	}
	if c.Retries == 0 {
		c.Retries = -1 // proxy.Config's "none"; its zero value means the default
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
