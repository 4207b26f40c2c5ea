package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
)

// sendRun is a send of personalised emails to the sink, and the same
// messages sent again raw by one SMTP client.
type sendRun struct {
	Members    int64         // the newsletter segment's members
	Expected   int           // of them with email consent granted
	Service    sinkRun       // what the sink took from the service
	Took       time.Duration // POST /v1/sends → the last mail taken
	Status     string        // the send's status at the end
	Counts     sendCounts    // the send's counts at the end
	Raw        sinkRun       // what the sink took from the raw client
	RawSent    int
	RawTook    time.Duration
	CPUPerMail time.Duration // the service process's CPU per mail
	// CommitsPerMail is the service database's transactions committed
	// during the send, per mail.
	CommitsPerMail float64
	MailBytes      float64 // mean size of a mail
	// SignCost is one RSA-2048 PKCS #1 v1.5 signature of a SHA-256 digest
	// with the tenant's key in the bench's process: the DKIM signature's
	// arithmetic, on this machine.
	SignCost time.Duration
}

// signSamples is how many signatures SignCost is the mean of.
const signSamples = 200

// rsaSignCost times signSamples signatures of a digest with key.
func rsaSignCost(key *rsa.PrivateKey) (time.Duration, error) {
	digest := sha256.Sum256([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=bench-mkt.test; s=bench"))
	began := time.Now()
	for range signSamples {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
			return 0, err
		}
	}
	return time.Since(began) / signSamples, nil
}

// Rate is the service's mails taken per second from the send's request.
func (r sendRun) Rate() float64 { return float64(r.Service.Mails) / r.Took.Seconds() }

// SteadyRate is the service's mails per second from the first to the last.
func (r sendRun) SteadyRate() float64 {
	return float64(r.Service.Mails-1) / r.Service.Last.Sub(r.Service.First).Seconds()
}

// RawRate is the raw client's mails per second.
func (r sendRun) RawRate() float64 { return float64(r.RawSent) / r.RawTook.Seconds() }

// sendCounts is what the bench reads of a send.
type sendCounts struct {
	Status string `json:"status"`
	Counts struct {
		Recipients, Sent, Failed, Excluded int
	} `json:"counts"`
	Excluded struct {
		NoConsent int `json:"noConsent"`
	} `json:"excluded"`
}

// sendTemplate is the personalised email of the send: merge fields in
// its subject (Chinese as well), HTML and text, two links to track and
// the unsubscribe link.
const sendTemplate = `{"name": "December news", "channel": "email",
	"subject": "{{contact.firstName | default: \"there\"}}, December news 十二月新闻",
	"html": "<html><body><h1>Hello {{contact.firstName | capitalize}} {{contact.lastName}}</h1><p>Our December offers for {{contact.country | default: \"you\"}}: <a href=\"https://www.example.com/offers/december\">see them</a>, and <a href=\"https://www.example.com/blog/winter\">read the blog</a>.</p><p>您好 {{contact.firstName}}，祝节日快乐。</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a> · <a href=\"{{preferencesUrl}}\">Preferences</a></p></body></html>",
	"text": "Hello {{contact.firstName}},\n\nOur December offers: https://www.example.com/offers/december\n\nUnsubscribe: {{unsubscribeUrl}}\n"}`

// measureSend sets the tenant's sending settings (a DKIM key, no
// throttle in the way), makes the newsletter segment and the template,
// sends it and waits for every mail at the sink; then sends the captured
// mails again raw.
func measureSend(ctx context.Context, s *marketingStack, admin *sqlx.DB, client *http.Client, token func() (string, error),
	newsletter int) (r sendRun, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return r, err
	}
	if r.SignCost, err = rsaSignCost(key); err != nil {
		return r, err
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	settings, _ := json.Marshal(map[string]any{"fromAddress": "news@bench-mkt.test", "fromName": "Bench News", "replyTo": "",
		"smsFrom": "", "throttlePerMinute": 1_000_000, "dkim": map[string]any{"domain": "bench-mkt.test", "selector": "bench", "privateKey": pemKey}})
	if _, err := benchRequest(ctx, client, token, http.MethodPut, s.base+"/v1/marketing-settings", string(settings)); err != nil {
		return r, err
	}
	b, err := benchRequest(ctx, client, token, http.MethodPost, s.base+"/v1/templates", sendTemplate)
	if err != nil {
		return r, err
	}
	var tpl struct{ ID string }
	if err := json.Unmarshal(b, &tpl); err != nil {
		return r, err
	}
	seg, err := createSegment(ctx, client, token, s.base, `{"name": "Newsletter", "kind": "dynamic", "filter": {"field": "tags", "op": "contains", "value": "newsletter"}}`)
	if err != nil {
		return r, err
	}
	r.Members = seg.MemberCount
	expected := map[string]bool{}
	for g := 1; g <= newsletter; g++ {
		if g%10 != 9 {
			expected[audienceEmail(g)] = true
		}
	}
	r.Expected = len(expected)
	if _, err := waitOutboxEmpty(ctx, admin); err != nil {
		return r, err
	}
	if err := s.sink.begin(expected, true); err != nil {
		return r, err
	}
	before, err := dbActivity(ctx, admin)
	if err != nil {
		return r, err
	}
	cpuBefore, err := processCPU(ctx, s.base)
	if err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: marketing: sending %d mails\n", r.Expected)
	began := time.Now()
	b, err = benchRequest(ctx, client, token, http.MethodPost, s.base+"/v1/sends",
		`{"templateId": "`+tpl.ID+`", "channel": "email", "segmentId": "`+seg.ID+`", "utm": {"source": "newsletter", "medium": "email", "campaign": "december"}}`)
	if err != nil {
		return r, err
	}
	var send struct{ ID string }
	if err := json.Unmarshal(b, &send); err != nil {
		return r, err
	}
	deadline := time.Now().Add(2*time.Minute + time.Duration(r.Expected)*20*time.Millisecond)
	for r.Status != "completed" && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		if b, err = benchRequest(ctx, client, token, http.MethodGet, s.base+"/v1/sends/"+send.ID, ""); err != nil {
			return r, err
		}
		if err := json.Unmarshal(b, &r.Counts); err != nil {
			return r, err
		}
		r.Status = r.Counts.Status
	}
	if r.Service, err = s.sink.end(); err != nil {
		return r, err
	}
	if r.Service.Mails == 0 {
		return r, fmt.Errorf("no mail reached the sink; the send is %s", r.Status)
	}
	r.Took = r.Service.Last.Sub(began)
	after, err := dbActivity(ctx, admin)
	if err != nil {
		return r, err
	}
	cpuAfter, err := processCPU(ctx, s.base)
	if err != nil {
		return r, err
	}
	r.CPUPerMail = (cpuAfter - cpuBefore) / time.Duration(r.Service.Mails)
	r.CommitsPerMail = float64(after.Commits-before.Commits) / float64(r.Service.Mails)

	fmt.Fprintf(os.Stderr, "bench: marketing: %d mails in %s; the same sent raw\n", r.Service.Mails, r.Took.Round(time.Millisecond))
	if fi, err := os.Stat(s.sink.path); err == nil {
		r.MailBytes = float64(fi.Size()) / float64(r.Service.Mails)
	}
	if err := s.sink.begin(expected, false); err != nil {
		return r, err
	}
	r.RawSent, r.RawTook, err = replayRaw(ctx, s.sink, s.sink.Addr())
	if err != nil {
		return r, fmt.Errorf("raw SMTP client: %w", err)
	}
	r.Raw, err = s.sink.end()
	return r, err
}
