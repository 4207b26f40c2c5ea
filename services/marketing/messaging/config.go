package messaging

import (
	"fmt"
	"log/slog"
	"net/mail"

	"github.com/rapport-crm/rapport/libs/mailrelay"

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
// fails with ErrNoRelay), the default From (MailFrom the address,
// MailFromName its display name), the SMS provider (nil: SMS fails with
// ErrNoSMS) and the links of messages; Off runs no sender.
type Config struct {
	Off          bool
	Relay        *mailrelay.Relay
	MailFrom     string
	MailFromName string
	SMS          SMSProvider
	Links        tracking.Links
}

// ConfigFromEnv reads the sender's configuration through getenv, its
// messages' links being links; a bad value is an error naming its
// variable.
func ConfigFromEnv(links tracking.Links, getenv func(string) string, logger *slog.Logger) (Config, error) {
	var err error
	cfg := Config{Links: links, Off: getenv(EnvSender) == "off"}
	if raw := getenv(EnvMailFrom); raw != "" {
		a, err := mail.ParseAddress(raw)
		if err != nil {
			return Config{}, fmt.Errorf("%s %q is not an email address (with or without a name)", EnvMailFrom, raw)
		}
		cfg.MailFrom, cfg.MailFromName = a.Address, a.Name
	}
	if raw := getenv(EnvSMTPURL); raw != "" {
		if cfg.Relay, err = mailrelay.Parse(raw, EnvSMTPURL); err != nil {
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
