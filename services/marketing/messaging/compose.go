package messaging

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"

	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// email is a mail to one recipient, rendered and decorated.
type email struct {
	MessageID            string // without angle brackets
	From, FromName       string
	ReplyTo              string
	To, ToName           string
	Subject, Text, HTML  string
	Unsubscribe          string // the one-click URL (RFC 8058)
	TrackingID, Feedback string // X-Rapport-Message, Feedback-ID
}

// dkimHeaders are the header fields a DKIM signature covers (RFC 6376
// 5.4.1's recommendations that a marketing mail has, and RFC 8058's
// List-Unsubscribe-Post, which the signature must cover).
var dkimHeaders = []string{"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post"}

// compose writes m as a MIME message (go-message: multipart/alternative
// of its text and HTML parts in UTF-8, the subject RFC 2047 encoded),
// signed with key for domain and selector when key is not nil (go-msgauth:
// relaxed/relaxed, SHA-256).
func compose(m email, at time.Time, key crypto.Signer, domain, selector string) ([]byte, error) {
	var h mail.Header
	h.SetDate(at)
	h.SetAddressList("From", []*mail.Address{{Name: m.FromName, Address: m.From}})
	if m.ReplyTo != "" {
		h.SetAddressList("Reply-To", []*mail.Address{{Address: m.ReplyTo}})
	}
	h.SetAddressList("To", []*mail.Address{{Name: m.ToName, Address: m.To}})
	h.Set("Subject", templates.EncodeSubject(m.Subject))
	h.SetMessageID(m.MessageID)
	if m.Unsubscribe != "" {
		h.Set("List-Unsubscribe", "<"+m.Unsubscribe+">")
		h.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h.Set("X-Rapport-Message", m.TrackingID)
	h.Set("Feedback-ID", m.Feedback)
	var buf bytes.Buffer
	if err := writeBody(&buf, h, m.Text, m.HTML); err != nil {
		return nil, fmt.Errorf("compose a mail: %w", err)
	}
	if key == nil {
		return buf.Bytes(), nil
	}
	var signed bytes.Buffer
	err := dkim.Sign(&signed, &buf, &dkim.SignOptions{Domain: domain, Selector: selector, Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: present(h, dkimHeaders)})
	if err != nil {
		return nil, fmt.Errorf("sign a mail (DKIM): %w", err)
	}
	return signed.Bytes(), nil
}

// present is the fields of names that h has.
func present(h mail.Header, names []string) []string {
	var out []string
	for _, n := range names {
		if h.Has(n) || n == "MIME-Version" || n == "Content-Type" {
			out = append(out, n)
		}
	}
	return out
}

// writeBody writes h and the parts: both as multipart/alternative (text
// first, the preferred HTML last), else the one there is.
func writeBody(w io.Writer, h mail.Header, text, html string) error {
	textHeader, htmlHeader := partHeader("text/plain"), partHeader("text/html")
	if text == "" || html == "" {
		body, ph := text, textHeader
		if html != "" {
			body, ph = html, htmlHeader
		}
		h.SetContentType(ph.Get("Content-Type"), map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		part, err := mail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(part, body); err != nil {
			return err
		}
		return part.Close()
	}
	iw, err := mail.CreateInlineWriter(w, h)
	if err != nil {
		return err
	}
	for _, p := range []struct {
		h    mail.InlineHeader
		body string
	}{{textHeader, text}, {htmlHeader, html}} {
		part, err := iw.CreatePart(p.h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(part, p.body); err != nil {
			return err
		}
		if err := part.Close(); err != nil {
			return err
		}
	}
	return iw.Close()
}

// partHeader is the header of a UTF-8 part of type t, quoted-printable.
func partHeader(t string) mail.InlineHeader {
	var h mail.InlineHeader
	h.SetContentType(t, map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	return h
}
