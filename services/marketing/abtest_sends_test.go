package marketing_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// TestABSendSignificantWinnerGoesToTheRest sends a two-variant test to
// half of a list: the test share gets A and B in turn (ten each, over a
// real SMTP server), the rest is held; every B mail is opened and one A
// mail, through the open pixels of the received mails: B wins by the
// z-test's significance and the held half gets B's content; the send
// completes, send.ab_decided matches its schema.
func TestABSendSignificantWinnerGoesToTheRest(t *testing.T) {
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.abSettings(u)
	list := e.abAudience(u.tenant, 40, 2)
	tplA := e.seedTemplate(u.tenant, "email", "Offer A for {{contact.firstName}}",
		`<html><body><p>Variant A</p><a href="https://shop.example/a">shop</a></body></html>`, "Variant A", "")
	tplB := e.seedTemplate(u.tenant, "email", "Offer B for {{contact.firstName}}",
		`<html><body><p>Variant B</p><a href="https://shop.example/b">shop</a></body></html>`, "Variant B", "")

	s := e.createSend(u, map[string]any{"templateId": tplA, "channel": "email", "segmentId": list,
		"abTest": map[string]any{"variants": []map[string]any{{"name": "A", "templateId": tplA}, {"name": "B", "templateId": tplB}},
			"testShare": 50, "metric": "open", "decideAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}})

	r := e.waitTestShareSent(u, s.ID, 20)
	if r.State != messaging.ABTesting || r.Rest.Held != 20 || r.Variants[0].Sent != 10 || r.Variants[1].Sent != 10 || r.Decision != nil {
		t.Fatalf("after the test share: %+v, want 10 sent of A and of B, 20 held, undecided", r)
	}
	if r.Test != messaging.TestZ || r.ABTest.MinConfidence != 0.95 {
		t.Errorf("test %q, minConfidence %g: want the z-test at the default 0.95", r.Test, r.ABTest.MinConfidence)
	}
	got := e.getSend(u, s.ID)
	if want := (messaging.Counts{Recipients: 42, Queued: 20, Sent: 20, Excluded: 2}); got.Counts != want || got.Status != messaging.StatusSending {
		t.Errorf("send %s counts %+v, want %+v (the held counted queued)", got.Status, got.Counts, want)
	}
	mails := abMails(t, sink.received())
	if len(mails) != 20 {
		t.Fatalf("%d mails before the decision, want the test share's 20", len(mails))
	}
	variants := e.variantsOf(u.tenant, s.ID)
	var a, b []abMail
	for _, m := range mails {
		switch v := variants[m.id]; {
		case v == "A" && strings.Contains(m.html, "Variant A") && strings.HasPrefix(m.subject, "Offer A for P"):
			a = append(a, m)
		case v == "B" && strings.Contains(m.html, "Variant B") && strings.HasPrefix(m.subject, "Offer B for P"):
			b = append(b, m)
		default:
			t.Errorf("the mail to %s (%q) of variant %q has another's content", m.to, m.subject, v)
		}
	}
	if len(a) != 10 || len(b) != 10 {
		t.Fatalf("%d mails of A and %d of B, want 10 each", len(a), len(b))
	}

	e.opened(u.tenant, a[0])
	for _, m := range b {
		e.opened(u.tenant, m)
	}
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	if want := (messaging.Counts{Recipients: 42, Sent: 40, Excluded: 2}); done.Counts != want {
		t.Errorf("completed counts %+v, want %+v", done.Counts, want)
	}
	all := abMails(t, sink.received())
	if len(all) != 40 || len(byRecipient(sink.received())) != 40 {
		t.Fatalf("%d mails to %d addresses, want 40, one each", len(all), len(byRecipient(sink.received())))
	}
	for _, m := range all[20:] {
		if !strings.Contains(m.html, "Variant B") || !strings.HasPrefix(m.subject, "Offer B for P") {
			t.Errorf("a mail of the rest to %s has %q, not B's content", m.to, m.subject)
		}
	}

	r = e.abResults(u, s.ID)
	d := r.Decision
	if r.State != messaging.ABDecided || d == nil || d.Winner != "B" || d.By != messaging.DecidedBySignificance || d.PValue >= 0.05 {
		t.Fatalf("results %+v decision %+v, want B by significance", r, d)
	}
	// The judge may decide while B's opens are still coming in: the z-test
	// is significant at 0.95 from 6 opens of 10 against A's 1 of 10.
	if d.Variants[0].Opens != 1 || d.Variants[1].Opens < 6 || r.Rest.Sent != 20 || r.Rest.Held != 0 {
		t.Errorf("decided on %+v, rest %+v; want 1 open of A's 10 and 6 or more of B's, the rest's 20 sent", d.Variants, r.Rest)
	}
	if r.Variants[0].Opens != 1 || r.Variants[1].Opens != 10 || r.Variants[1].OpenRate != 1 {
		t.Errorf("results %+v, want 1 and 10 opens of 10", r.Variants)
	}
	decided := ofType(e.messagingEvents("send.ab_decided", "send.completed"), "dev.rapport.marketing.send.ab_decided.v1", s.ID)
	if len(decided) != 1 || eventData[messaging.Decision](t, decided[0]).Winner != "B" {
		t.Errorf("send.ab_decided events %v, want one naming B", decided)
	}
}

// TestABSendDeadlinePicksTheBestRate tests three subject variants of one
// template by clicks on 60% of a list: one click on a mail of "Long" is
// not significant, so nothing is decided until the deadline, which then
// picks Long (the best rate) for the rest, with its subject.
func TestABSendDeadlinePicksTheBestRate(t *testing.T) {
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.abSettings(u)
	list := e.abAudience(u.tenant, 30, 0)
	tpl := e.seedTemplate(u.tenant, "email", "Spring",
		`<html><body><p>Spring offer</p><a href="https://shop.example/spring">shop</a></body></html>`, "Spring offer", "")
	subjects := map[string]string{"Short": "Hi", "Long": "Hello {{contact.firstName}}, our spring offer", "Flower": "🌸 Spring"}
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"abTest": map[string]any{"variants": []map[string]any{{"name": "Short", "subject": subjects["Short"]},
			{"name": "Long", "subject": subjects["Long"]}, {"name": "Flower", "subject": subjects["Flower"]}},
			"testShare": 60, "metric": "click", "minConfidence": 0.99, "decideAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}})

	e.waitTestShareSent(u, s.ID, 18)
	mails := abMails(t, sink.received())
	variants := e.variantsOf(u.tenant, s.ID)
	perVariant := map[string]int{}
	var long abMail
	for _, m := range mails {
		v := variants[m.id]
		perVariant[v]++
		if !subjectOf(v, m.subject) {
			t.Errorf("the mail of %s has the subject %q", v, m.subject)
		}
		if v == "Long" {
			long = m
		}
	}
	if len(mails) != 18 || perVariant["Short"] != 6 || perVariant["Long"] != 6 || perVariant["Flower"] != 6 {
		t.Fatalf("%d mails by variant %v, want 6 of each of 3", len(mails), perVariant)
	}
	e.opened(u.tenant, long) // a reader opens, then clicks
	e.clicked(u.tenant, long)
	r := e.abResults(u, s.ID)
	if r.Variants[1].Clicks != 1 || r.Significant || r.Test != messaging.TestChiSquare || r.DegreesOfFreedom != 2 || r.Comparison.Best != "Long" {
		t.Fatalf("after one click: %+v, want Long best by 1 click, not significant by the chi-square test", r)
	}
	if r = e.abResults(u, s.ID); r.State != messaging.ABTesting || r.Rest.Held != 12 {
		t.Fatalf("before the deadline: %s with %d held, want testing with 12", r.State, r.Rest.Held)
	}

	// The deadline comes: the test is judged again at the job's next turn.
	if _, err := e.admin.Exec(`UPDATE send_ab_tests SET decide_at = now() - interval '1 second' WHERE tenant_id = $1 AND send_id = $2`,
		u.tenant, s.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSend(u, s.ID, messaging.StatusCompleted)
	all := abMails(t, sink.received())
	if len(all) != 30 {
		t.Fatalf("%d mails, want 30", len(all))
	}
	for _, m := range all[18:] {
		if !subjectOf("Long", m.subject) {
			t.Errorf("a mail of the rest has the subject %q, not Long's", m.subject)
		}
	}
	d := e.abResults(u, s.ID).Decision
	if d == nil || d.Winner != "Long" || d.By != messaging.DecidedByDeadline || d.Test != messaging.TestChiSquare {
		t.Fatalf("decision %+v, want Long at the deadline", d)
	}
	e.messagingEvents("send.ab_decided")
}

// TestABSendOfEveryoneIsDecidedBeforeItCompletes: a test of all the
// recipients holds none back, yet its send completes only once its winner
// is chosen (here at the deadline), for the results to say which won.
func TestABSendOfEveryoneIsDecidedBeforeItCompletes(t *testing.T) {
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.abSettings(u)
	list := e.abAudience(u.tenant, 4, 0)
	tpl := e.seedTemplate(u.tenant, "email", "Spring", `<html><body><p>Spring offer</p></body></html>`, "Spring offer", "")
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"abTest": map[string]any{"variants": []map[string]any{{"name": "A", "subject": "Hi"}, {"name": "B", "subject": "Hello"}},
			"testShare": 100, "decideAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}})
	e.waitTestShareSent(u, s.ID, 4)
	waitMails(t, sink, 4)
	if got := e.getSend(u, s.ID); got.Status != messaging.StatusSending {
		t.Fatalf("the send, all its mails sent and its test undecided: %s, want sending", got.Status)
	}
	if _, err := e.admin.Exec(`UPDATE send_ab_tests SET decide_at = now() - interval '1 second' WHERE tenant_id = $1 AND send_id = $2`,
		u.tenant, s.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSend(u, s.ID, messaging.StatusCompleted)
	if d := e.abResults(u, s.ID).Decision; d == nil || d.Winner != "A" || d.By != messaging.DecidedByDeadline {
		t.Fatalf("decision %+v, want A (no opens: the first) at the deadline", d)
	}
	if n := len(sink.received()); n != 4 {
		t.Errorf("%d mails, want 4", n)
	}
}

// TestABSendBadInputIsNamed refuses each bad abTest with a problem naming
// its field; a variant's template of the other channel or unknown is a
// 422 naming it; a send without a test has no A/B results.
func TestABSendBadInputIsNamed(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list := e.abAudience(u.tenant, 2, 0)
	mail := e.seedTemplate(u.tenant, "email", "Hi", "<p>Hi</p>", "Hi", "")
	sms := e.seedTemplate(u.tenant, "sms", "", "", "", "Hi")
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	two := []map[string]any{{"name": "A", "templateId": mail}, {"name": "B", "subject": "Hello"}}
	send := func(channel, tpl string, ab map[string]any) map[string]any {
		test := map[string]any{"variants": two, "testShare": 20, "decideAt": later}
		for k, v := range ab {
			test[k] = v
		}
		return map[string]any{"templateId": tpl, "channel": channel, "segmentId": list, "abTest": test}
	}
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"one variant", send("email", mail, map[string]any{"variants": two[:1]}), 400, "abTest/variants"},
		{"five variants", send("email", mail, map[string]any{"variants": []map[string]any{{"subject": "a"}, {"subject": "b"},
			{"subject": "c"}, {"subject": "d"}, {"subject": "e"}}}), 400, "abTest/variants"},
		{"no test share", send("email", mail, map[string]any{"testShare": 0}), 400, "abTest/testShare"},
		{"a share over 100", send("email", mail, map[string]any{"testShare": 101}), 400, "abTest/testShare"},
		{"unknown metric", send("email", mail, map[string]any{"metric": "reply"}), 400, "abTest/metric"},
		{"opens of an SMS", send("sms", sms, map[string]any{"variants": []map[string]any{{"templateId": sms}, {"templateId": sms}}}),
			400, "abTest/metric"},
		{"a past deadline", send("email", mail, map[string]any{"decideAt": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}),
			400, "abTest/decideAt"},
		{"low confidence", send("email", mail, map[string]any{"minConfidence": 0.4}), 400, "abTest/minConfidence"},
		{"a variant of nothing", send("email", mail, map[string]any{"variants": []map[string]any{two[0], {"name": "B"}}}),
			400, "abTest/variants/1/templateId"},
		{"a bad template id", send("email", mail, map[string]any{"variants": []map[string]any{two[0], {"templateId": "x"}}}),
			400, "abTest/variants/1/templateId"},
		{"the same name", send("email", mail, map[string]any{"variants": []map[string]any{{"name": "A", "subject": "x"},
			{"name": "A", "subject": "y"}}}), 400, "abTest/variants/1/name"},
		{"a broken merge tag", send("email", mail, map[string]any{"variants": []map[string]any{{"subject": "Hi {{contact.firstName"},
			two[1]}}), 400, "abTest/variants/0/subject"},
		{"a subject for an SMS", send("sms", sms, map[string]any{"metric": "click", "variants": []map[string]any{{"templateId": sms},
			{"subject": "Hi"}}}), 400, "abTest/variants/1/subject"},
		{"an SMS template in an email test", send("email", mail, map[string]any{"variants": []map[string]any{two[0], {"templateId": sms}}}),
			422, "abTest/variants/1/templateId"},
		{"an unknown template", send("email", mail, map[string]any{"variants": []map[string]any{two[0],
			{"templateId": uuid.NewString()}}}), 422, "abTest/variants/1/templateId"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/sends", c.body), c.status)
			if !slices.Contains(r.fields(), c.field) {
				t.Errorf("fields %v, want %s: %s", r.fields(), c.field, r.Raw)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM send_ab_tests WHERE tenant_id = $1`, u.tenant); n != 0 {
		t.Errorf("%d A/B tests recorded from bad input", n)
	}
	plain := e.createSend(u, map[string]any{"templateId": mail, "channel": "email", "segmentId": list,
		"scheduledAt": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)})
	e.want(e.do(u, "GET", "/v1/sends/"+plain.ID+"/ab-results", nil), http.StatusNotFound)
}

// subjectOf says whether subject is variant's of
// TestABSendDeadlinePicksTheBestRate, rendered for a contact P…
func subjectOf(variant, subject string) bool {
	switch variant {
	case "Short":
		return subject == "Hi"
	case "Long":
		return strings.HasPrefix(subject, "Hello P") && strings.HasSuffix(subject, ", our spring offer")
	case "Flower":
		return subject == "🌸 Spring"
	}
	return false
}

// TestABSendCanceledCancelsTheHeld cancels an A/B send once its test share
// went out: the held rest is canceled with it, nobody else is mailed and
// the test is never decided.
func TestABSendCanceledCancelsTheHeld(t *testing.T) {
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.abSettings(u)
	list := e.abAudience(u.tenant, 10, 0)
	tpl := e.seedTemplate(u.tenant, "email", "Hi", `<html><body><p>Hi</p></body></html>`, "Hi", "")
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"abTest": map[string]any{"variants": []map[string]any{{"subject": "One"}, {"subject": "Two"}}, "testShare": 20,
			"decideAt": time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}})
	e.waitTestShareSent(u, s.ID, 2)
	canceled := contracttest.Decode[messaging.Send](e.want(e.do(u, "POST", "/v1/sends/"+s.ID+"/cancel", nil), http.StatusOK))
	if want := (messaging.Counts{Recipients: 10, Sent: 2, Canceled: 8}); canceled.Counts != want {
		t.Errorf("counts %+v, want %+v", canceled.Counts, want)
	}
	// The deadline passes: a canceled send's test is not judged.
	if _, err := e.admin.Exec(`UPDATE send_ab_tests SET decide_at = now() - interval '1 second' WHERE tenant_id = $1 AND send_id = $2`,
		u.tenant, s.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM marketing_ab_tenants_due(1000) WHERE tenant_id = $1`, u.tenant); n != 0 {
		t.Errorf("the tenant is due for judging with only a canceled send's test")
	}
	other := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	e.waitSend(u, other.ID, messaging.StatusCompleted)
	if r := e.abResults(u, s.ID); r.Decision != nil || r.Rest.Held != 0 || r.State != messaging.ABTesting {
		t.Errorf("results %+v, want undecided, nothing held", r)
	}
	if got := byRecipient(sink.received()); len(sink.received()) != 12 || len(got) != 10 {
		t.Errorf("%d mails to %d addresses, want the test share's 2 and the other send's 10", len(sink.received()), len(got))
	}
}
