package marketing_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// emailAudience seeds n members with email consent into u's tenant, a
// list of them, a template and the settings' From, and returns the list
// and the template.
func (e *env) emailAudience(u user, n int) (list, tpl string) {
	e.t.Helper()
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "news@acme.example", "fromName": "", "replyTo": "",
		"smsFrom": "", "throttlePerMinute": 100000}), http.StatusOK)
	members := make([]audienceMember, n)
	for i := range members {
		members[i] = audienceMember{first: fmt.Sprintf("M%03d", i), email: fmt.Sprintf("m%03d@example.test", i), emailConsent: "granted"}
	}
	list, _ = e.seedAudience(u.tenant, members...)
	return list, e.seedTemplate(u.tenant, "email", "Hello {{contact.firstName}}", "<p>Hi {{contact.firstName}}</p>", "Hi", "")
}

// wantEachOnce fails unless the sink has exactly one mail for each of the
// n members emailAudience made.
func wantEachOnce(t *testing.T, sink *mailSink, n int) {
	t.Helper()
	got := byRecipient(sink.received())
	if len(got) != n {
		t.Errorf("mails to %d recipients, want %d", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%d mails to %s", k, to)
		}
	}
}

// TestSendsRetryARelaysRefusalWithoutDuplicates has the relay refuse a
// mail for now (451 at the end of DATA) twice: the mail goes out at the
// third attempt, once, and everybody else's once.
func TestSendsRetryARelaysRefusalWithoutDuplicates(t *testing.T) {
	sink := newMailSink(t)
	sink.refuse = func(to string, n int) error {
		if to == "m002@example.test" && n <= 2 {
			return errTryLater
		}
		return nil
	}
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 5)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	if done.Counts.Sent != 5 || done.Counts.Failed != 0 {
		t.Errorf("counts %+v, want 5 sent", done.Counts)
	}
	wantEachOnce(t, sink, 5)
	var attempts int
	if err := e.admin.Get(&attempts, `SELECT attempts FROM messages WHERE send_id = $1 AND address = 'm002@example.test'`, s.ID); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Errorf("the refused mail took %d attempts, want 3", attempts)
	}
}

