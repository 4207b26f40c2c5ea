package gatewayadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the admin API of one gateway.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client of the gateway at baseURL (http://host:port)
// authenticating with the platform token; each call is bounded by timeout.
func New(baseURL, token string, timeout time.Duration) *Client {
	return &Client{base: strings.TrimSuffix(baseURL, "/"), token: token, http: &http.Client{Timeout: timeout}}
}

// Create makes the tenant and invites its administrator.
func (c *Client) Create(ctx context.Context, t NewTenant) (Tenant, Invitation, error) {
	if t.Domains == nil {
		t.Domains = []string{}
	}
	var out struct {
		Tenant Tenant     `json:"tenant"`
		Admin  Invitation `json:"admin"`
	}
	err := c.do(ctx, http.MethodPost, "/admin/v1/tenants", t, &out)
	return out.Tenant, out.Admin, err
}

// Reinvite issues a new invitation for the first administrator of the
// tenant with the gateway id id, while they have not joined (else
// ErrAdminJoined); earlier invitations stop working.
func (c *Client) Reinvite(ctx context.Context, id string) (Invitation, error) {
	var inv Invitation
	err := c.do(ctx, http.MethodPost, "/admin/v1/tenants/"+url.PathEscape(id)+"/invitation", nil, &inv)
	return inv, err
}

// Get returns the tenant with the gateway id id.
func (c *Client) Get(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := c.do(ctx, http.MethodGet, "/admin/v1/tenants/"+url.PathEscape(id), nil, &t)
	return t, err
}

// FindBySlug returns the tenant whose slug is slug, whatever its status,
// reading the tenant list page by page.
func (c *Client) FindBySlug(ctx context.Context, slug string) (Tenant, error) {
	cursor := ""
	for {
		var page struct {
			Items      []Tenant `json:"items"`
			NextCursor string   `json:"nextCursor"`
		}
		path := "/admin/v1/tenants?limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return Tenant{}, err
		}
		for _, t := range page.Items {
			if t.Slug == slug {
				return t, nil
			}
		}
		if page.NextCursor == "" {
			return Tenant{}, fmt.Errorf("%w: no tenant has slug %q", ErrNotFound, slug)
		}
		cursor = page.NextCursor
	}
}

// Update changes the tenant's name, domains or tier.
func (c *Client) Update(ctx context.Context, id string, ch Changes) (Tenant, error) {
	var t Tenant
	err := c.do(ctx, http.MethodPatch, "/admin/v1/tenants/"+url.PathEscape(id), ch, &t)
	return t, err
}

// Suspend makes the gateway refuse the tenant's sign-ins, tokens and API
// keys.
func (c *Client) Suspend(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := c.do(ctx, http.MethodPost, "/admin/v1/tenants/"+url.PathEscape(id)+"/suspend", nil, &t)
	return t, err
}

// Resume lets a suspended tenant in again.
func (c *Client) Resume(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := c.do(ctx, http.MethodPost, "/admin/v1/tenants/"+url.PathEscape(id)+"/resume", nil, &t)
	return t, err
}

// Delete marks the tenant deleted; the gateway keeps its slug reserved.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/admin/v1/tenants/"+url.PathEscape(id), nil, nil)
}

// Activate accepts the invitation whose token is token, setting the
// invited user's password, and returns their first tokens. It is a public
// call: the platform token is not sent.
func (c *Client) Activate(ctx context.Context, token, password string) (Tokens, error) {
	var out Tokens
	err := c.public(ctx, "/v1/auth/accept-invitation", acceptInvitation{Token: token, Password: password}, &out)
	return out, err
}

// Login signs in to the tenant with slug tenant with a password. It is a
// public call: the platform token is not sent.
func (c *Client) Login(ctx context.Context, tenant, email, password string) (Tokens, error) {
	var out Tokens
	err := c.public(ctx, "/v1/auth/login", login{Tenant: tenant, Email: email, Password: password}, &out)
	return out, err
}

// do sends body (JSON, unless nil) with the platform token and decodes a 2xx
// answer into out (unless nil); any other answer becomes an error.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	return c.send(ctx, method, path, c.token, body, out)
}

// public posts body to a route that takes no platform token.
func (c *Client) public(ctx context.Context, path string, body, out any) error {
	return c.send(ctx, http.MethodPost, path, "", body, out)
}

// send is do with the bearer token given ("" for none).
func (c *Client) send(ctx context.Context, method, path, bearer string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		ct := "application/json"
		if method == http.MethodPatch {
			ct = "application/merge-patch+json"
		}
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrUnreachable, method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %s %s: read: %v", ErrUnreachable, method, path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var p problem
		_ = json.Unmarshal(b, &p) // a body that is no problem+json still has its status
		if p.Detail == "" {
			p.Detail = strings.TrimSpace(string(b))
		}
		return p.err(method, path, res.StatusCode)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s %s: decode: %v", ErrRejected, method, path, err)
	}
	return nil
}
