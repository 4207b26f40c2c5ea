package quotes

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// createRequest is the body of POST /v1/quotes.
type createRequest struct {
	OpportunityID string `json:"opportunityId"`
}

// moveRequest is a move of a quote: its id, If-Match and the body's
// comment.
type moveRequest struct {
	ID      string
	IfMatch int64
	Comment string `json:"comment"`
}

// listRequest is a list of quotes.
type listRequest struct {
	Filter Filter
	Cursor string
	Limit  int
}

// revisionRequest names a revision of a quote (0: the current one).
type revisionRequest struct {
	ID       string
	Revision int
}

// Routes returns the quotes' routes on s: reading needs sales:read, every
// change sales:write (approving and rejecting also being the approver),
// the settings sales:admin to set. api/openapi.yaml documents each (Name
// is its operationId).
func Routes(s Service) []starter.Route {
	routes := resource.Routes(
		starter.Route{Name: "listQuotes", Method: "GET", Path: "/v1/quotes", Permission: deals.PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.ListQuotes(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createQuote", Method: "POST", Path: "/v1/quotes", Permission: deals.PermWrite,
			Decode: resource.DecodeBody[createRequest](nil),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				q, err := s.CreateQuote(ctx, r.(createRequest).OpportunityID)
				if err != nil {
					return nil, err
				}
				return resource.Created(q, q.Version, "/v1/quotes/"+q.ID, nil)
			}},
		starter.Route{Name: "getQuote", Method: "GET", Path: "/v1/quotes/{id}", Permission: deals.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				q, err := s.GetQuote(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(q, q.Version, nil)
			}},
		starter.Route{Name: "getQuoteRevision", Method: "GET", Path: "/v1/quotes/{id}/revisions/{revision}", Permission: deals.PermRead,
			Decode: decodeRevision(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(revisionRequest)
				rev, err := s.GetRevision(ctx, req.ID, req.Revision)
				return resource.OK(rev, 0, err)
			}},
		starter.Route{Name: "reviseQuote", Method: "POST", Path: "/v1/quotes/{id}/revise", Permission: deals.PermWrite, Decode: decodeMove,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(moveRequest)
				q, changed, err := s.Revise(ctx, req.ID, req.IfMatch, req.Comment)
				if err != nil {
					return nil, err
				}
				return resource.Updated(q, q.Version, changed, nil)
			}},
		starter.Route{Name: "getQuoteSettings", Method: "GET", Path: "/v1/quotes/settings", Permission: deals.PermRead,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.Settings(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setQuoteSettings", Method: "PUT", Path: "/v1/quotes/settings", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Settings]([]string{"updatedAt", "updatedBy"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetSettings(ctx, r.(Settings))
				return resource.OK(out, 0, err)
			}},
	)
	for _, a := range []struct{ name, action string }{{"submitQuote", ActionSubmit}, {"approveQuote", ActionApprove}, {"rejectQuote", ActionReject},
		{"sendQuote", ActionSend}, {"acceptQuote", ActionAccept}, {"declineQuote", ActionDecline}} {
		routes = append(routes, resource.Routes(starter.Route{Name: a.name, Method: "POST", Path: "/v1/quotes/{id}/" + a.action,
			Permission: deals.PermWrite, Decode: decodeMove,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(moveRequest)
				q, err := s.Act(ctx, req.ID, a.action, req.IfMatch, req.Comment)
				if err != nil {
					return nil, err
				}
				return resource.OK(q, q.Version, nil)
			}})...)
	}
	return append(routes, renderRoutes(s)...)
}

// decodeMove reads a move's If-Match and optional body ({"comment": …}).
func decodeMove(_ context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	req := moveRequest{ID: r.PathValue("id"), IfMatch: v}
	if r.Header.Get("Content-Type") == "" {
		if _, err := io.ReadFull(r.Body, make([]byte, 1)); errors.Is(err, io.EOF) {
			return req, nil // no body: no comment
		}
	}
	var body struct {
		Comment string `json:"comment"`
	}
	err = kitx.Decode(r, &body, 0)
	req.Comment = body.Comment
	return req, err
}

// decodeRevision reads the {id} and, from the path (inPath) or the query
// (revision=), the revision: none is the current one.
func decodeRevision(inPath bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		req := revisionRequest{ID: r.PathValue("id")}
		s := r.URL.Query().Get("revision")
		if inPath {
			s = r.PathValue("revision")
		}
		if s == "" {
			return req, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, errs.Invalidf([]errs.FieldError{{Field: "revision", Reason: "must be a revision's number, 1 or more"}}, "bad revision")
		}
		req.Revision = n
		return req, nil
	}
}

// decodeList reads a list's query: the filters, limit and cursor.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := listRequest{Filter: Filter{OpportunityID: q.Get("opportunityId"), State: q.Get("state")}, Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
	v := errs.NewValidator()
	v.Check(req.Filter.OpportunityID == "" || ids.Valid(req.Filter.OpportunityID), "opportunityId", "must be a UUID")
	states := []string{StateDraft, StatePending, StateApproved, StateRejected, StateSent, StateAccepted, StateDeclined}
	v.Check(req.Filter.State == "" || slices.Contains(states, req.Filter.State), "state", "must be a quote's state")
	if s := q.Get("awaitingMe"); s != "" {
		b, err := strconv.ParseBool(s)
		v.Check(err == nil, "awaitingMe", "must be true or false")
		req.Filter.AwaitingMe = b
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}