// TestSendsTwoReplicasNeverDuplicate runs the sender in two replicas at
// once on one send: each member gets one mail.
func TestSendsTwoReplicasNeverDuplicate(t *testing.T) {
	sink := newMailSink(t)
	noSender(t)
	e := newEnv(t)
	sendersOn(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 120)
	e.replica()
	e.replica()
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	if done.Counts.Sent != 120 {
		t.Errorf("counts %+v, want 120 sent", done.Counts)
	}
	wantEachOnce(t, sink, 120)
	var claimers int
	if err := e.admin.Get(&claimers, `SELECT count(DISTINCT smtp_id) FROM messages WHERE send_id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	if claimers != 120 {
		t.Errorf("%d distinct Message-IDs, want 120", claimers)
	}
}

// TestSendsCrashMidSendMailsNobodyTwice stops the sender while the relay
// holds the end of DATA of a mail (the relay keeps it), then starts
// another: every member gets exactly one mail; the interrupted one is
// failed, not sent again.
func TestSendsCrashMidSendMailsNobodyTwice(t *testing.T) {
	sink := newMailSink(t)
	noSender(t)
	e := newEnv(t)
	sendersOn(t)
	sink.stallTo = "m007@example.test"
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 30)
	stop := e.replica()
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	select {
	case <-sink.stalled:
	case <-time.After(time.Minute):
		t.Fatal("the relay never saw the mail to m007")
	}
	stop()
	close(sink.release)
	e.replica()
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	// Another of the replica's workers may have been past the end of a
	// mail's DATA when it stopped, unanswered: that one is failed as
	// interrupted too, never sent again.
	if done.Counts.Sent+done.Counts.Failed != 30 || done.Counts.Failed < 1 {
		t.Errorf("counts %+v, want 30 sent or failed, the interrupted ones failed", done.Counts)
	}
	wantEachOnce(t, sink, 30)
	var failed []struct{ Address, Error string }
	if err := e.admin.Select(&failed, `SELECT address, error FROM messages WHERE send_id = $1 AND status = 'failed' ORDER BY address`, s.ID); err != nil {
		t.Fatal(err)
	}
	stalled := false
	for _, f := range failed {
		stalled = stalled || f.Address == "m007@example.test"
		if !strings.HasPrefix(f.Error, "interrupted; not retried to avoid a duplicate") {
			t.Errorf("the failed message to %s: %s, want interrupted", f.Address, f.Error)
		}
	}
	if !stalled || len(failed) != done.Counts.Failed {
		t.Errorf("failed messages %+v, want the one to m007 among them", failed)
	}
}

// TestSendsStaleClaimFailsNeverResent finds a message claimed by a sender
// that died inside its SMTP transaction (its claim an hour old, as after
// a kill -9): it fails as interrupted and is not sent; the others go out.
func TestSendsStaleClaimFailsNeverResent(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 4)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"scheduledAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	// What a replica killed inside the relay's transaction leaves: the
	// message of m001 claimed an hour ago and never finished.
	if _, err := e.admin.Exec(`INSERT INTO messages (tenant_id, id, send_id, contact_id, channel, address, status, smtp_id, attempts,
			claimed_by, claimed_at, created_at)
		SELECT $1, $2::uuid, $3, c.id, 'email', c.email, 'sending', $2::text || '@acme.example', 1, 'gone', now() - interval '1 hour', now()
		FROM audience_contacts c WHERE c.tenant_id = $1 AND c.email = 'm001@example.test'`, u.tenant, uuid.NewString(), s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Exec(`UPDATE sends SET status = 'queued' WHERE id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	if done.Counts.Sent != 3 || done.Counts.Failed != 1 || done.Counts.Recipients != 4 {
		t.Errorf("counts %+v, want 3 sent and the interrupted one failed", done.Counts)
	}
	got := byRecipient(sink.received())
	if len(got) != 3 || got["m001@example.test"] != 0 {
		t.Errorf("mails to %v, want one each to all but m001", got)
	}
	failed := contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+s.ID, nil), http.StatusOK))
	if failed.Counts.Failed != 1 {
		t.Errorf("GET shows %+v", failed.Counts)
	}
	for _, ev := range e.messagingEvents("message.failed") {
		if ev.Type == "dev.rapport.marketing.message.failed.v1" && !strings.Contains(string(ev.Data), "interrupted; not retried") {
			t.Errorf("message.failed %s", ev.Data)
		}
	}
}

// TestSendsKeepTheTenantsThrottle sends to five members at three a
// minute: three go out and two wait in the queue; once the minute's
// window has passed (moved back here), the other two go out.
func TestSendsKeepTheTenantsThrottle(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 5)
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "news@acme.example", "fromName": "", "replyTo": "",
		"smsFrom": "", "throttlePerMinute": 3}), http.StatusOK)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	var got messaging.Send
	testkit.Eventually(t, time.Minute, "three of five are sent", func() (bool, string) {
		got = contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+s.ID, nil), http.StatusOK))
		return got.Counts.Sent == 3 && got.Counts.Queued == 2, fmt.Sprintf("%+v", got.Counts)
	})
	var used int
	if err := e.admin.Get(&used, `SELECT used FROM messaging_quota WHERE tenant_id = $1`, u.tenant); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.received()); n != 3 || used != 3 || got.Status != messaging.StatusSending {
		t.Fatalf("%d mails, %d of the quota used, the send %s; want 3, 3, sending", n, used, got.Status)
	}
	if _, err := e.admin.Exec(`UPDATE messaging_quota SET window_start = window_start - interval '1 minute' WHERE tenant_id = $1`, u.tenant); err != nil {
		t.Fatal(err)
	}
	if done := e.waitSend(u, s.ID, messaging.StatusCompleted); done.Counts.Sent != 5 {
		t.Errorf("counts %+v, want 5 sent", done.Counts)
	}
	wantEachOnce(t, sink, 5)
}

