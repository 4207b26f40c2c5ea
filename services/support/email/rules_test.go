package email

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

func TestTokens(t *testing.T) {
	a, b := Tokens{key: []byte(strings.Repeat("a", 32))}, Tokens{key: []byte(strings.Repeat("b", 32))}
	tok := a.Token("tenant-1", 42)
	if n, ok, spoofed := a.Find("tenant-1", "Re: printer "+tok); n != 42 || !ok || spoofed {
		t.Errorf("own token %s: %d %v %v", tok, n, ok, spoofed)
	}
	for name, c := range map[string]struct {
		tokens          Tokens
		tenant, subject string
	}{
		"another key":    {b, "tenant-1", tok},
		"another tenant": {a, "tenant-2", tok},
		"another number": {a, "tenant-1", strings.Replace(tok, "#42-", "#43-", 1)},
	} {
		if _, ok, spoofed := c.tokens.Find(c.tenant, c.subject); ok || !spoofed {
			t.Errorf("%s: ok %v, spoofed %v", name, ok, spoofed)
		}
	}
	if _, ok, spoofed := a.Find("tenant-1", "no token [#42] here"); ok || spoofed {
		t.Error("a subject without a token")
	}
}

func TestAutomatic(t *testing.T) {
	person := mailparse.Message{From: mailparse.Address{Email: "ann@customer.example"}, MessageID: "1@customer.example",
		AutoSubmitted: "no", Precedence: "first-class"}
	if why := automatic(&person, "rapport.test"); why != "" {
		t.Errorf("a person's mail is automatic: %s", why)
	}
	for name, change := range map[string]func(*mailparse.Message){
		"auto-submitted":  func(m *mailparse.Message) { m.AutoSubmitted = "auto-replied" },
		"precedence bulk": func(m *mailparse.Message) { m.Precedence = "Bulk" },
		"x-autoreply":     func(m *mailparse.Message) { m.XAutoreply = "yes" },
		"suppress":        func(m *mailparse.Message) { m.XAutoResponseSuppress = "All" },
		"list":            func(m *mailparse.Message) { m.ListID = "<list.example>" },
		"bounce":          func(m *mailparse.Message) { m.ReturnPath = "<>" },
		"mailer-daemon":   func(m *mailparse.Message) { m.From.Email = "mailer-daemon@mx.example" },
		"our own message": func(m *mailparse.Message) { m.MessageID = "abc@rapport.test" },
	} {
		m := person
		change(&m)
		if automatic(&m, "rapport.test") == "" {
			t.Errorf("%s: not automatic", name)
		}
	}
}

func TestParseConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	c, err := ParseConfig(env())
	if err != nil || c.SMTPAddr != "" || c.SMTPURL != "" || len(c.TokenKey) != 32 || c.MaxBytes != 30<<20 || c.domain() != "rapport.invalid" {
		t.Errorf("defaults %+v, %v", c, err)
	}
	c, err = ParseConfig(env("SUPPORT_SMTP_URL", "smtp://relay:25", "SUPPORT_MAIL_FROM", "Help <Help@Acme.Test>"))
	if err != nil || c.domain() != "acme.test" {
		t.Errorf("%+v, %v", c, err)
	}
	for _, bad := range [][]string{
		{"SUPPORT_SMTP_URL", "smtp://relay:25"},
		{"SUPPORT_SMTP_URL", "http://relay:25", "SUPPORT_MAIL_FROM", "a@b.c"},
		{"SUPPORT_MAIL_FROM", "nobody"},
		{"SUPPORT_MAIL_TOKEN_KEY", "short"},
		{"SUPPORT_MAIL_MAX_BYTES", "ten"},
		{"SUPPORT_MAIL_SENDER_PER_MINUTE", "0"},
	} {
		if _, err := ParseConfig(env(bad...)); err == nil || !strings.Contains(err.Error(), bad[len(bad)-2]) && !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
