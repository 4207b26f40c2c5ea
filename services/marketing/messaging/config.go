package messaging

import (
	"fmt"
	"log/slog"
	"net/mail"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// The environment variables the sender reads.
const (
	EnvSMTPURL  = "MARKETING_SMTP_URL"
	EnvMailFrom = "MARKETING_MAIL_FROM"
	EnvSMSURL   = "MARKETING_SMS_URL"
	EnvSMSToken = "MARKETING_SMS_TOKEN"
	// EnvSender "off" runs no sender on the instance (it serves the API
	// only); the other instances send.
	EnvSender = "MARKETING_SENDER"
)

// Config is what the sender is configured with: the relay (nil: email
// fails with ErrNoRelay), the default From, the SMS provider (nil: SMS
// fails with ErrNoSMS) and the links of messages; Off runs no sender.
type Config struct {
	Off      bool
	Relay    *relay
	MailFrom string
	SMS      SMSProvider
	Links    tracking.Links
}

// ConfigFromEnv reads the sender's configuration through getenv.
func ConfigFromEnv(getenv func(string) string, logger *slog.Logger) (Config, error) {
	links, err := tracking.LinksFromEnv(getenv, logger)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Links: links, MailFrom: getenv(EnvMailFrom), Off: getenv(EnvSender) == "off"}
	if cfg.MailFrom != "" && !isAddress(cfg.MailFrom) {
		return Config{}, fmt.Errorf("%s %q is not an email address", EnvMailFrom, cfg.MailFrom)
	}
	if raw := getenv(EnvSMTPURL); raw != "" {
		if cfg.Relay, err = parseRelay(raw); err != nil {
			return Config{}, err
		}
	} else {
		logger.Warn("MARKETING_SMTP_URL is unset: email sends fail")
	}
	if raw := getenv(EnvSMSURL); raw != "" {
		if cfg.SMS, err = NewHTTPSMS(raw, getenv(EnvSMSToken)); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// domainOf is the domain of the address a.
func domainOf(a string) string {
	if p, err := mail.ParseAddress(a); err == nil {
		a = p.Address
	}
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return a[i+1:]
		}
	}
	return ""
}
