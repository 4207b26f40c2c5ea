package forms

import (
	"fmt"
	"net/url"

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

// ConfigFromEnv reads the Config of getenv, under the public URL of
// links (tracking's MARKETING_PUBLIC_URL) and with a key derived from
// theirs (MARKETING_LINK_KEY); a bad value is an error naming its
// variable.
func ConfigFromEnv(links tracking.Links, getenv func(string) string) (Config, error) {
	c := Config{PublicURL: links.PublicURL(), Key: links.SubKey("forms"), SMTPURL: getenv(EnvSMTPURL), From: getenv(EnvMailFrom)}
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
