package svcclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
)

// The gateway's internal routes (services/gateway/api/internal.yaml).
const (
	tokenExchangePath = "/internal/v1/token-exchange"
	teamsPath         = "/internal/v1/teams/"
)

// maxBody bounds an answer read into memory.
const maxBody = 8 << 20

// tokenCacheSize bounds the exchanged tokens kept, one per principal and
// audience in use.
const tokenCacheSize = 10_000

// Client talks to the gateway's internal routes on behalf of the request a
// service is serving. It is safe for concurrent use.
type Client struct {
	gateway string
	hc      *http.Client
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]exchanged // audience and principal → token
}

// exchanged is a token kept for reuse until reuseUntil, half its lifetime.
type exchanged struct {
	token      string
	reuseUntil time.Time
}

// New returns a Client of the gateway at gatewayURL (starter.Config's
// GatewayURL); hc nil is http.DefaultClient. Give hc a timeout. Its calls
// are sent through a copy of hc whose transport traces each one as a client
// span and sends its traceparent (obs.TraceTransport; nothing when tracing
// is off).
func New(gatewayURL string, hc *http.Client) (*Client, error) {
	if !absolute(gatewayURL) {
		return nil, fmt.Errorf("svcclient: the gateway's URL %q is not an absolute http(s) URL (GATEWAY_URL)", gatewayURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	traced := *hc
	traced.Transport = obs.TraceTransport(hc.Transport, nil)
	hc = &traced
	return &Client{gateway: strings.TrimRight(gatewayURL, "/"), hc: hc, now: time.Now, tokens: map[string]exchanged{}}, nil
}

// Token returns an internal token of the principal of ctx's request
// addressed to audience: exchanged at the gateway, or kept from an exchange
// for the same principal and audience during the first half of its life.
func (c *Client) Token(ctx context.Context, audience string) (string, error) {
	token, ok := auth.TokenFrom(ctx)
	if !ok {
		return "", ErrNoCaller
	}
	key := cacheKey(ctx, audience, token)
	now := c.now()
	c.mu.Lock()
	e, hit := c.tokens[key]
	c.mu.Unlock()
	if hit && now.Before(e.reuseUntil) {
		return e.token, nil
	}
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpiresIn   int    `json:"expiresIn"`
	}
	body, _ := json.Marshal(map[string]string{"audience": audience})
	if err := c.gatewayCall(ctx, http.MethodPost, tokenExchangePath, token, body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", ErrUnavailable.WithDetail("the gateway's token exchange answered no token")
	}
	c.keep(key, exchanged{token: out.AccessToken, reuseUntil: now.Add(time.Duration(out.ExpiresIn) * time.Second / 2)}, now)
	return out.AccessToken, nil
}

// keep remembers e under key; when full, it forgets the tokens past reuse,
// or all of them if none is.
func (c *Client) keep(key string, e exchanged, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tokens) >= tokenCacheSize {
		for k, old := range c.tokens {
			if !now.Before(old.reuseUntil) {
				delete(c.tokens, k)
			}
		}
		if len(c.tokens) >= tokenCacheSize {
			clear(c.tokens)
		}
	}
	c.tokens[key] = e
}

// cacheKey names the exchanged token of ctx's principal for audience: every
// claim of the principal (encoding/json sorts the record scopes' keys), so
// principals differing in anything share nothing; the token itself when the
// context holds no principal.
func cacheKey(ctx context.Context, audience, token string) string {
	if p, ok := auth.PrincipalFrom(ctx); ok {
		if b, err := json.Marshal(p); err == nil {
			return audience + "\x00p" + string(b)
		}
	}
	return audience + "\x00t" + token
}

// gatewayCall sends a request to one of the gateway's internal routes with
// token and decodes a 200 answer into out. 401 is ErrRefused, another 4xx
// a *Problem of "gateway".
func (c *Client) gatewayCall(ctx context.Context, method, path, token string, body []byte, out any) error {
	res, raw, err := c.send(ctx, method, c.gateway+path, token, body, nil)
	if err != nil {
		return ErrUnavailable.WithDetail("the gateway cannot be reached").Wrap(err)
	}
	switch {
	case res.StatusCode == http.StatusOK:
		if err := json.Unmarshal(raw, out); err != nil {
			return ErrUnavailable.WithDetail("the gateway's answer is not JSON").Wrap(err)
		}
		return nil
	case retryable(res.StatusCode):
		return ErrUnavailable.WithDetail("the gateway answered %d", res.StatusCode)
	}
	p := problem("gateway", res, raw)
	if res.StatusCode == http.StatusUnauthorized {
		return ErrRefused.WithDetail("%s", p.Detail).Wrap(p)
	}
	return p
}

// send sends one request with the bearer token, the context's request id
// and hdr, and returns the answer with its body read (at most maxBody).
func (c *Client) send(ctx context.Context, method, target, token string, body []byte, hdr http.Header) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if id := kitx.RequestIDFrom(ctx); id != "" {
		req.Header.Set(kitx.RequestIDHeader, id)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return nil, nil, err
	}
	if len(raw) > maxBody {
		return nil, nil, errors.New("the answer exceeds 8 MiB")
	}
	return res, raw, nil
}

// problem reads an error answer of service; a body that is no problem
// keeps the status alone.
func problem(service string, res *http.Response, raw []byte) *Problem {
	p := &Problem{Service: service}
	_ = json.Unmarshal(raw, &p.Problem)
	p.Status = res.StatusCode
	return p
}

// retryable reports whether status means "try again later": 429 or 5xx.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// absolute reports whether s is an absolute http(s) URL.
func absolute(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
