package support_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// surveyKey signs the surveys' links in these tests: the service reads it
// from SUPPORT_SURVEY_KEY, the tests sign forged and expired links with it.
var surveyKey = bytes.Repeat([]byte("s"), 32)

// surveyEnv is the service with its email relay (mailEnv), the surveys'
// key and the portal's URL https://crm.example.test.
type surveyEnv struct{ *mailEnv }

func newSurveyEnv(t *testing.T) *surveyEnv {
	t.Helper()
	t.Setenv("SUPPORT_SURVEY_KEY", string(surveyKey))
	t.Setenv("SUPPORT_PORTAL_URL", "https://crm.example.test")
	return &surveyEnv{newMailEnv(t)}
}

// surveySettings are settings with CSAT on, due at once, and NPS as given.
func surveySettings(action string, nps bool) map[string]any {
	return map[string]any{"csatEnabled": true, "csatDelayMinutes": 0, "expiryDays": 7, "lowThreshold": 2, "lowAction": action,
		"npsEnabled": nps, "npsEveryDays": 30, "portalSlug": "acme"}
}

// setSurveys sets u's tenant's survey settings.
func (e *surveyEnv) setSurveys(u user, body map[string]any) {
	e.t.Helper()
	e.want(e.do(u, "PUT", "/v1/surveys/settings", body), http.StatusOK)
}

// openMailCase opens a case of u's tenant from a customer's mail from
// address, with assignee and queue as given.
func (e *surveyEnv) openMailCase(u user, address, subject, assignee, queue string) cases.Case {
	e.t.Helper()
	first := cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer, AuthorEmail: address, AuthorName: "Ada",
		Channel: "email", BodyText: "It does not start."}
	c, err := e.caseService().Open(context.Background(), u.tenant, cases.NewCase{Case: cases.Case{Subject: subject, Channel: "email",
		AssigneeID: assignee, QueueID: queue}, First: &first}, "system:email")
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// solve solves the case id as u.
func (e *surveyEnv) solve(u user, id string) {
	e.t.Helper()
	c := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), http.StatusOK))
	e.patchCase(u, c, map[string]any{"status": "solved"}, http.StatusOK)
}

// waitSurvey waits for the CSAT survey of the case id, which the
// consumer adds, and returns its id.
func (e *surveyEnv) waitSurvey(caseID string) string {
	e.t.Helper()
	for i := 0; ; i++ {
		var ids []string
		if err := e.admin.Select(&ids, `SELECT id FROM surveys WHERE case_id = $1`, caseID); err != nil {
			e.t.Fatal(err)
		}
		if len(ids) == 1 {
			return ids[0]
		}
		if i == 600 {
			e.t.Fatalf("no CSAT survey of case %s", caseID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendSurveys runs the surveys' sending job as the service runs it.
func (e *surveyEnv) sendSurveys() {
	e.t.Helper()
	if err := e.sender().Run(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// sender is the service's surveys' Sender, configured as the service.
func (e *surveyEnv) sender() *surveys.Sender {
	e.t.Helper()
	cfg, err := surveys.ParseConfig(os.Getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	mailCfg, err := email.ParseConfig(os.Getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	return surveys.NewSender(e.contractsDB(), cfg, mailCfg, quiet)
}

// surveyMail is a survey mailed: to whom, its subject, text and the
// token of its link.
type surveyMail struct {
	To, Subject, Text, Link, Token string
}

// linkPattern finds a survey's link in a mail.
var linkPattern = regexp.MustCompile(`https://crm\.example\.test/portal/acme/surveys/([A-Za-z0-9_.-]+)`)

// nextSurvey is the next survey the service mailed, skipping other mail
// (acknowledgements).
func (e *surveyEnv) nextSurvey() surveyMail {
	e.t.Helper()
	for {
		m := e.nextSent()
		subject, _ := m.Header.Subject()
		if !strings.HasPrefix(subject, "How ") {
			continue
		}
		to, _ := m.Header.AddressList("To")
		out := surveyMail{Subject: subject, Text: bodyText(e.t, m)}
		if len(to) == 1 {
			out.To = to[0].Address
		}
		if l := linkPattern.FindStringSubmatch(out.Text); l != nil {
			out.Link, out.Token = l[0], l[1]
		}
		return out
	}
}

// bodyText is the text of m's first part.
func bodyText(t *testing.T, m *mail.Reader) string {
	t.Helper()
	p, err := m.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// answer answers the survey of token as the portal of tenant, wanting
// status.
func (e *surveyEnv) answer(tenant, token string, body map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(portalUser(tenant), "POST", "/portal/v1/surveys/"+token, body), status)
}

// caseStatus is the status of the case id as u reads it.
func (e *surveyEnv) caseStatus(u user, id string) string {
	e.t.Helper()
	return contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), http.StatusOK)).Status
}

// waitStatusChanges waits until the surveys' consumer has taken n
// case.status_changed events of tenant.
func (e *surveyEnv) waitStatusChanges(tenant string, n int) {
	e.t.Helper()
	for i := 0; ; i++ {
		var got int
		if err := e.admin.Get(&got, `SELECT count(*) FROM inbox WHERE tenant_id = $1 AND consumer_group = $2
			AND type = 'dev.rapport.support.case.status_changed.v1'`, tenant, surveys.ConsumerGroup); err != nil {
			e.t.Fatal(err)
		}
		if got >= n {
			return
		}
		if i == 600 {
			e.t.Fatalf("the surveys' consumer took %d status changes, want %d", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
