package marketing_test

import (
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

func TestFeedbackSMTPListenerTakesABounceOverSMTP(t *testing.T) {
	addr := testkit.FreeAddr(t)
	t.Setenv(tracking.EnvBounceAddr, addr)
	e := newEnv(t)
	tenant := uuid.NewString()
	m := e.seedMessage(tenant, "email")
	// The listener starts with the service; a relay retries until it answers.
	testkit.Eventually(t, 30*time.Second, "the bounce listener takes the DSN", func() (bool, string) {
		err := smtp.SendMail(addr, nil, "", []string{"bounces@mail.rapport.test"}, []byte(dsn(m, "failed", "5.1.1", "550 5.1.1 User unknown")))
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	testkit.Eventually(t, 30*time.Second, "the address is suppressed", func() (bool, string) {
		n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1 AND address = $2 AND reason = 'hard_bounce'", tenant, m.address)
		return n == 1, "not suppressed"
	})
	if n := e.count("SELECT count(*) FROM feedback_reports WHERE tenant_id = $1 AND source = 'smtp' AND message_id = $2", tenant, m.id); n != 1 {
		t.Fatalf("%d reports from smtp", n)
	}
	// A mail that is no report, or a report for no message, is taken and dropped.
	if err := smtp.SendMail(addr, nil, "", []string{"bounces@mail.rapport.test"}, []byte("Subject: hi\r\n\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	stray := sentMessage{id: uuid.NewString(), address: "x@example.com", smtpID: "stray@mail.rapport.test"}
	if err := smtp.SendMail(addr, nil, "", []string{"bounces@mail.rapport.test"}, []byte(dsn(stray, "failed", "5.1.1", "x"))); err != nil {
		t.Fatal(err)
	}
	if evs := ofType(e.published(), typeBounced, m.id); len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"bounceType":"hard"`) {
		t.Fatalf("message.bounced %v", evs)
	}
}
