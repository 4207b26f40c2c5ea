// Package salesapi is the support service's client of the sales service:
// it tells which opportunities the caller of the request being served may
// see, with that caller's authority (libs/svcclient: the caller's token
// exchanged at the gateway for one addressed to sales), so sales applies
// the caller's permissions and record scope as it does to the caller's own
// requests.
package salesapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/svcclient"
)

// ErrForbidden: sales refused the caller sales:read, which checking a
// case's link to an opportunity needs.
var ErrForbidden = errs.New(errs.Forbidden, "sales-forbidden", "linking a case to an opportunity needs sales:read, which the sales service refused you")

// Client calls the sales service.
type Client struct {
	svc *svcclient.Service
}

// New returns the Client calling sales through svc.
func New(svc *svcclient.Service) *Client { return &Client{svc: svc} }

// VisibleOpportunities returns which of ids are live opportunities the
// caller may see: one read of each distinct id (sales lists no
// opportunities by id). Sales down is svcclient.ErrUnavailable.
func (c *Client) VisibleOpportunities(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		_, err := c.svc.Call(ctx, svcclient.Request{Method: http.MethodGet, Path: "/v1/opportunities/" + url.PathEscape(id)}, nil)
		var p *svcclient.Problem
		switch {
		case err == nil:
			out[id] = true
		case errors.As(err, &p) && slices.Contains([]int{http.StatusNotFound, http.StatusBadRequest}, p.Status):
			out[id] = false
		case errors.As(err, &p) && p.Status == http.StatusForbidden:
			return nil, ErrForbidden.WithDetail("sales: %s", p.Detail).Wrap(p)
		case errors.As(err, &p) && p.Status == http.StatusUnauthorized:
			return nil, svcclient.ErrRefused.Wrap(p)
		default:
			return nil, err
		}
	}
	return out, nil
}
