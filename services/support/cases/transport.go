package cases

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// listRequest is a list of cases: its filter, cursor and limit.
type listRequest struct {
	Filter Filter
	Cursor string
	Limit  int
}

// Routes returns the cases' routes on s: reading needs support:read,
// working cases support:write, deleting support:admin. api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listCases", Method: "GET", Path: "/v1/cases", Permission: supportdb.PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createCase", Method: "POST", Path: "/v1/cases", Permission: supportdb.PermWrite, Decode: resource.DecodeBody[Case](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.Create(ctx, r.(Case))
				if err != nil {
					return nil, err
				}
				return resource.Created(c, c.Version, "/v1/cases/"+c.ID, nil)
			}},
		starter.Route{Name: "getCaseByNumber", Method: "GET", Path: "/v1/cases/by-number", Permission: supportdb.PermRead, Decode: decodeNumber,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.ByNumber(ctx, r.(int64))
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "getCase", Method: "GET", Path: "/v1/cases/{id}", Permission: supportdb.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "updateCase", Method: "PATCH", Path: "/v1/cases/{id}", Permission: supportdb.PermWrite, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				c, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(c, c.Version, changed, err)
			}},
		starter.Route{Name: "deleteCase", Method: "DELETE", Path: "/v1/cases/{id}", Permission: supportdb.PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
	)
}

// decodeNumber reads the number query parameter of getCaseByNumber.
func decodeNumber(_ context.Context, r *http.Request) (any, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Query().Get("number"), "#"), 10, 64)
	v := errs.NewValidator()
	v.Check(err == nil && n >= 1, "number", "must be a case number (a positive integer)")
	return n, v.Err()
}

// decodeList reads a list's query: the filters, view, limit and cursor,
// naming each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := listRequest{Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
	f := &req.Filter
	f.QueueID, f.AssigneeID, f.Priority, f.Channel = q.Get("queueId"), q.Get("assigneeId"), q.Get("priority"), q.Get("channel")
	f.ContactID, f.AccountID, f.Tag, f.Query = q.Get("contactId"), q.Get("accountId"), q.Get("tag"), q.Get("q")
	v := errs.NewValidator()
	for _, s := range q["status"] {
		for _, st := range strings.Split(s, ",") {
			v.Check(slices.Contains(Statuses, st), "status", "must be statuses among "+strings.Join(Statuses, ", "))
			f.Statuses = append(f.Statuses, st)
		}
	}
	for _, p := range []struct{ name, v string }{{"queueId", f.QueueID}, {"contactId", f.ContactID}, {"accountId", f.AccountID}} {
		v.Check(p.v == "" || ids.Valid(p.v), p.name, "must be a UUID")
	}
	v.Check(len(f.AssigneeID) <= maxShort, "assigneeId", "must be a user id or me")
	v.Check(f.Priority == "" || slices.Contains(Priorities, f.Priority), "priority", "must be one of "+strings.Join(Priorities, ", "))
	v.Check(f.Channel == "" || slices.Contains(Channels, f.Channel), "channel", "must be one of "+strings.Join(Channels, ", "))
	v.Check(len(f.Query) <= maxSubject, "q", "at most "+strconv.Itoa(maxSubject)+" bytes")
	v.Check(len(f.Tag) <= 4*tags.MaxName, "tag", "must be a tag name")
	switch q.Get("view") {
	case "":
	case "queue":
		f.Queue = true
	default:
		v.Check(false, "view", "must be queue")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}

// Routes returns every route of package cases on s: the cases', their
// threads', custom fields' and settings'.
func (s *Service) Routes() []starter.Route {
	return slices.Concat(Routes(s), ThreadRoutes(s), FieldRoutes(NewFieldService(s.db)), SettingsRoutes(s))
}