// TestSendsCancelStopsASendMidway cancels a send held by the throttle
// after two of its five mails: the other three are canceled and never
// sent, even once the throttle allows it (a later send of the tenant goes
// out meanwhile).
func TestSendsCancelStopsASendMidway(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 5)
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "news@acme.example", "fromName": "", "replyTo": "",
		"smsFrom": "", "throttlePerMinute": 2}), http.StatusOK)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	testkit.Eventually(t, time.Minute, "two of five are sent", func() (bool, string) {
		got := contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+s.ID, nil), http.StatusOK))
		return got.Counts.Sent == 2 && got.Counts.Queued == 3, fmt.Sprintf("%+v", got.Counts)
	})
	canceled := contracttest.Decode[messaging.Send](e.want(e.do(u, "POST", "/v1/sends/"+s.ID+"/cancel", nil), http.StatusOK))
	if canceled.Counts.Canceled != 3 || canceled.Counts.Sent != 2 || canceled.Status != messaging.StatusCanceled {
		t.Errorf("canceled %s with %+v", canceled.Status, canceled.Counts)
	}
	if _, err := e.admin.Exec(`UPDATE messaging_quota SET window_start = window_start - interval '1 minute' WHERE tenant_id = $1`, u.tenant); err != nil {
		t.Fatal(err)
	}
	one, _ := e.seedAudience(u.tenant, audienceMember{first: "Zed", email: "zed@example.test", emailConsent: "granted"})
	later := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": one})
	e.waitSend(u, later.ID, messaging.StatusCompleted)
	got := byRecipient(sink.received())
	if len(got) != 3 || got["zed@example.test"] != 1 {
		t.Errorf("mails to %v, want the two sent before the cancel and zed's", got)
	}
}

// TestSendsWithoutARelayFailClearly runs the service with no relay
// (MARKETING_SMTP_URL unset): a send's mails fail, each with the error
// naming the variable, and the send completes.
func TestSendsWithoutARelayFailClearly(t *testing.T) {
	t.Setenv(messaging.EnvSMTPURL, "")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 2)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	if done := e.waitSend(u, s.ID, messaging.StatusCompleted); done.Counts.Failed != 2 || done.Counts.Sent != 0 {
		t.Errorf("counts %+v, want 2 failed", done.Counts)
	}
	var errText []string
	if err := e.admin.Select(&errText, `SELECT DISTINCT error FROM messages WHERE send_id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	if len(errText) != 1 || !strings.Contains(errText[0], "MARKETING_SMTP_URL") {
		t.Errorf("errors %q, want the relay's variable named", errText)
	}
	e.messagingEvents("message.failed")
}

// TestSendsWaitForAnUnreachableRelay sends while the relay is down
// (connection refused): the mails wait in the queue, and go out once
// each when it is up.
func TestSendsWaitForAnUnreachableRelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv(messaging.EnvSMTPURL, "smtp://"+addr)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 3)
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	testkit.Eventually(t, time.Minute, "the mails wait after a refused connection", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, `SELECT count(*) FROM messages WHERE send_id = $1 AND status = 'queued' AND attempts = 1
			AND error LIKE '%refused%'`, s.ID); err != nil {
			t.Fatal(err)
		}
		return n == 3, fmt.Sprint(n)
	})
	sink := newMailSinkAt(t, addr)
	if done := e.waitSend(u, s.ID, messaging.StatusCompleted); done.Counts.Sent != 3 {
		t.Errorf("counts %+v, want 3 sent", done.Counts)
	}
	wantEachOnce(t, sink, 3)
}
