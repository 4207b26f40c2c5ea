package campaigns

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// listRequest is a page of a list: the campaign ({id}) for a campaign's
// children or members, the filter, a cursor and a limit.
type listRequest struct {
	ID     string
	Filter Filter
	Cursor string
	Limit  int
}

// decodeList reads ?status=&type=&parentId=&cursor=&limit= (and {id}):
// the statuses are a campaign's, or for members (members true) a
// member's.
func decodeList(members bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		limit, err := kitx.Limit(r)
		if err != nil {
			return nil, err
		}
		q := r.URL.Query()
		req := listRequest{ID: r.PathValue("id"), Cursor: q.Get("cursor"), Limit: limit,
			Filter: Filter{Status: q.Get("status"), Type: q.Get("type"), ParentID: q.Get("parentId")}}
		statuses := Statuses
		if members {
			statuses = MemberStatuses
		}
		v := errs.NewValidator()
		v.Check(req.Filter.Status == "" || slices.Contains(statuses, req.Filter.Status), "status", "must be one of "+strings.Join(statuses, ", "))
		v.Check(req.Filter.Type == "" || slices.Contains(Types, req.Filter.Type), "type", "must be one of "+strings.Join(Types, ", "))
		v.Check(req.Filter.ParentID == "" || ids.Valid(req.Filter.ParentID), "parentId", "must be a campaign's id")
		return req, v.Err()
	}
}

// membersRequest adds contacts to a campaign.
type membersRequest struct {
	ID         string   `json:"-"`
	ContactIDs []string `json:"contactIds"`
}

// decodeAddMembers reads {contactIds}.
func decodeAddMembers(_ context.Context, r *http.Request) (any, error) {
	var req membersRequest
	if err := kitx.Decode(r, &req, 0); err != nil {
		return nil, err
	}
	req.ID = r.PathValue("id")
	return req, nil
}

// memberRequest names a member of a campaign, with the status to set.
type memberRequest struct {
	ID        string `json:"-"`
	ContactID string `json:"-"`
	Status    string `json:"status"`
}

// decodeMember reads {id} and {contactId}, and with body a {status}.
func decodeMember(body bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		var req memberRequest
		if body {
			if err := kitx.Decode(r, &req, 0); err != nil {
				return nil, err
			}
		}
		req.ID, req.ContactID = r.PathValue("id"), r.PathValue("contactId")
		return req, nil
	}
}

// Routes returns the routes of campaigns and their members on s, each
// with its permission: reading marketing:read, writing marketing:write.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listCampaigns", Method: "GET", Path: "/v1/campaigns", Permission: marketingdb.PermRead,
			Decode: decodeList(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createCampaign", Method: "POST", Path: "/v1/campaigns", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeBody[Campaign](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.Create(ctx, r.(Campaign))
				return resource.Created(c, c.Version, "/v1/campaigns/"+c.ID, err)
			}},
		starter.Route{Name: "getCampaign", Method: "GET", Path: "/v1/campaigns/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "updateCampaign", Method: "PATCH", Path: "/v1/campaigns/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				c, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(c, c.Version, changed, err)
			}},
		starter.Route{Name: "deleteCampaign", Method: "DELETE", Path: "/v1/campaigns/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listCampaignChildren", Method: "GET", Path: "/v1/campaigns/{id}/children", Permission: marketingdb.PermRead,
			Decode: decodeList(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.Children(ctx, req.ID, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "listCampaignMembers", Method: "GET", Path: "/v1/campaigns/{id}/members", Permission: marketingdb.PermRead,
			Decode: decodeList(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.Members(ctx, req.ID, req.Filter.Status, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "addCampaignMembers", Method: "POST", Path: "/v1/campaigns/{id}/members", Permission: marketingdb.PermWrite,
			Decode: decodeAddMembers,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(membersRequest)
				out, err := s.AddMembers(ctx, req.ID, req.ContactIDs)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "getCampaignMemberHistory", Method: "GET", Path: "/v1/campaigns/{id}/members/{contactId}/history",
			Permission: marketingdb.PermRead, Decode: decodeMember(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(memberRequest)
				h, err := s.History(ctx, req.ID, req.ContactID)
				return resource.OK(resource.List[HistoryEntry]{Items: h}, 0, err)
			}},
		starter.Route{Name: "setCampaignMemberStatus", Method: "PUT", Path: "/v1/campaigns/{id}/members/{contactId}/status",
			Permission: marketingdb.PermWrite, Decode: decodeMember(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(memberRequest)
				m, err := s.SetStatus(ctx, req.ID, req.ContactID, req.Status)
				return resource.OK(m, 0, err)
			}},
	)
}
