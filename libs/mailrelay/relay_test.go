package mailrelay

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

const testMail = "Subject: hello\r\n\r\nHello, Ada.\r\n"

func TestParseReadsTheRelaysURL(t *testing.T) {
	r := mustParse(t, "smtps://ada:s3cret@mail.example.com:465")
	if r.addr != "mail.example.com:465" || r.host != "mail.example.com" || !r.implicit || r.auth == nil {
		t.Errorf("smtps relay %+v", r)
	}
	r = mustParse(t, "smtp://mail.example.com:25")
	if r.addr != "mail.example.com:25" || r.implicit || r.auth != nil {
		t.Errorf("smtp relay %+v", r)
	}
	for _, bad := range []string{"mail.example.com:25", "http://mail.example.com:25", "smtp://mail.example.com", "smtp://:25",
		"smtp://ada:s3cret@mail.example.com", "::"} {
		_, err := Parse(bad, "TEST_SMTP_URL")
		if err == nil || !strings.Contains(err.Error(), "TEST_SMTP_URL") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestDeliverSendsOneMailInASessionOfItsOwn(t *testing.T) {
	srv := &testRelay{}
	r := mustParse(t, "smtp://"+srv.serve(t, nil, false))
	if err := r.Deliver(context.Background(), "news@example.com", "ada@example.org", []byte(testMail)); err != nil {
		t.Fatal(err)
	}
	got := srv.received()
	if len(got) != 1 || got[0].from != "news@example.com" || got[0].to != "ada@example.org" || got[0].body != testMail ||
		got[0].helo != "example.com" || got[0].tls {
		t.Errorf("received %+v", got)
	}
}

func TestASessionCarriesManyMails(t *testing.T) {
	srv := &testRelay{}
	r := mustParse(t, "smtp://"+srv.serve(t, nil, false))
	s, err := r.Open(context.Background(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"ada@example.org", "grace@example.org"} {
		if err := s.Send("news@example.com", to, []byte(testMail)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Noop(); err != nil {
		t.Errorf("noop: %v", err)
	}
	s.Close()
	if got := srv.received(); len(got) != 2 || got[0].to != "ada@example.org" || got[1].to != "grace@example.org" {
		t.Errorf("received %+v", got)
	}
	if n := srv.connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestTheSessionSwitchesToTLSWhenTheRelayOffersSTARTTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := &testRelay{}
	addr := srv.serve(t, cert, false)
	r := mustParse(t, "smtp://"+addr)
	if err := r.Deliver(context.Background(), "news@example.com", "ada@example.org", []byte(testMail)); err == nil {
		t.Error("a relay whose certificate is not trusted took the mail")
	}
	r.TLS = &tls.Config{RootCAs: pool}
	if err := r.Deliver(context.Background(), "news@example.com", "ada@example.org", []byte(testMail)); err != nil {
		t.Fatal(err)
	}
	if got := srv.received(); len(got) != 1 || !got[0].tls || got[0].helo != "example.com" {
		t.Errorf("received %+v", got)
	}
}

func TestSMTPSIsTLSFromTheStart(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := &testRelay{}
	r := mustParse(t, "smtps://"+srv.serve(t, cert, true))
	r.TLS = &tls.Config{RootCAs: pool}
	if err := r.Deliver(context.Background(), "news@example.com", "ada@example.org", []byte(testMail)); err != nil {
		t.Fatal(err)
	}
	if got := srv.received(); len(got) != 1 || !got[0].tls {
		t.Errorf("received %+v", got)
	}
}

func TestTheSessionLogsInWithTheURLsCredentials(t *testing.T) {
	srv := &testRelay{user: "ada", pass: "s3cret"}
	addr := srv.serve(t, nil, false)
	if err := mustParse(t, "smtp://ada:s3cret@"+addr).Deliver(context.Background(), "news@example.com", "ada@example.org",
		[]byte(testMail)); err != nil {
		t.Fatal(err)
	}
	if got := srv.received(); len(got) != 1 || got[0].user != "ada" {
		t.Errorf("received %+v", got)
	}
	_, err := mustParse(t, "smtp://ada:wrong@"+addr).Open(context.Background(), "example.com")
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 535 {
		t.Errorf("a wrong password: %v", err)
	}
	err = mustParse(t, "smtp://"+addr).Deliver(context.Background(), "news@example.com", "ada@example.org", []byte(testMail))
	if re := asError(t, err); re.Outcome != Fail {
		t.Errorf("no login: %+v", re)
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("%d mails received, want 1", n)
	}
}

func TestFailedTransactionsSayWhatTheyMeanForTheMail(t *testing.T) {
	tryLater := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	noSuchUser := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	tests := []struct {
		name      string
		relay     *testRelay
		outcome   Outcome
		broken    bool
		delivered int // mails the relay took
	}{
		{"4xx to RCPT", &testRelay{rcptErr: tryLater}, Retry, false, 0},
		{"5xx to RCPT", &testRelay{rcptErr: noSuchUser}, Fail, false, 0},
		{"4xx to the end of DATA", &testRelay{dataErr: tryLater}, Retry, false, 0},
		{"5xx to the end of DATA", &testRelay{dataErr: noSuchUser}, Fail, false, 0},
		{"dropped before DATA", &testRelay{dropAtRcpt: true}, Retry, true, 0},
		{"dropped after the end of DATA", &testRelay{dropAfterData: true}, Uncertain, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.relay
			r := mustParse(t, "smtp://"+srv.serve(t, nil, false))
			s, err := r.Open(context.Background(), "example.com")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			re := asError(t, s.Send("news@example.com", "ada@example.org", []byte(testMail)))
			if re.Outcome != tt.outcome || re.Broken != tt.broken {
				t.Errorf("outcome %d broken %v, want %d %v (%v)", re.Outcome, re.Broken, tt.outcome, tt.broken, re)
			}
			if n := len(srv.received()); n != tt.delivered {
				t.Errorf("%d mails received, want %d", n, tt.delivered)
			}
			if !tt.broken {
				srv.mu.Lock()
				srv.rcptErr, srv.dataErr = nil, nil
				srv.mu.Unlock()
				if err := s.Send("news@example.com", "grace@example.org", []byte(testMail)); err != nil {
					t.Errorf("the session after a refusal: %v", err)
				}
			}
		})
	}
}
