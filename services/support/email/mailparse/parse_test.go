package mailparse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseDecodesCharsets(t *testing.T) {
	cases := []struct {
		seed, from, name, subject, text string
	}{
		{"gbk subject", "zhang@example.cn", "张三", "打印机无法开机", "您好，打印机无法开机。𠀀"},
		{"big5 body", "chen@example.tw", "", "退貨", "我要退貨，謝謝。"},
		{"iso-2022-jp", "yamada@example.jp", "山田", "お問い合わせ", "よろしくお願いします。"},
	}
	for _, c := range cases {
		m := Parse([]byte(seeds[c.seed]), DefaultLimits)
		if m.From.Email != c.from || m.From.Name != c.name || m.Subject != c.subject || strings.TrimSpace(m.Text) != c.text {
			t.Errorf("%s: from %q <%s>, subject %q, text %q", c.seed, m.From.Name, m.From.Email, m.Subject, m.Text)
		}
		if m.Malformed || len(m.Notes) > 0 {
			t.Errorf("%s: malformed %v, notes %q", c.seed, m.Malformed, m.Notes)
		}
	}
}

func TestParseReadsNestedMultipart(t *testing.T) {
	m := Parse([]byte(seeds["nested multipart"]), DefaultLimits)
	if m.Text != "The screen is broken." || m.MessageID != "nested-1@example.com" {
		t.Errorf("text %q, message id %q", m.Text, m.MessageID)
	}
	if strings.Contains(m.HTML, "script") || strings.Contains(m.HTML, "onerror") || !strings.Contains(m.HTML, "<b>broken</b>") {
		t.Errorf("HTML not sanitised: %q", m.HTML)
	}
	if strings.Join(m.InReplyTo, " ") != "out-1@acme.test" || strings.Join(m.References, " ") != "first@example.com out-1@acme.test" {
		t.Errorf("in-reply-to %q, references %q", m.InReplyTo, m.References)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "photos.zip" || m.Attachments[0].ContentType != "application/zip" ||
		len(m.Attachments[0].Data) != 14 {
		t.Errorf("attachments %+v", m.Attachments)
	}
}

func TestParseHTMLOnlyAndHeaderInjection(t *testing.T) {
	m := Parse([]byte(seeds["html only"]), DefaultLimits)
	if m.Subject != "evil  Bcc: victim@example.com" {
		t.Errorf("subject %q: CR/LF must become spaces", m.Subject)
	}
	if m.Text != "Café is closed\nx" {
		t.Errorf("text %q", m.Text)
	}
	if strings.Contains(m.HTML, "steal") || strings.Contains(m.HTML, "javascript") {
		t.Errorf("HTML %q", m.HTML)
	}
	if m.AutoSubmitted != "auto-replied" {
		t.Errorf("auto-submitted %q", m.AutoSubmitted)
	}
}

func TestParseKeepsWhatItCanOfBrokenMail(t *testing.T) {
	m := Parse([]byte(seeds["broken boundary"]), DefaultLimits)
	if !m.Malformed || !strings.Contains(m.Text, "Nobody closes this boundary.") || m.Subject != "help" {
		t.Errorf("malformed %v, subject %q, text %q", m.Malformed, m.Subject, m.Text)
	}
	m = Parse([]byte(seeds["no header"]), DefaultLimits)
	if !m.Malformed || !strings.Contains(m.Text, "without a header") || !utf8.ValidString(m.Text) {
		t.Errorf("malformed %v, text %q", m.Malformed, m.Text)
	}
	m = Parse([]byte(seeds["bad charset"]), DefaultLimits)
	if m.Subject != "hello" || m.Text != "café \uFFFD\r\n" {
		t.Errorf("subject %q, text %q", m.Subject, m.Text)
	}
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat("A", 4000)
	mail := crlf("From: x@example.com\nSubject: big\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
		"Content-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\n" +
		"Content-Disposition: attachment; filename=big.bin\n\n" + big + "\n--b--\n")
	m := Parse([]byte(mail), Limits{Attachment: 1000, Depth: 4, Parts: 10, Text: 1000})
	if len(m.Attachments) != 0 || m.Text != "see attached" || len(m.Notes) != 1 || !strings.Contains(m.Notes[0], `"big.bin"`) {
		t.Errorf("attachments %d, text %q, notes %q", len(m.Attachments), m.Text, m.Notes)
	}
	// A MIME bomb: parts nested deeper than the limit, and too many.
	deep := "Content-Type: text/plain\r\n\r\ndeepest\r\n"
	for i := range 20 {
		b := "b" + strings.Repeat("x", i)
		deep = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + deep + "--" + b + "--\r\n"
	}
	m = Parse([]byte("From: x@example.com\r\n"+deep), DefaultLimits)
	if m.Text != "" || len(m.Notes) != 1 || !strings.Contains(m.Notes[0], "deeper") {
		t.Errorf("deep: text %q, notes %q", m.Text, m.Notes)
	}
	var wide strings.Builder
	wide.WriteString("From: x@example.com\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n")
	for range 500 {
		wide.WriteString("--w\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	wide.WriteString("--w--\r\n")
	m = Parse([]byte(wide.String()), DefaultLimits)
	if len(m.Notes) != 1 || !strings.Contains(m.Notes[0], "more than 200 parts") {
		t.Errorf("wide: notes %q", m.Notes)
	}
}
