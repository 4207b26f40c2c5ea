package svcclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Service calls one service with the authority of the request being
// served.
type Service struct {
	c        *Client
	audience string
	base     string
}

// Request is one call to a service.
type Request struct {
	Method string
	// Path is below the service's base URL, with its query
	// ("/v1/contacts?email=ada%40example.com").
	Path string
	// Body is sent as JSON unless nil.
	Body any
	// IdempotencyKey, if set, is sent as Idempotency-Key: a retried POST
	// gets the first answer instead of acting twice.
	IdempotencyKey string
	// Header holds any other header to send (If-Match, Content-Type of a
	// merge patch).
	Header http.Header
}

// Response is a successful answer's status and headers (ETag, Location).
type Response struct {
	Status int
	Header http.Header
}

// Service returns a client of service audience (its registry name) at
// baseURL (starter.Config's ServiceURLs[audience]).
func (c *Client) Service(audience, baseURL string) (*Service, error) {
	if !absolute(baseURL) {
		return nil, fmt.Errorf("svcclient: the URL %q of %s is not an absolute http(s) URL (%s_URL)", baseURL, audience, strings.ToUpper(audience))
	}
	return &Service{c: c, audience: audience, base: strings.TrimRight(baseURL, "/")}, nil
}

// Call sends req with an internal token of ctx's principal for the service
// (Client.Token) and decodes a 2xx answer's body into out unless out is nil
// or the answer has none. An error answer (4xx but 429) is a *Problem; a
// service that cannot be reached or answers 429 or 5xx is ErrUnavailable;
// the gateway's refusal of the request's token is ErrRefused.
func (s *Service) Call(ctx context.Context, req Request, out any) (Response, error) {
	token, err := s.c.Token(ctx, s.audience)
	if err != nil {
		return Response{}, err
	}
	var body []byte
	if req.Body != nil {
		if body, err = json.Marshal(req.Body); err != nil {
			return Response{}, fmt.Errorf("svcclient: encode the body for %s: %w", s.audience, err)
		}
	}
	hdr := req.Header.Clone()
	if req.IdempotencyKey != "" {
		if hdr == nil {
			hdr = http.Header{}
		}
		hdr.Set("Idempotency-Key", req.IdempotencyKey)
	}
	res, raw, err := s.c.send(ctx, req.Method, s.base+req.Path, token, body, hdr)
	if err != nil {
		return Response{}, ErrUnavailable.WithDetail("%s cannot be reached", s.audience).Wrap(err)
	}
	switch {
	case retryable(res.StatusCode):
		return Response{}, ErrUnavailable.WithDetail("%s answered %d", s.audience, res.StatusCode).Wrap(problem(s.audience, res, raw))
	case res.StatusCode >= 400:
		return Response{}, problem(s.audience, res, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return Response{}, fmt.Errorf("svcclient: %s's answer to %s %s: %w", s.audience, req.Method, req.Path, err)
		}
	}
	return Response{Status: res.StatusCode, Header: res.Header}, nil
}
