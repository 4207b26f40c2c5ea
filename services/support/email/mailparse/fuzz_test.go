package mailparse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse holds Parse to what the email channel relies on, whatever the
// bytes: it returns, every string is valid UTF-8, the header fields hold
// no CR or LF, the HTML no script, and the limits hold.
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	lim := Limits{Attachment: 1 << 16, Depth: 4, Parts: 20, Text: 1 << 16}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw, lim)
		fields := []string{m.Subject, m.MessageID, m.From.Name, m.From.Email, m.AutoSubmitted, m.Precedence,
			m.XAutoreply, m.XAutoResponseSuppress, m.ListID, m.ReturnPath}
		fields = append(fields, m.InReplyTo...)
		fields = append(fields, m.References...)
		for _, a := range append(append(m.To, m.Cc...), m.ReplyTo...) {
			fields = append(fields, a.Name, a.Email)
		}
		for _, a := range m.Attachments {
			fields = append(fields, a.Name, a.ContentType)
			if int64(len(a.Data)) > lim.Attachment {
				t.Fatalf("attachment %q of %d bytes", a.Name, len(a.Data))
			}
		}
		for _, s := range fields {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("header field %q", s)
			}
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) || len(m.Text) > lim.Text || len(m.HTML) > lim.Text {
			t.Fatalf("bodies: text %d bytes, HTML %d bytes", len(m.Text), len(m.HTML))
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") {
			t.Fatalf("HTML keeps a script: %q", m.HTML)
		}
		if len(m.Attachments) > lim.Parts {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
	})
}
