package support_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// refusing is a session of a relay that refuses recipients at
// bounce.example and takes the others' mail to sent.
type refusing struct{ sink }

func (s *refusing) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@bounce.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return nil
}

// TestSurveyRelayRefusal: a survey the relay refuses is postponed, not
// lost, and does not hold up the tenant's other surveys.
func TestSurveyRelayRefusal(t *testing.T) {
	e := newSurveyEnv(t)
	u := newUser(uuid.NewString())
	e.setSurveys(u, surveySettings(surveys.ActionBoth, false))
	bounced := e.openMailCase(u, "gone@bounce.example", "Refund", "", "")
	e.solve(u, bounced.ID)
	bouncedSurvey := e.waitSurvey(bounced.ID)
	ok := e.openMailCase(u, "cy@customer.example", "Refund too", "", "")
	e.solve(u, ok.ID)
	e.waitSurvey(ok.ID)

	sent := make(chan *mail.Reader, 10)
	relay := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &refusing{sink{sent: sent}}, nil }))
	relay.Domain, relay.AllowInsecureAuth = "relay.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = relay.Serve(ln) }()
	t.Cleanup(func() { _ = relay.Close() })
	cfg, err := surveys.ParseConfig(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	mailCfg, err := email.ParseConfig(func(k string) string {
		if k == "SUPPORT_SMTP_URL" {
			return "smtp://" + ln.Addr().String()
		}
		return os.Getenv(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := surveys.NewSender(e.contractsDB(), cfg, mailCfg, quiet).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Status  string `db:"status"`
		Delayed bool   `db:"delayed"`
	}
	if err := e.admin.Get(&row, `SELECT status, send_after > now() + interval '50 minutes' AS delayed FROM surveys WHERE id = $1`,
		bouncedSurvey); err != nil {
		t.Fatal(err)
	}
	if row.Status != surveys.StatusPending || !row.Delayed {
		t.Fatalf("the refused survey: %+v, want pending and postponed", row)
	}
	var pending int
	if err := e.admin.Get(&pending, `SELECT count(*) FROM surveys WHERE case_id = $1 AND status = 'pending'`, ok.ID); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Fatal("the refused survey held up the other")
	}

	// CSAT turned off: the surveys not sent go.
	off := surveySettings(surveys.ActionBoth, false)
	off["csatEnabled"] = false
	e.setSurveys(u, off)
	if left := contracttest.Decode[surveys.Page](e.want(e.do(u, "GET", "/v1/surveys?status=pending", nil), http.StatusOK)).Items; len(left) != 0 {
		t.Fatalf("pending surveys after CSAT was turned off: %+v", left)
	}
}
