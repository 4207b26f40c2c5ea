package mailrelay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testRelay is an SMTP server in the test (go-smtp) that keeps the mails it
// takes and answers as its fields say.
type testRelay struct {
	user, pass    string // the login it requires, when set
	rcptErr       error  // its answer to RCPT (answer)
	dataErr       error  // its answer to the end of DATA (answer)
	dropAtRcpt    bool   // closes the connection on RCPT
	dropAfterData bool   // closes the connection once it has the mail, before answering

	mu    sync.Mutex
	mails []receivedMail
	conns map[*smtp.Conn]bool
}

// receivedMail is a mail the test relay took, with how it came.
type receivedMail struct {
	from, to, body, helo, user string
	tls                        bool
}

// serve runs r on a local port, over TLS from the start when implicit (else
// offering STARTTLS when cert is not nil), until the test ends; it returns
// the address.
func (r *testRelay) serve(t *testing.T, cert *tls.Certificate, implicit bool) string {
	t.Helper()
	r.conns = map[*smtp.Conn]bool{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		r.mu.Lock()
		r.conns[c] = true
		r.mu.Unlock()
		return &testSession{r: r, c: c}, nil
	}))
	srv.Domain, srv.AllowInsecureAuth = "relay.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*cert}}
		if implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// received is what the relay took so far.
func (r *testRelay) received() []receivedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedMail(nil), r.mails...)
}

// answer is the relay's answer *a, read under its lock (the test changes
// it between mails).
func (r *testRelay) answer(a *error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return *a
}

// connections is how many connections greeted the relay.
func (r *testRelay) connections() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// testSession is one SMTP conversation with the test relay.
type testSession struct {
	r        *testRelay
	c        *smtp.Conn
	user     string
	from, to string
}

var _ smtp.AuthSession = (*testSession)(nil)

// AuthMechanisms offers PLAIN when the relay requires a login.
func (s *testSession) AuthMechanisms() []string {
	if s.r.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks the PLAIN login against the relay's.
func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.r.user || pass != s.r.pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

// Mail takes the sender, once logged in when the relay requires it.
func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

// Rcpt takes the recipient, or answers as the relay says.
func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.dropAtRcpt {
		return s.c.Conn().Close()
	}
	if err := s.r.answer(&s.r.rcptErr); err != nil {
		return err
	}
	s.to = to
	return nil
}

// Data takes the mail, or answers as the relay says.
func (s *testSession) Data(body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if err := s.r.answer(&s.r.dataErr); err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	s.r.mu.Lock()
	s.r.mails = append(s.r.mails, receivedMail{from: s.from, to: s.to, body: string(b), helo: s.c.Hostname(), user: s.user, tls: isTLS})
	s.r.mu.Unlock()
	if s.r.dropAfterData {
		return s.c.Conn().Close()
	}
	return nil
}

// Reset forgets the transaction.
func (s *testSession) Reset() { s.from, s.to = "", "" }

// Logout ends the conversation.
func (s *testSession) Logout() error { return nil }

// selfSigned is a certificate for 127.0.0.1 signed by itself, and the pool
// that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// mustParse is the relay of rawURL.
func mustParse(t *testing.T, rawURL string) *Relay {
	t.Helper()
	r, err := Parse(rawURL, "TEST_SMTP_URL")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// asError is err as an *Error, failing the test when it is not one.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *mailrelay.Error", err, err)
	}
	return re
}
