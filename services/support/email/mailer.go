package email

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mailrelay"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// Mailer sends the email channel's outbound mail through an SMTP relay,
// each mail composed by go-message (headers encoded by the library, never
// by concatenating what customers wrote).
type Mailer struct {
	relay  *mailrelay.Relay
	domain string // of the Message-IDs
}

// relayTimeout bounds dialling the relay and each of its answers: an
// acknowledgement is sent before the inbound mail is answered.
const relayTimeout = 20 * time.Second

// NewMailer returns the mailer of cfg, nil when cfg names no relay (or one
// ParseConfig refuses).
func NewMailer(cfg Config) *Mailer {
	if cfg.SMTPURL == "" {
		return nil
	}
	r, err := mailrelay.Parse(cfg.SMTPURL, "SUPPORT_SMTP_URL")
	if err != nil {
		return nil
	}
	r.Timeout = relayTimeout
	return &Mailer{relay: r, domain: cfg.domain()}
}

// Outgoing is a mail the service sends: in a thread (InReplyTo and
// References, without angle brackets), an acknowledgement when
// AutoReplied (Auto-Submitted: auto-replied, so the peer does not answer).
type Outgoing struct {
	From, To    mailparse.Address
	Subject     string
	Text, HTML  string
	InReplyTo   string
	References  []string
	AutoReplied bool
	Attachments []mailparse.Attachment
}

// Send composes o with a fresh Message-ID of the service's domain and sends
// it; it returns the Message-ID (without angle brackets).
func (m *Mailer) Send(o Outgoing) (string, error) {
	id := ids.New() + "@" + m.domain
	var h mail.Header
	h.SetDate(time.Now())
	h.SetAddressList("From", []*mail.Address{{Name: o.From.Name, Address: o.From.Email}})
	h.SetAddressList("To", []*mail.Address{{Name: o.To.Name, Address: o.To.Email}})
	h.SetSubject(o.Subject)
	h.SetMessageID(id)
	if o.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{o.InReplyTo})
	}
	var refs []string
	for _, r := range o.References {
		if r != "" {
			refs = append(refs, r)
		}
	}
	if len(refs) > 0 {
		h.SetMsgIDList("References", refs)
	}
	if o.AutoReplied {
		h.Set("Auto-Submitted", "auto-replied")
		h.Set("X-Auto-Response-Suppress", "All")
	}
	var buf bytes.Buffer
	if err := compose(&buf, h, o); err != nil {
		return "", fmt.Errorf("compose mail: %w", err)
	}
	if err := m.relay.Deliver(context.Background(), o.From.Email, o.To.Email, buf.Bytes()); err != nil {
		return "", fmt.Errorf("send mail to %s: %w", o.To.Email, err)
	}
	return id, nil
}

// compose writes o under h: its text, its HTML as an alternative when it
// has one, and its attachments.
func compose(buf *bytes.Buffer, h mail.Header, o Outgoing) error {
	if len(o.Attachments) == 0 {
		w, err := mail.CreateInlineWriter(buf, h)
		if err != nil {
			return err
		}
		if err := writeBodies(w, o); err != nil {
			return err
		}
		return w.Close()
	}
	w, err := mail.CreateWriter(buf, h)
	if err != nil {
		return err
	}
	iw, err := w.CreateInline()
	if err != nil {
		return err
	}
	if err := writeBodies(iw, o); err != nil {
		return err
	}
	if err := iw.Close(); err != nil {
		return err
	}
	for _, a := range o.Attachments {
		var ah mail.AttachmentHeader
		ah.SetContentType(a.ContentType, nil)
		ah.SetFilename(a.Name)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return err
		}
		if _, err := aw.Write(a.Data); err != nil {
			return err
		}
		if err := aw.Close(); err != nil {
			return err
		}
	}
	return w.Close()
}

// writeBodies writes o's text, and its HTML when it has one, as the
// alternatives of w.
func writeBodies(w *mail.InlineWriter, o Outgoing) error {
	parts := []struct{ typ, body string }{{"text/plain", o.Text}}
	if o.HTML != "" {
		parts = append(parts, struct{ typ, body string }{"text/html", o.HTML})
	}
	for _, p := range parts {
		var ph mail.InlineHeader
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		pw, err := w.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := pw.Write([]byte(p.body)); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return nil
}
