package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
)

// expirySlack refreshes an access token this long before it expires.
const expirySlack = 30 * time.Second

// Tokens is the gateway's answer to a sign-in or a refresh.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int    `json:"expiresIn"`
}

// Apply stores t in p, computing the expiry from now.
func (t Tokens) Apply(p *config.Profile) {
	p.AccessToken = t.AccessToken
	if t.RefreshToken != "" {
		p.RefreshToken = t.RefreshToken
	}
	p.Expiry = time.Time{}
	if t.ExpiresIn > 0 {
		p.Expiry = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second).UTC()
	}
}

// tokenTransport sends the profile's access token; when it has expired,
// or the gateway answers 401, it refreshes the tokens once, saves them to
// the configuration file and retries. A refused refresh is ErrExpired.
type tokenTransport struct {
	base    http.RoundTripper
	path    string
	mu      sync.Mutex
	profile config.Profile
}

// RoundTrip implements http.RoundTripper.
func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	if !t.profile.Expiry.IsZero() && time.Now().Add(expirySlack).After(t.profile.Expiry) {
		if err := t.refresh(req.Context()); err != nil {
			t.mu.Unlock()
			return nil, err
		}
	}
	token := t.profile.AccessToken
	t.mu.Unlock()
	res, err := t.send(req, token)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	if req.Body != nil && req.GetBody == nil {
		return res, nil // the body is gone; the caller sees the 401
	}
	res.Body.Close()
	t.mu.Lock()
	if t.profile.AccessToken == token {
		if err := t.refresh(req.Context()); err != nil {
			t.mu.Unlock()
			return nil, err
		}
	}
	token = t.profile.AccessToken
	t.mu.Unlock()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	res, err = t.send(req, token)
	if err == nil && res.StatusCode == http.StatusUnauthorized {
		res.Body.Close()
		return nil, ErrExpired
	}
	return res, err
}

// send sends a copy of req with the bearer token.
func (t *tokenTransport) send(req *http.Request, token string) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return t.base.RoundTrip(r)
}

// refresh exchanges the refresh token for new tokens and saves them; the
// caller holds mu.
func (t *tokenTransport) refresh(ctx context.Context) error {
	if t.profile.RefreshToken == "" {
		return ErrExpired
	}
	tok, err := Refresh(ctx, t.base, t.profile.Gateway, t.profile.RefreshToken)
	if err != nil {
		return err
	}
	tok.Apply(&t.profile)
	f, err := config.Load(t.path)
	if err != nil {
		return err
	}
	f.Profiles[t.profile.Key()] = t.profile
	return f.Save(t.path)
}

// Refresh exchanges refreshToken at the gateway for new tokens; a refusal
// (4xx) is ErrExpired.
func Refresh(ctx context.Context, rt http.RoundTripper, gateway, refreshToken string) (Tokens, error) {
	var tok Tokens
	b, _ := json.Marshal(map[string]string{"refreshToken": refreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, gateway+"/v1/auth/refresh", bytes.NewReader(b))
	if err != nil {
		return tok, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := rt.RoundTrip(req)
	if err != nil {
		return tok, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return tok, err
	}
	if res.StatusCode >= 400 && res.StatusCode < 500 {
		return tok, ErrExpired
	}
	if err := Check(res.StatusCode, body); err != nil {
		return tok, err
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return tok, fmt.Errorf("refresh: unexpected answer %q", body)
	}
	return tok, nil
}
