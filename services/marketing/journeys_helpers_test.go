package marketing_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/journeys"
)

// newJourneysEnv starts the service with a mail sink as its relay, its
// links signed with a key the test shares; with runners false the
// service runs no journeys job and no sender (the test runs them in
// replicas, which start with both on).
func newJourneysEnv(t *testing.T, runners bool) (*env, *mailSink) {
	t.Helper()
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	t.Setenv("MARKETING_LINK_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("j"), 32)))
	t.Setenv("MARKETING_MAIL_FROM", "news@acme.example")
	if !runners {
		t.Setenv(journeys.EnvRunner, "off")
		noSender(t)
	}
	e := newEnv(t)
	t.Setenv(journeys.EnvRunner, "")
	sendersOn(t)
	return e, sink
}

// journeyContacts seeds n contacts of tenant with an email and consent
// granted ("name<i>@example.test"), in a static list, and returns the
// list's id and the contacts' ids.
func (e *env) journeyContacts(tenant, name string, n int) (string, []string) {
	e.t.Helper()
	ms := make([]audienceMember, n)
	for i := range ms {
		ms[i] = audienceMember{first: fmt.Sprintf("%s%d", name, i), email: fmt.Sprintf("%s%d@example.test", name, i), emailConsent: "granted"}
	}
	list, ms := e.seedAudience(tenant, ms...)
	ids := make([]string, n)
	for i, m := range ms {
		ids[i] = m.id
	}
	return list, ids
}

// journeyMailTemplate seeds an email template of tenant with a tracked
// link and returns its id.
func (e *env) journeyMailTemplate(tenant, subject string) string {
	e.t.Helper()
	return e.seedTemplate(tenant, "email", subject+" {{contact.firstName}}",
		`<html><body><p>Hi {{contact.firstName}}, <a href="https://shop.example/offer">shop</a></p></body></html>`, "", "")
}

// createJourney posts a journey as u and returns it.
func (e *env) createJourney(u user, body map[string]any) journeys.Journey {
	e.t.Helper()
	return contracttest.Decode[journeys.Journey](e.want(e.do(u, "POST", "/v1/journeys", body), http.StatusCreated))
}

// enterSegment publishes segment.entered of segment for each contact on
// the service's topic, as the audience does, and waits until the
// journeys' consumer took each.
func (e *env) enterSegment(tenant, segment string, contacts ...string) {
	e.t.Helper()
	evs := make([]events.Event, len(contacts))
	for i, c := range contacts {
		evs[i] = marketingEvent(e.t, "segment", "entered", segment, tenant,
			map[string]any{"segmentId": segment, "contactId": c, "at": time.Now().UTC()})
	}
	e.sendEvents(registry.Marketing, journeys.ConsumerGroup, evs...)
}

// enrolments reads the journey's enrolments as u, by contact (the last
// round's when there are more).
func (e *env) enrolments(u user, journey string) []journeys.Enrolment {
	e.t.Helper()
	return contracttest.Decode[journeys.EnrolmentPage](e.want(e.do(u, "GET", "/v1/journeys/"+journey+"/enrolments?limit=200", nil),
		http.StatusOK)).Items
}

// waitEnrolments waits until the journey has n enrolments, all with
// status and (when step is set) at step, and returns them.
func (e *env) waitEnrolments(u user, journey string, n int, status, step string) []journeys.Enrolment {
	e.t.Helper()
	var es []journeys.Enrolment
	testkit.Eventually(e.t, 60*time.Second, fmt.Sprintf("%d enrolments %s at %q", n, status, step), func() (bool, string) {
		es = e.enrolments(u, journey)
		var states []string
		ok := len(es) == n
		for _, en := range es {
			states = append(states, en.Status+"@"+en.StepID)
			ok = ok && en.Status == status && (step == "" || en.StepID == step)
		}
		return ok, strings.Join(states, " ")
	})
	return es
}

// waitEnrolmentsEnded waits until the journey has n enrolments, none
// active, and returns them.
func (e *env) waitEnrolmentsEnded(u user, journey string, n int) []journeys.Enrolment {
	e.t.Helper()
	var es []journeys.Enrolment
	testkit.Eventually(e.t, 60*time.Second, fmt.Sprintf("%d enrolments ended", n), func() (bool, string) {
		es = e.enrolments(u, journey)
		var states []string
		ok := len(es) == n
		for _, en := range es {
			states = append(states, en.Status+"@"+en.StepID)
			ok = ok && en.Status != journeys.EnrolmentActive
		}
		return ok, strings.Join(states, " ")
	})
	return es
}

// fastForward ends the waits of the journey's active enrolments now, as
// if their time had come.
func (e *env) fastForward(journey string) {
	e.t.Helper()
	if _, err := e.admin.Exec(`UPDATE journey_enrolments SET next_run_at = now() WHERE journey_id = $1 AND status = 'active'`,
		journey); err != nil {
		e.t.Fatal(err)
	}
}

// journeyMails waits until the sink received n mails and returns them.
func journeyMails(t *testing.T, sink *mailSink, n int) []sunkMail {
	t.Helper()
	var got []sunkMail
	testkit.Eventually(t, 60*time.Second, fmt.Sprintf("%d mails", n), func() (bool, string) {
		got = sink.received()
		return len(got) >= n, fmt.Sprint(len(got))
	})
	return got
}

// journeyEvents returns the journey events published so far, each
// checked against its JSON Schema.
func (e *env) journeyEvents() []events.Event {
	e.t.Helper()
	evs := e.publishedOf("dev.rapport.marketing.journey.")
	contracttest.ValidateEvents(e.t, "api/events", evs)
	return evs
}

// journeyEvent is the data of an enrolment's journey event.
type journeyEvent struct {
	JourneyID   string `json:"journeyId"`
	ContactID   string `json:"contactId"`
	EnrolmentID string `json:"enrolmentId"`
	StepID      string `json:"stepId"`
	Outcome     string `json:"outcome"`
}

// stepRuns counts the journey.step_completed events by enrolment and step
// ("<enrolment> <step>").
func stepRuns(t *testing.T, evs []events.Event) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, ev := range evs {
		if ev.Type == "dev.rapport.marketing.journey.step_completed.v1" {
			d := eventData[journeyEvent](t, ev)
			out[d.EnrolmentID+" "+d.StepID]++
		}
	}
	return out
}

// outcomes is an enrolment's history as "step:outcome" items.
func outcomes(en journeys.Enrolment) string {
	var out []string
	for _, h := range en.History {
		out = append(out, h.StepID+":"+h.Outcome)
	}
	return strings.Join(out, " ")
}
