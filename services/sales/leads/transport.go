package leads

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// listRequest is a list of leads: its filter, cursor and limit.
type listRequest struct {
	Filter Filter
	Cursor string
	Limit  int
}

// Routes returns the leads' routes on s: reading needs sales:read, every
// change sales:write, both within the caller's record scope.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listLeads", Method: "GET", Path: "/v1/leads", Permission: deals.PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createLead", Method: "POST", Path: "/v1/leads", Permission: deals.PermWrite, Decode: decodeCreate,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(createRequest)
				if req.Assign {
					ctx = WithAssignment(ctx)
				}
				c, err := s.Create(ctx, req.Lead)
				if err != nil {
					return nil, err
				}
				return resource.Created(c, c.Version, "/v1/leads/"+c.ID, nil)
			}},
		starter.Route{Name: "getLead", Method: "GET", Path: "/v1/leads/{id}", Permission: deals.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				l, err := s.Get(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(l, l.Version, nil)
			}},
		starter.Route{Name: "updateLead", Method: "PATCH", Path: "/v1/leads/{id}", Permission: deals.PermWrite, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				l, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(l, l.Version, changed, nil)
			}},
		starter.Route{Name: "deleteLead", Method: "DELETE", Path: "/v1/leads/{id}", Permission: deals.PermWrite, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "restoreLead", Method: "POST", Path: "/v1/leads/{id}/restore", Permission: deals.PermWrite, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				l, err := s.Restore(ctx, req.ID, req.IfMatch)
				if err != nil {
					return nil, err
				}
				return resource.OK(l, l.Version, nil)
			}},
		starter.Route{Name: "getLeadDuplicates", Method: "GET", Path: "/v1/leads/{id}/duplicates", Permission: deals.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.Duplicates(ctx, r.(resource.IDRequest).ID)
				return resource.OK(resource.List[Lead]{Items: list}, 0, err)
			}},
	)
}

// decodeList reads a list's query: the filters, limit and cursor, naming
// each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := listRequest{Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
	f := &req.Filter
	f.Status, f.OwnerID, f.TeamID, f.Source, f.Rating, f.Query = q.Get("status"), q.Get("ownerId"), q.Get("teamId"), q.Get("source"), q.Get("rating"), q.Get("q")
	f.Tag = q.Get("tag")
	v := errs.NewValidator()
	v.Check(f.Status == "" || slices.Contains(Statuses, f.Status), "status", "must be new, working, nurturing, qualified, disqualified or converted")
	v.Check(f.Rating == "" || slices.Contains(Ratings, f.Rating), "rating", "must be hot, warm or cold")
	v.Check(len(f.Query) <= maxName, "q", "at most "+strconv.Itoa(maxName)+" bytes")
	v.Check(len(f.Tag) <= 4*tags.MaxName, "tag", "must be a tag name")
	switch q.Get("deleted") {
	case "", "false":
	case "true":
		f.Deleted = true
	default:
		v.Check(false, "deleted", "must be true or false")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}
