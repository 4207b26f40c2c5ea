package marketing_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// abMail is a mail of an A/B send as the sink received it: its message's
// id (X-Rapport-Message), subject, HTML part and tracked links (the open
// pixel's and the first click link's, "" when it has none).
type abMail struct {
	id, to, subject, html, open, click string
}

// abMails parses the mails the sink received.
func abMails(t *testing.T, mails []sunkMail) []abMail {
	t.Helper()
	out := make([]abMail, len(mails))
	for i, m := range mails {
		r, err := mail.CreateReader(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		id := r.Header.Get("X-Rapport-Message")
		subject, _, _, html := mailParts(t, r)
		out[i] = abMail{id: id, to: strings.ToLower(m.To), subject: subject, html: html}
		for _, l := range trackedLink.FindAllStringSubmatch(html, -1) {
			switch {
			case l[2] == "t/o" && out[i].open == "":
				out[i].open = l[0]
			case l[2] == "t/c" && out[i].click == "":
				out[i].click = l[0]
			}
		}
	}
	return out
}

// waitMails waits until the sink has received n mails and returns them.
func waitMails(t *testing.T, sink *mailSink, n int) []sunkMail {
	t.Helper()
	testkit.Eventually(t, 60*time.Second, fmt.Sprintf("%d mails received", n), func() (bool, string) {
		got := len(sink.received())
		return got >= n, fmt.Sprintf("%d mails", got)
	})
	return sink.received()
}

// abResults reads the A/B results of send id as u.
func (e *env) abResults(u user, id string) messaging.ABResults {
	e.t.Helper()
	return contracttest.Decode[messaging.ABResults](e.want(e.do(u, "GET", "/v1/sends/"+id+"/ab-results", nil), http.StatusOK))
}

// waitTestShareSent waits until the test share of send id has gone out:
// n messages of its variants sent, none pending; and returns the results.
func (e *env) waitTestShareSent(u user, id string, n int) messaging.ABResults {
	e.t.Helper()
	var r messaging.ABResults
	testkit.Eventually(e.t, 60*time.Second, "the test share sent", func() (bool, string) {
		r = e.abResults(u, id)
		sent, pending := 0, 0
		for _, v := range r.Variants {
			sent, pending = sent+v.Sent, pending+v.Pending
		}
		return sent == n && pending == 0, fmt.Sprintf("%s: %+v", r.State, r.Variants)
	})
	return r
}

// opened fetches the open pixel of m as a person's mail client does (a
// browser's User-Agent, not from a scanner's network).
func (e *env) opened(tenant string, m abMail) {
	e.t.Helper()
	if m.open == "" {
		e.t.Fatalf("the mail to %s has no open pixel", m.to)
	}
	e.want(e.hit(public(tenant), "GET", servicePath(e.t, m.open), browserUA, ""), http.StatusOK)
}

// clicked follows the first tracked link of m as a person does.
func (e *env) clicked(tenant string, m abMail) {
	e.t.Helper()
	if m.click == "" {
		e.t.Fatalf("the mail to %s has no tracked link", m.to)
	}
	e.want(e.hit(public(tenant), "GET", servicePath(e.t, m.click), browserUA, ""), http.StatusFound)
}

// variantsOf maps the ids of send's messages to their variants.
func (e *env) variantsOf(tenant, send string) map[string]string {
	e.t.Helper()
	var rows []struct {
		ID      string `db:"id"`
		Variant string `db:"variant"`
	}
	if err := e.admin.Select(&rows, `SELECT id, variant FROM messages WHERE tenant_id = $1 AND send_id = $2`, tenant, send); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = r.Variant
	}
	return out
}

// abAudience seeds n members of tenant with email consent (named P00…)
// and excluded ones without, and returns the list.
func (e *env) abAudience(tenant string, n, excluded int) string {
	e.t.Helper()
	var ms []audienceMember
	for i := range n + excluded {
		consent := "granted"
		if i >= n {
			consent = "denied"
		}
		ms = append(ms, audienceMember{first: fmt.Sprintf("P%02d", i), email: fmt.Sprintf("p%02d@example.test", i), emailConsent: consent})
	}
	list, _ := e.seedAudience(tenant, ms...)
	return list
}

// abSettings gives u's tenant a From address and a throttle out of the
// way.
func (e *env) abSettings(u user) {
	e.t.Helper()
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "news@acme.example", "fromName": "Acme",
		"replyTo": "", "smsFrom": "", "throttlePerMinute": 10000}), http.StatusOK)
}

// getSend reads the send id as u.
func (e *env) getSend(u user, id string) messaging.Send {
	e.t.Helper()
	return contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+id, nil), http.StatusOK))
}
