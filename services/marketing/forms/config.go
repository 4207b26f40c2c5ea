package forms

import (
	"net/url"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// Config is what forms is configured with.
type Config struct {
	// PublicURL is the gateway's public URL: the snippet posts to
	// <PublicURL>/m/<tenantId>/forms/{id}, confirmation links point at
	// <PublicURL>/m/<tenantId>/forms/{id}/confirm/{token}.
	PublicURL string
	// Key signs the confirmation links (HMAC-SHA256).
	Key []byte
	// Relay sends the confirmation mails (messaging's relay,
	// MARKETING_SMTP_URL); without one a double opt-in submission is
	// refused as undeliverable.
	Relay messaging.Config
	// From is the confirmation mails' sender: the sender's default From
	// (MARKETING_MAIL_FROM), else no-reply@ the public URL's host.
	From *mail.Address
}

// NewConfig is the Config under the public URL of links (tracking's
// MARKETING_PUBLIC_URL), with a key derived from theirs
// (MARKETING_LINK_KEY), sending through the relay and From of sending.
func NewConfig(links tracking.Links, sending messaging.Config) Config {
	c := Config{PublicURL: links.PublicURL(), Key: links.SubKey("forms"), Relay: sending,
		From: &mail.Address{Name: sending.MailFromName, Address: sending.MailFrom}}
	if c.From.Address == "" {
		u, _ := url.Parse(c.PublicURL)
		c.From.Address = "no-reply@" + u.Hostname()
	}
	return c
}
