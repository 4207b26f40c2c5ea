package load

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Call is one request of the load: Body is sent as JSON (merge-patch JSON
// for PATCH) unless Raw is set, which is sent as it is with ContentType.
type Call struct {
	Method, Path, Token string
	Body                any
	Raw                 []byte
	ContentType         string
	IfMatch             string // sent as If-Match when set
	Key                 string // sent as Idempotency-Key when set
}

// Answer is the end of a call after its retries.
type Answer struct {
	Status int // the last answer's status; 0 when the last try got none
	Header http.Header
	Body   []byte
	Tries  int
	// Ambiguous is true when a try before the last may have been applied
	// unseen (a connection error or a 502/504 after the request was sent).
	Ambiguous bool
	Err       error // the last try's transport error
}

// OK reports a 2xx answer.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status < 300 }

// Outcome classifies the answer for the ledger.
func (a Answer) Outcome() Outcome {
	switch {
	case a.OK():
		return Acked
	case a.Status >= 400 && a.Status < 500 && !a.Ambiguous:
		return Rejected
	default:
		return Unknown
	}
}

// Decode unmarshals a JSON body into v.
func (a Answer) Decode(v any) error {
	if err := json.Unmarshal(a.Body, v); err != nil {
		return fmt.Errorf("decode %d %.200s: %w", a.Status, a.Body, err)
	}
	return nil
}

// Client sends calls to the gateway and retries the retryable ones: a
// connection error, 429, 502, 503 and 504 are tried again with the same
// Idempotency-Key (and If-Match), after the Retry-After the answer asks
// for (bounded by MaxWait) or a growing back-off, for at most Budget.
type Client struct {
	Base    string
	HTTP    *http.Client
	Budget  time.Duration // how long a call keeps retrying (default 60s: longer than idempotency.ClaimLease)
	MaxWait time.Duration // the longest pause between tries (default 2s)
	Observe func(Attempt) // told of every try, when set
}

// Attempt is one try of a call, as the statistics see it.
type Attempt struct {
	At      time.Time
	Latency time.Duration
	Status  int // 0: a connection error
	Kind    string
}

// NewClient returns a client of the gateway at base.
func NewClient(base string, observe func(Attempt)) *Client {
	return &Client{Base: base, HTTP: &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Budget: 60 * time.Second, MaxWait: 2 * time.Second, Observe: observe}
}

// NewKey returns a fresh Idempotency-Key.
func NewKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Do sends c with its retries; kind names it for the statistics.
func (cl *Client) Do(ctx context.Context, kind string, c Call) Answer {
	var a Answer
	deadline := time.Now().Add(cl.Budget)
	wait := 100 * time.Millisecond
	for {
		a.Tries++
		start := time.Now()
		status, header, body, err := cl.once(ctx, c)
		if cl.Observe != nil {
			cl.Observe(Attempt{At: start, Latency: time.Since(start), Status: status, Kind: kind})
		}
		a.Status, a.Header, a.Body, a.Err = status, header, body, err
		if !retryable(status, body, err) || ctx.Err() != nil || time.Now().After(deadline) {
			return a
		}
		// No answer, a broken upstream, or an earlier try still held by the
		// key: that try may have done the write, so a later refusal (a 409
		// duplicate once the claim is let go) does not mean it did not.
		if status == 0 || status == http.StatusBadGateway || status == http.StatusGatewayTimeout || inFlight(status, body) {
			a.Ambiguous = true
		}
		pause := wait
		if s, perr := strconv.Atoi(header.Get("Retry-After")); perr == nil && s > 0 {
			pause = time.Duration(s) * time.Second
		}
		pause = min(pause, cl.MaxWait)
		wait = min(wait*2, cl.MaxWait)
		select {
		case <-ctx.Done():
			return a
		case <-time.After(pause):
		}
	}
}

// retryable reports whether a try's end is worth another try: no answer,
// 429, 502, 503, 504, or a 409 saying the key's first request has not
// finished (a process that died holding it lets it go after
// idempotency.ClaimLease).
func retryable(status int, body []byte, err error) bool {
	if err != nil {
		return !errors.Is(err, context.Canceled)
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusConflict:
		return inFlight(status, body)
	}
	return false
}

// inFlight reports a 409 saying the key's first request has not finished.
func inFlight(status int, body []byte) bool {
	return status == http.StatusConflict && bytes.Contains(body, []byte("idempotency-key-in-flight"))
}

// once sends one try of c.
func (cl *Client) once(ctx context.Context, c Call) (int, http.Header, []byte, error) {
	var body io.Reader
	ct := c.ContentType
	switch {
	case c.Raw != nil:
		body = bytes.NewReader(c.Raw)
	case c.Body != nil:
		b, err := json.Marshal(c.Body)
		if err != nil {
			return 0, http.Header{}, nil, err
		}
		body = bytes.NewReader(b)
		ct = "application/json"
		if c.Method == http.MethodPatch {
			ct = "application/merge-patch+json"
		}
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, cl.Base+c.Path, body)
	if err != nil {
		return 0, http.Header{}, nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.IfMatch != "" {
		req.Header.Set("If-Match", c.IfMatch)
	}
	if c.Key != "" {
		req.Header.Set("Idempotency-Key", c.Key)
	}
	res, err := cl.HTTP.Do(req)
	if err != nil {
		return 0, http.Header{}, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return 0, res.Header, nil, err
	}
	return res.StatusCode, res.Header, b, nil
}
