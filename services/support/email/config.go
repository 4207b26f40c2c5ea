package email

import (
	"crypto/rand"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Config is the email channel's configuration, from the environment
// (ParseConfig).
type Config struct {
	// SMTPAddr (SUPPORT_SMTP_ADDR) is where the inbound SMTP listener
	// listens; unset, there is none (the webhook still takes mail).
	SMTPAddr string
	// SMTPURL (SUPPORT_SMTP_URL, smtp://[user:password@]host:port) is the
	// relay outbound mail goes through; unset, nothing is sent.
	SMTPURL string
	// From (SUPPORT_MAIL_FROM) is the sender of outbound mail when the
	// case's mailbox is gone, and its domain that of the Message-IDs the
	// service makes. Required with SUPPORT_SMTP_URL.
	From string
	// TokenKey (SUPPORT_MAIL_TOKEN_KEY, at least 32 bytes) signs the case
	// tokens in subjects; random per process when unset.
	TokenKey []byte
	// MaxBytes (SUPPORT_MAIL_MAX_BYTES, default 30 MiB) is the largest mail
	// either entrance takes.
	MaxBytes int64
	// SenderPerMinute (SUPPORT_MAIL_SENDER_PER_MINUTE, default 20) is how
	// many mails a sender sends in a minute before the next are taken for a
	// loop: stored, never answered.
	SenderPerMinute int
}

// minTokenKey is the shortest SUPPORT_MAIL_TOKEN_KEY.
const minTokenKey = 32

// ParseConfig reads the email channel's configuration through getenv; the
// error names the first malformed variable.
func ParseConfig(getenv func(string) string) (Config, error) {
	c := Config{SMTPAddr: strings.TrimSpace(getenv("SUPPORT_SMTP_ADDR")), SMTPURL: strings.TrimSpace(getenv("SUPPORT_SMTP_URL")),
		From: strings.TrimSpace(getenv("SUPPORT_MAIL_FROM")), TokenKey: []byte(getenv("SUPPORT_MAIL_TOKEN_KEY")),
		MaxBytes: 30 << 20, SenderPerMinute: 20}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || u.Scheme != "smtp" || u.Hostname() == "" || u.Port() == "" {
			return c, fmt.Errorf("SUPPORT_SMTP_URL must be smtp://[user:password@]host:port")
		}
		if c.From == "" {
			return c, fmt.Errorf("SUPPORT_MAIL_FROM is required with SUPPORT_SMTP_URL")
		}
	}
	if c.From != "" {
		if a, err := mail.ParseAddress(c.From); err != nil || !strings.Contains(a.Address, "@") {
			return c, fmt.Errorf("SUPPORT_MAIL_FROM is not an email address")
		}
	}
	if len(c.TokenKey) == 0 {
		c.TokenKey = make([]byte, minTokenKey)
		_, _ = rand.Read(c.TokenKey) // crypto/rand.Read never fails
	} else if len(c.TokenKey) < minTokenKey {
		return c, fmt.Errorf("SUPPORT_MAIL_TOKEN_KEY must be at least %d bytes", minTokenKey)
	}
	if v := getenv("SUPPORT_MAIL_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1<<10 {
			return c, fmt.Errorf("SUPPORT_MAIL_MAX_BYTES must be a number of bytes, at least 1024")
		}
		c.MaxBytes = n
	}
	if v := getenv("SUPPORT_MAIL_SENDER_PER_MINUTE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("SUPPORT_MAIL_SENDER_PER_MINUTE must be a positive number")
		}
		c.SenderPerMinute = n
	}
	return c, nil
}

// domain is the domain of the service's Message-IDs: From's, or
// "rapport.invalid" when no sender is configured.
func (c Config) domain() string {
	if a, err := mail.ParseAddress(c.From); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			return strings.ToLower(a.Address[i+1:])
		}
	}
	return "rapport.invalid"
}
