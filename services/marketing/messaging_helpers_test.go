package marketing_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing"
	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// mailSink is an SMTP server in the test (go-smtp) that keeps every mail
// it accepts. refuse, when set, answers the end of DATA of a mail with its
// error instead (nil accepts); stall, when set for a recipient, holds the
// end of DATA of its first mail, kept as accepted, until release is
// closed, after telling stalled.
type mailSink struct {
	mu      sync.Mutex
	mails   []sunkMail
	refuse  func(to string, n int) error // n: the mails to to so far, this one included
	tries   map[string]int
	stallTo string
	stalled chan struct{}
	release chan struct{}
	held    bool
}

// sunkMail is a mail the sink accepted.
type sunkMail struct {
	From, To string
	Raw      []byte
}

// newMailSink starts a sink for the test's life and points
// MARKETING_SMTP_URL at it (services started after read it).
func newMailSink(t *testing.T) *mailSink { return newMailSinkAt(t, "127.0.0.1:0") }

// newMailSinkAt is newMailSink listening on addr.
func newMailSinkAt(t *testing.T, addr string) *mailSink {
	t.Helper()
	k := &mailSink{tries: map[string]int{}, stalled: make(chan struct{}), release: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "sink.test", true
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		k.mu.Lock()
		if k.stallTo != "" && !k.held {
			close(k.release)
		}
		k.mu.Unlock()
		_ = srv.Close()
	})
	t.Setenv(messaging.EnvSMTPURL, "smtp://"+ln.Addr().String())
	return k
}

// received returns the mails accepted so far.
func (k *mailSink) received() []sunkMail {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]sunkMail(nil), k.mails...)
}

// sinkSession is one SMTP conversation with the sink.
type sinkSession struct {
	k        *mailSink
	from, to string
}

// Mail takes any sender.
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

// Rcpt takes any recipient (the sender names one per mail).
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

// Reset forgets the mail begun.
func (s *sinkSession) Reset() { s.from, s.to = "", "" }

// Logout ends the session.
func (s *sinkSession) Logout() error { return nil }

// Data keeps the mail, or refuses it, or holds it (stall).
func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	k := s.k
	k.mu.Lock()
	k.tries[s.to]++
	if k.refuse != nil {
		if err := k.refuse(s.to, k.tries[s.to]); err != nil {
			k.mu.Unlock()
			return err
		}
	}
	k.mails = append(k.mails, sunkMail{From: s.from, To: s.to, Raw: raw})
	stall := s.to == k.stallTo && !k.held
	if stall {
		k.held = true
	}
	k.mu.Unlock()
	if stall {
		close(k.stalled)
		<-k.release
	}
	return nil
}

// errTryLater is a relay's temporary refusal.
var errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}

// audienceMember is a contact of the audience projection a test seeds.
type audienceMember struct {
	first, email, phone      string
	emailConsent, smsConsent string
	custom                   string // custom_fields JSON
	id                       string
}

// seedAudience writes members into tenant's projection and a static list
// of them, and returns the list's id and the members with their ids.
func (e *env) seedAudience(tenant string, members ...audienceMember) (string, []audienceMember) {
	e.t.Helper()
	list := uuid.NewString()
	now := time.Now().UTC()
	if _, err := e.admin.Exec(`INSERT INTO segments (tenant_id, id, name, kind, created_at, updated_at) VALUES ($1, $2, $3, 'static', $4, $4)`,
		tenant, list, "list "+list[:8], now); err != nil {
		e.t.Fatal(err)
	}
	for i := range members {
		m := &members[i]
		m.id = uuid.NewString()
		if m.custom == "" {
			m.custom = "{}"
		}
		if _, err := e.admin.Exec(`INSERT INTO audience_contacts (tenant_id, id, first_name, email, phone, email_consent, sms_consent,
				custom_fields, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)`,
			tenant, m.id, m.first, m.email, m.phone, m.emailConsent, m.smsConsent, m.custom, now); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.admin.Exec(`INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at) VALUES ($1, $2, $3, $4)`,
			tenant, list, m.id, now); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.admin.Exec(`UPDATE segments SET member_count = $3 WHERE tenant_id = $1 AND id = $2`, tenant, list, len(members)); err != nil {
		e.t.Fatal(err)
	}
	return list, members
}

// seedTemplate writes a template of tenant on channel and returns its id.
func (e *env) seedTemplate(tenant, channel, subject, html, text, body string) string {
	e.t.Helper()
	id := uuid.NewString()
	if _, err := e.admin.Exec(`INSERT INTO templates (tenant_id, id, name, channel, subject, html, text, body, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now(), 1)`, tenant, id, "t "+id[:8], channel, subject, html, text, body); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// suppress puts address on tenant's suppression list of channel for reason.
func (e *env) suppress(tenant, channel, address, reason string) {
	e.t.Helper()
	if _, err := e.admin.Exec(`INSERT INTO suppressions (tenant_id, channel, address, reason, created_at) VALUES ($1, $2, $3, $4, now())`,
		tenant, channel, address, reason); err != nil {
		e.t.Fatal(err)
	}
}

// createSend posts a send and returns it.
func (e *env) createSend(u user, body map[string]any) messaging.Send {
	e.t.Helper()
	return contracttest.Decode[messaging.Send](e.want(e.do(u, "POST", "/v1/sends", body), http.StatusCreated))
}

// waitSend waits until the send id has status and returns it.
func (e *env) waitSend(u user, id, status string) messaging.Send {
	e.t.Helper()
	var s messaging.Send
	testkit.Eventually(e.t, 60*time.Second, "the send is "+status, func() (bool, string) {
		s = contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+id, nil), http.StatusOK))
		return s.Status == status, s.Status
	})
	return s
}

// replica starts another instance of the service on e's database and
// Kafka, with the environment as it is now; stop stops it and waits.
func (e *env) replica() (stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in, err := starter.Start(ctx, e.cfg, marketing.Starter(), quiet)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := in.Wait(); err != nil && !errors.Is(err, context.Canceled) {
				e.t.Errorf("the replica stopped with %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return stop
}

// noSender makes the services started next run no sender
// (MARKETING_SENDER=off), for tests that run theirs in replicas started
// after sendersOn.
func noSender(t *testing.T) { t.Setenv(messaging.EnvSender, "off") }

// sendersOn makes the services started next run their sender.
func sendersOn(t *testing.T) { t.Setenv(messaging.EnvSender, "") }

// byRecipient counts mails by recipient.
func byRecipient(mails []sunkMail) map[string]int {
	out := map[string]int{}
	for _, m := range mails {
		out[strings.ToLower(m.To)]++
	}
	return out
}

// messagingEvents returns the send and message events published so far
// of the given verbs' types (e.g. "send.canceled"), having checked each
// against its JSON Schema; it fails unless each type was published.
func (e *env) messagingEvents(types ...string) []events.Event {
	e.t.Helper()
	var out []events.Event
	seen := map[string]bool{}
	for _, ev := range e.published() {
		name := strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.marketing."), ".v1")
		if strings.HasPrefix(name, "send.") || name == "message.sent" || name == "message.failed" {
			out = append(out, ev)
			seen[name] = true
		}
	}
	for _, t := range types {
		if !seen[t] {
			e.t.Errorf("no %s published", t)
		}
	}
	contracttest.ValidateEvents(e.t, "api/events", out)
	return out
}
