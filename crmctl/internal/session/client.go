package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/libs/apiclient"
	"github.com/rapport-crm/rapport/libs/version"
)

// Client is the signed-in client of one gateway and tenant.
type Client struct {
	// Base is the gateway's URL, without a trailing slash.
	Base string
	// HTTP sends requests with the profile's access token, refreshing it
	// when it expires; use it for streams and raw requests.
	HTTP *http.Client
	// API is libs/apiclient's client over HTTP; its answers go through
	// Decode.
	API apiclient.ClientInterface
	// Profile is the sign-in the client uses.
	Profile config.Profile
}

// userAgent is the User-Agent of crmctl's requests.
func userAgent() string {
	v, _ := version.Get()
	return "crmctl/" + v
}

// newClient returns the Client of base sending requests through h.
func newClient(base string, h *http.Client, p config.Profile) (*Client, error) {
	api, err := apiclient.New(base, nil, apiclient.WithHTTPClient(h), apiclient.WithUserAgent(userAgent()))
	if err != nil {
		return nil, fmt.Errorf("the gateway's URL %q: %w", base, err)
	}
	return &Client{Base: base, HTTP: h, API: api.ClientInterface, Profile: p}, nil
}

// NewClient returns the signed-in client of the profile that the global
// flags name (or of the current one). It fails with ErrNotLoggedIn when
// there is none.
func NewClient(cmd *cobra.Command) (*Client, error) {
	o := Get(cmd)
	path, err := o.ConfigPath()
	if err != nil {
		return nil, err
	}
	f, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	p, ok := f.Lookup(o.Gateway, o.Tenant)
	if !ok {
		return nil, ErrNotLoggedIn
	}
	t := &tokenTransport{base: http.DefaultTransport, profile: p, path: path}
	return newClient(p.Gateway, &http.Client{Transport: t}, p)
}

// Do sends a request to path (relative to the gateway) with body (nil for
// none) and the given headers, and returns the answer whatever its status.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, header http.Header) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.HTTP.Do(req)
}

// JSON sends in (JSON, unless nil) and decodes a 2xx answer into out
// (unless nil); an error answer becomes a *Problem. It returns the answer's
// headers.
func (c *Client) JSON(ctx context.Context, method, path string, in, out any, header http.Header) (http.Header, error) {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = b
	}
	res, err := c.Do(ctx, method, path, body, header)
	return Decode(res, err, out)
}

// Decode reads an answer (of Do or of API) and closes its body: a 2xx
// answer's JSON goes into out (unless nil), an error answer becomes a
// *Problem. It returns the answer's headers.
func Decode(res *http.Response, err error, out any) (http.Header, error) {
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	where := res.Request.Method + " " + res.Request.URL.Path
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if err := Check(res.StatusCode, b); err != nil {
		return res.Header, err
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(out); err != nil {
			return res.Header, fmt.Errorf("%s: decode: %w", where, err)
		}
	}
	return res.Header, nil
}

// Check returns nil for a status below 400, else the *Problem that body
// (problem+json, or any text) describes.
func Check(status int, body []byte) error {
	if status < 400 {
		return nil
	}
	p := &Problem{Status: status}
	if json.Unmarshal(body, p) != nil || p.Title == "" {
		p.Title = fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
		if p.Detail == "" {
			p.Detail = strings.TrimSpace(string(body))
		}
	}
	return p
}

// NewStatic returns a client of the gateway at base that sends token as
// it is (a platform token or an API key), never refreshing it; "" sends
// none (the public routes: sign-in, logout).
func NewStatic(base, token string) (*Client, error) {
	return newClient(strings.TrimSuffix(base, "/"), &http.Client{Transport: bearer{token: token, base: http.DefaultTransport}}, config.Profile{})
}

// bearer adds a fixed bearer token to every request.
type bearer struct {
	token string
	base  http.RoundTripper
}

// RoundTrip implements http.RoundTripper; an empty token sends none.
func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token == "" {
		return b.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}
