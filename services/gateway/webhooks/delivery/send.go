package delivery

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// excerptLimit bounds the request and response excerpts of an attempt.
const excerptLimit = 4 << 10

// drainLimit bounds what is read of a response after its excerpt, so the
// connection can be reused.
const drainLimit = 64 << 10

// UserAgent is the User-Agent of every delivery.
const UserAgent = "Rapport-Webhooks/1"

// ContentType is the deliveries' body type: a CloudEvent in structured mode.
const ContentType = "application/cloudevents+json"

// result is what one attempt's answer was.
type result struct {
	attempt
	retryAfter time.Duration // from a Retry-After header; 0 without
}

// send POSTs j signed with secret and returns the attempt's record. A
// response of any status is a result; err is a transport error (refused,
// timed out, a forbidden address or redirect), recorded in the attempt too.
func (d *Dispatcher) send(ctx context.Context, j *job, secret string) result {
	now := time.Now()
	msgID := MessageID(j.ID)
	r := result{attempt: attempt{At: now, RequestExcerpt: excerpt(j.Payload)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, bytes.NewReader(j.Payload))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(secret, msgID, now, j.Payload))
	r.RequestHeaders = flatten(req.Header)
	resp, err := d.client.Do(req)
	r.Duration = time.Since(now)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, excerptLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	r.Duration = time.Since(now)
	r.Status = resp.StatusCode
	r.ResponseHeaders = flatten(resp.Header)
	r.ResponseExcerpt = excerpt(body)
	r.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		r.Error = "the endpoint answered " + resp.Status
	}
	return r
}

// excerpt is at most excerptLimit bytes of b as valid UTF-8 text without
// NUL (what a text column takes).
func excerpt(b []byte) string {
	if len(b) > excerptLimit {
		b = b[:excerptLimit]
	}
	s := strings.ToValidUTF8(string(b), "")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// flatten is h as one string per header, its values joined by ", ".
func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = excerpt([]byte(strings.Join(v, ", ")))
	}
	return out
}

// parseRetryAfter is the wait a Retry-After value asks for (seconds or an
// HTTP date); 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
