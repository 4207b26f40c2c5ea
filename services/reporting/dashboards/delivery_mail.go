package dashboards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/libs/ids"
)

// send composes m and mails it to sc's recipients through the relay, in
// one session, a transaction per recipient; the recipients it did not
// reach are its error.
func (d *Deliverer) send(ctx context.Context, sc Schedule, m report, at time.Time) error {
	raw, err := compose(d.cfg, sc.Recipients, m, at)
	if err != nil {
		return err
	}
	s, err := d.cfg.Relay.Open(ctx, domainOf(d.cfg.MailFrom))
	if err != nil {
		return fmt.Errorf("reach the relay: %w", err)
	}
	defer s.Close()
	var failed []error
	for _, to := range sc.Recipients {
		if err := s.Send(d.cfg.MailFrom, to, raw); err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", to, err))
		}
	}
	return errors.Join(failed...)
}

// compose writes m from cfg's From to the recipients to as a MIME message
// (go-message): its text, then its attachments.
func compose(cfg Config, to []string, m report, at time.Time) ([]byte, error) {
	var h mail.Header
	h.SetDate(at)
	h.SetAddressList("From", []*mail.Address{{Name: cfg.MailFromName, Address: cfg.MailFrom}})
	list := make([]*mail.Address, len(to))
	for i, a := range to {
		list[i] = &mail.Address{Address: a}
	}
	h.SetAddressList("To", list)
	h.SetSubject(m.Subject)
	h.SetMessageID(ids.New() + "@" + domainOf(cfg.MailFrom))
	h.Set("Auto-Submitted", "auto-generated")
	var buf bytes.Buffer
	if err := writeMail(&buf, h, m); err != nil {
		return nil, fmt.Errorf("compose the mail: %w", err)
	}
	return buf.Bytes(), nil
}

// writeMail writes m's text and attachments under h to buf.
func writeMail(buf *bytes.Buffer, h mail.Header, m report) error {
	w, err := mail.CreateWriter(buf, h)
	if err != nil {
		return err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	if err := writePart(w.CreateSingleInline(th))([]byte(m.Text)); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		var ah mail.AttachmentHeader
		ah.SetContentType(a.ContentType, nil)
		ah.SetFilename(a.Name)
		if err := writePart(w.CreateAttachment(ah))(a.Data); err != nil {
			return err
		}
	}
	return w.Close()
}

// writePart returns the writer of a part just created (or the error of
// its creation): it writes the part's data and closes it.
func writePart(pw io.WriteCloser, err error) func([]byte) error {
	return func(data []byte) error {
		if err != nil {
			return err
		}
		if _, err := pw.Write(data); err != nil {
			return err
		}
		return pw.Close()
	}
}

// domainOf is the domain of the address a, "localhost" without one.
func domainOf(a string) string {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' && i < len(a)-1 {
			return a[i+1:]
		}
	}
	return "localhost"
}
