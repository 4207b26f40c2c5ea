package forms

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/libs/ids"
)

// letter is a mail to send: its recipient, subject and bodies.
type letter struct {
	To, Subject, Text, HTML string
}

// sendMail composes l from the configured From and sends it through the
// relay, one SMTP transaction (headers encoded by go-message, never by
// concatenating what a submitter typed).
func (s *Service) sendMail(ctx context.Context, l letter) error {
	var h mail.Header
	h.SetDate(time.Now())
	h.SetAddressList("From", []*mail.Address{s.cfg.From})
	h.SetAddressList("To", []*mail.Address{{Address: l.To}})
	h.SetSubject(l.Subject)
	h.SetMessageID(ids.New() + "@" + domainOf(s.cfg.From.Address))
	h.Set("Auto-Submitted", "auto-generated")
	var buf bytes.Buffer
	if err := compose(&buf, h, l); err != nil {
		return fmt.Errorf("compose the confirmation mail: %w", err)
	}
	if err := s.cfg.Relay.Deliver(ctx, s.cfg.From.Address, l.To, buf.Bytes()); err != nil {
		return fmt.Errorf("send the confirmation mail to %s: %w", l.To, err)
	}
	return nil
}

// domainOf is the domain of address ("localhost" for none).
func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 && i < len(address)-1 {
		return address[i+1:]
	}
	return "localhost"
}

// compose writes l under h: its text, and its HTML as the alternative.
func compose(buf *bytes.Buffer, h mail.Header, l letter) error {
	w, err := mail.CreateInlineWriter(buf, h)
	if err != nil {
		return err
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", l.Text}, {"text/html", l.HTML}} {
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
	return w.Close()
}
