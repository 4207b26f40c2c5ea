package forms

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// The environment variables of the relay and the sender of the double
// opt-in's confirmation mails (the public URL and the link key are
// tracking's: tracking.EnvPublicURL, tracking.EnvLinkKey).
const (
	EnvSMTPURL  = "MARKETING_SMTP_URL"
	EnvMailFrom = "MARKETING_MAIL_FROM"
)

// Config is what forms reads of the environment.
type Config struct {
	// PublicURL is the gateway's public URL: the snippet posts to
	// <PublicURL>/m/<tenantId>/forms/{id}, confirmation links point at
	// <PublicURL>/m/<tenantId>/forms/{id}/confirm/{token}.
	PublicURL string
	// Key signs the confirmation links (HMAC-SHA256).
	Key []byte
	// SMTPURL is the relay (smtp:// or smtps://host:port, with optional
	// user:password); "" sends no mail, and a double opt-in submission is
	// then refused as undeliverable.
	SMTPURL string
	// From is the confirmation mails' sender.
	From string
}

// defaultPublicURL is the gateway of make run.
const defaultPublicURL = "http://127.0.0.1:8080"

// minKeyLen is the shortest link key accepted, in bytes decoded.
const minKeyLen = 32

// ConfigFromEnv reads the Config of getenv; a bad value is an error
// naming its variable. An unset key is a random one, with a warning to
// logger: confirmation links then die with the process.
func ConfigFromEnv(getenv func(string) string, logger *slog.Logger) (Config, error) {
	c := Config{PublicURL: strings.TrimRight(getenv(tracking.EnvPublicURL), "/"), SMTPURL: getenv(EnvSMTPURL), From: getenv(EnvMailFrom)}
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("forms: %s %q is not an http(s) URL", tracking.EnvPublicURL, c.PublicURL)
	}
	if raw := getenv(tracking.EnvLinkKey); raw != "" {
		key, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			key, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
		}
		if err != nil || len(key) < minKeyLen {
			return c, fmt.Errorf("forms: %s must be base64 of at least %d bytes", tracking.EnvLinkKey, minKeyLen)
		}
		c.Key = key
	} else {
		c.Key = make([]byte, minKeyLen)
		_, _ = rand.Read(c.Key)
		logger.Warn(tracking.EnvLinkKey + " is unset: forms' confirmation links are signed with a random key and stop working when the process ends")
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Port() == "" {
			return c, fmt.Errorf("forms: %s must be smtp://[user:password@]host:port or smtps://…", EnvSMTPURL)
		}
	}
	if c.From == "" {
		u, _ := url.Parse(c.PublicURL)
		c.From = "no-reply@" + u.Hostname()
	}
	return c, nil
}

// MustConfig is ConfigFromEnv for the service's wiring, whose route
// table cannot return an error: a bad value stops the program with the
// line naming its variable.
func MustConfig(getenv func(string) string) Config {
	c, err := ConfigFromEnv(getenv, slog.Default())
	if err != nil {
		panic(err)
	}
	return c
}
