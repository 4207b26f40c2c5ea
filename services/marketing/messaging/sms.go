package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SMSProvider sends SMS: Send hands one to the provider and returns the
// provider's id of it. Its failure is an *SMSError saying what the sender
// does with the message.
type SMSProvider interface {
	Send(ctx context.Context, sms SMS) (string, error)
}

// SMS is one text message: to an E.164 number, from a sender id ("" for
// the provider's default); Key is the message's id, sent as the request's
// Idempotency-Key so that a provider that honours it acts once.
type SMS struct {
	To, From, Body, Key string
}

// SMSError is a failed SMS request: Retry when the provider refused it for
// now (429, 5xx) or could not be reached, Uncertain when the request went
// out and its answer was lost (it may have been sent); otherwise refused
// for good (4xx).
type SMSError struct {
	Retry, Uncertain bool
	Err              error
}

// Error is the failure's text.
func (e *SMSError) Error() string { return e.Err.Error() }

// Unwrap is the failure.
func (e *SMSError) Unwrap() error { return e.Err }

// smsTimeout bounds one request to the provider.
const smsTimeout = 20 * time.Second

// HTTPSMS is the SMS provider's HTTP API: POST {base}/messages with the
// JSON {to, from, body} and the bearer token; a 2xx answers {"id": …}.
type HTTPSMS struct {
	base, token string
	client      *http.Client
}

// NewHTTPSMS returns the provider at base (MARKETING_SMS_URL) with token
// (MARKETING_SMS_TOKEN).
func NewHTTPSMS(base, token string) (*HTTPSMS, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q is not an http(s) URL", EnvSMSURL, base)
	}
	return &HTTPSMS{base: strings.TrimRight(base, "/"), token: token, client: &http.Client{Timeout: smsTimeout}}, nil
}

// maxAnswer bounds the provider's answer read.
const maxAnswer = 64 << 10

// Send posts sms to the provider.
func (p *HTTPSMS) Send(ctx context.Context, sms SMS) (string, error) {
	body, err := json.Marshal(map[string]string{"to": sms.To, "from": sms.From, "body": sms.Body})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/messages", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", sms.Key)
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		var op *net.OpError
		dialed := !(errors.As(err, &op) && op.Op == "dial")
		return "", &SMSError{Retry: !dialed, Uncertain: dialed, Err: fmt.Errorf("SMS provider: %w", err)}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", &SMSError{Retry: true, Err: fmt.Errorf("SMS provider answered %s", resp.Status)}
	case resp.StatusCode >= 300:
		return "", &SMSError{Err: fmt.Errorf("SMS provider refused it: %s %s", resp.Status, firstLine(answer))}
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(answer, &out) // accepted all the same: a 2xx without an id is sent, with no provider id
	return out.ID, nil
}

// firstLine is the first line of b, at most 200 bytes.
func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
