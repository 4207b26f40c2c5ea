package dashboards

import (
	"fmt"
	"net/mail"

	"github.com/rapport-crm/rapport/libs/mailrelay"
)

// The environment variables delivery reads.
const (
	EnvSMTPURL  = "REPORTING_SMTP_URL"
	EnvMailFrom = "REPORTING_MAIL_FROM"
)

// Config is how schedules are delivered: the SMTP relay (nil: delivery is
// off — schedules are saved and stay due, and the job mails nothing) and
// the From of the mails (MailFrom the address, MailFromName its display
// name).
type Config struct {
	Relay        *mailrelay.Relay
	MailFrom     string
	MailFromName string
}

// FromEnv reads delivery's configuration through getenv: REPORTING_SMTP_URL
// (smtp:// or smtps://, libs/mailrelay; unset turns delivery off) and
// REPORTING_MAIL_FROM (an address, with or without a display name;
// needed with a relay). A bad value is an error naming its variable.
func FromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	if raw := getenv(EnvMailFrom); raw != "" {
		a, err := mail.ParseAddress(raw)
		if err != nil {
			return Config{}, fmt.Errorf("%s %q is not an email address (with or without a name)", EnvMailFrom, raw)
		}
		cfg.MailFrom, cfg.MailFromName = a.Address, a.Name
	}
	raw := getenv(EnvSMTPURL)
	if raw == "" {
		return cfg, nil
	}
	relay, err := mailrelay.Parse(raw, EnvSMTPURL)
	if err != nil {
		return Config{}, err
	}
	if cfg.MailFrom == "" {
		return Config{}, fmt.Errorf("%s must be set when %s is: the From of scheduled reports", EnvMailFrom, EnvSMTPURL)
	}
	cfg.Relay = relay
	return cfg, nil
}
